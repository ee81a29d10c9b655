import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { loudnessGain, readAudioFile, readCacheIndex, SpeakerMap } from "@vox/datasets";
import { analyze, type FeatureSpec, resample, silenceFrame, synthesize } from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { convertUtterance, initBackend, loadModel, type ModelMetadata } from "@vox/models";
import { CliError } from "../errors.js";
import { audioInputs, note, output, stem, writableFolder } from "../io.js";

export interface ConvertFlags {
  run: string;
  to: string;
  from?: string;
  out: string;
  step?: string;
  glIterations?: string;
  glMomentum?: string;
  json?: boolean;
}

async function checkpointDir(run: string, step?: string): Promise<string> {
  const root = join(run, "checkpoints");
  const steps = (await readdir(root).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).sort();
  if (steps.length === 0)
    throw new CliError(
      `${run}: expected a vox run with a checkpoint, found ${steps.length === 0 ? "none" : ""}`.trim(),
    );
  const chosen = step === undefined ? steps[steps.length - 1] : steps.find((s) => Number(s) === Number(step));
  if (!chosen) throw new CliError(`--step: expected one of ${steps.map(Number).join(", ")}, found ${step}`);
  return join(root, chosen, "generator");
}

/** The speaker whose mean features (from the run's feature cache) are nearest the utterance's. */
async function nearestSpeaker(
  run: string,
  features: Float32Array,
  bins: number,
  frames: number,
  speakers: SpeakerMap,
): Promise<string | null> {
  const record = JSON.parse(await readFile(join(run, "config.json"), "utf8")) as { data: string };
  const index = await readCacheIndex(record.data).catch(() => undefined);
  if (!index) return null;
  const mean = new Float64Array(bins);
  for (let f = 0; f < bins; f++) {
    let s = 0;
    for (let t = 0; t < frames; t++) s += features[f * frames + t] ?? 0;
    mean[f] = s / frames;
  }
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const speaker of speakers.speakers) {
    const stats = index.speakerStatistics[speaker];
    if (!stats) continue;
    let d = 0;
    for (let f = 0; f < bins; f++) d += ((stats.mean[f] ?? 0) - (mean[f] ?? 0)) ** 2;
    if (d < bestDistance) [best, bestDistance] = [speaker, d];
  }
  return best;
}

/**
 * Converts WAV/FLAC files of any length, format and rate: resampled to the model's rate, loudness-normalised as
 * training data was, the whole utterance through the fully convolutional generator in one pass (padded with the
 * silence value to the time factor, cut back), Griffin-Lim, written at the model's rate.
 */
export async function convertCommand(inputs: string[], flags: ConvertFlags): Promise<void> {
  const files = await audioInputs(inputs);
  const outDir = await writableFolder(flags.out);
  await initBackend(undefined, () => {});
  const { model, metadata } = await loadModel(await checkpointDir(flags.run, flags.step)).catch((error: unknown) => {
    if (error instanceof CliError) throw error;
    throw new CliError(`${flags.run}: expected a vox run folder, found ${(error as Error).message}`);
  });
  const spec: FeatureSpec = metadata.featureSpec;
  const speakers = SpeakerMap.fromJSON(metadata.speakers, `${flags.run} speakers`);
  const target = speakers.index(flags.to);
  const nIter = flags.glIterations === undefined ? undefined : Number(flags.glIterations);
  const momentum = flags.glMomentum === undefined ? undefined : Number(flags.glMomentum);
  const results = [];
  for (const file of files) {
    const audio = await readAudioFile(file);
    const signal =
      audio.sampleRate === spec.sampleRate ? audio.samples : resample(audio.samples, audio.sampleRate, spec.sampleRate);
    const gain = loudnessGain(signal);
    const features = analyze(
      signal.map((v) => v * gain),
      spec,
    );
    const fromName =
      flags.from ??
      (await nearestSpeaker(flags.run, features.data, features.bins, features.frames, speakers)) ??
      speakers.speaker(0);
    const source = speakers.index(fromName);
    const converted = convertUtterance(
      model,
      (metadata as ModelMetadata).config.generator,
      features,
      source,
      target,
      silenceFrame(spec),
    );
    const samples = synthesize(converted, spec, {
      ...(nIter !== undefined ? { nIter } : {}),
      ...(momentum !== undefined ? { momentum } : {}),
      length: signal.length,
    });
    const path = join(outDir, `${stem(file)}__to__${flags.to}.wav`);
    await writeWavFile(path, samples, spec.sampleRate);
    results.push({
      input: file,
      output: path,
      from: fromName,
      to: flags.to,
      seconds: samples.length / spec.sampleRate,
    });
    note(`convert: ${file} (${fromName}) -> ${path}`);
  }
  model.dispose();
  output(flags.json === true, results, results.map((r) => r.output).join("\n"));
}
