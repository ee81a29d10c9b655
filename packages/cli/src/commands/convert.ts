import { join } from "node:path";
import type { SpeakerFeatureStatistics } from "@vox/dsp";
import type { RunConversion, RunRecord } from "@vox/train/run";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { audioInputs, ensembleFolders, note, numberOption, output, uniqueStems, writableFolder } from "../io.js";

export interface ConvertFlags {
  run: string;
  to: string;
  from?: string;
  out: string;
  step?: number;
  glIterations?: number;
  glMomentum?: number;
  ensemble?: string;
  json?: boolean;
}

/** `vox convert`: its options, each number parsed once as the command line is read. */
export function addConvertCommand(vox: Command): void {
  vox
    .command("convert <inputs...>")
    .addHelpText("after", `\nExample:\n  $ vox convert --run runs/vctk --to p231 speech.wav recordings/ -o converted/`)
    .description("convert WAV/FLAC files or folders of them to a speaker")
    .requiredOption("--run <dir>", "trained run folder")
    .requiredOption("--to <speaker>", "target speaker")
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--from <speaker>", "source speaker (default: the run speaker whose feature statistics fit best)")
    .option("--step <n>", "checkpoint (default: the newest)", numberOption("--step", { integer: true, min: 0 }))
    .option(
      "--gl-iterations <n>",
      "Griffin-Lim iterations (default: the FeatureSpec's)",
      numberOption("--gl-iterations", { integer: true, min: 1 }),
    )
    .option(
      "--gl-momentum <m>",
      "Griffin-Lim momentum (default: the FeatureSpec's)",
      numberOption("--gl-momentum", { min: 0 }),
    )
    .option(
      "--ensemble <runs>",
      "also convert with these runs' generators (the same recipe and split, another seed; comma-separated), the outputs averaged",
    )
    .option("--json", "print the written files as JSON")
    .action((inputs: string[], flags: ConvertFlags) => convertCommand(inputs, flags));
}

/** The generator folder of a run's checkpoint `step` (default: the newest), and that step. */
export async function checkpointDir(run: string, step?: number): Promise<{ dir: string; step: number }> {
  const { listCheckpoints, runPaths } = await import("@vox/train/run");
  const steps = await listCheckpoints(run);
  if (steps.length === 0) throw new CliError(run, "a vox run with a checkpoint", "none");
  const chosen = step === undefined ? steps[steps.length - 1] : steps.find((s) => s === step);
  if (chosen === undefined) throw new CliError("--step", `one of ${steps.join(", ")}`, String(step));
  return { dir: runPaths(run).network(chosen, "generator"), step: chosen };
}

/**
 * Each speaker's statistics for guessing the source: the run's (its training utterances), or for a run made
 * before they were saved, the feature cache's per-speaker row statistics.
 */
export async function speakerStatistics(
  record: RunRecord,
  conversion: RunConversion,
): Promise<Record<string, SpeakerFeatureStatistics>> {
  if (conversion.statistics) return conversion.statistics.speakers;
  const { readCacheIndex } = await import("@vox/datasets");
  const index = await readCacheIndex(record.data).catch(() => undefined);
  const out: Record<string, SpeakerFeatureStatistics> = {};
  for (const [id, stats] of Object.entries(index?.speakerStatistics ?? {})) {
    out[id] = {
      utterances: stats.utterances,
      rows: { frames: stats.frames, mean: stats.mean, std: stats.std },
      logF0: null,
    };
  }
  return out;
}

/**
 * Converts WAV/FLAC files of any length, format and rate: resampled to the model's rate, loudness-normalised as
 * training data was, the whole utterance through the fully convolutional generator in one pass (padded with the
 * silence value to the time factor, cut back), Griffin-Lim, written at the model's rate.
 */
export async function convertCommand(inputs: string[], flags: ConvertFlags): Promise<void> {
  const [
    { readConditionedAudio, SpeakerMap },
    { writeWavFile },
    { averagedGenerator, convertRecording },
    modelFiles,
    run,
  ] = await Promise.all([
    import("@vox/datasets"),
    import("@vox/dsp/node"),
    import("@vox/models"),
    import("@vox/models/node"),
    import("@vox/train/run"),
  ]);
  const { initBackend, loadModel } = modelFiles;
  const { openRunConversion, readEnsembleMember, readRunRecord } = run;
  const { glIterations: nIter, glMomentum: momentum } = flags;
  const files = await audioInputs(inputs);
  const ensemble = await ensembleFolders(flags.ensemble);
  const outDir = await writableFolder(flags.out);
  await initBackend(undefined, () => {});
  const { model, metadata } = await loadModel((await checkpointDir(flags.run, flags.step)).dir).catch(
    (error: unknown) => {
      if (error instanceof CliError) throw error;
      throw new CliError(flags.run, "a vox run folder", (error as Error).message);
    },
  );
  const spec = metadata.featureSpec;
  const speakers = SpeakerMap.fromJSON(metadata.speakers, `${flags.run} speakers`);
  const target = speakers.index(flags.to);
  const record = await readRunRecord(flags.run).catch((error: unknown) => {
    throw new CliError(flags.run, "a vox run folder", (error as Error).message);
  });
  const conversion = await openRunConversion(flags.run, { ...record, featureSpec: spec, speakers: metadata.speakers });
  const known = await speakerStatistics(record, conversion);
  // Each member of an ensemble is the same recipe on the same split (checked), at its newest checkpoint.
  const members = [];
  try {
    for (const member of ensemble) {
      await readEnsembleMember(record, member).catch((error: unknown) => {
        throw new CliError("--ensemble", `runs like ${flags.run}`, (error as Error).message);
      });
      members.push((await loadModel((await checkpointDir(member)).dir)).model);
    }
  } catch (error) {
    for (const m of [model, ...members]) m.dispose();
    throw error;
  }
  const generator = members.length === 0 ? model : averagedGenerator([model, ...members]);
  if (flags.from !== undefined) speakers.index(flags.from);
  const names = uniqueStems(files);
  const results = [];
  for (const [i, file] of files.entries()) {
    const signal = await readConditionedAudio(file, spec.sampleRate);
    // A named run speaker brings its statistics; a guessed voice (maybe from outside the corpus) uses its own.
    const from =
      flags.from !== undefined
        ? { speaker: flags.from, label: speakers.index(flags.from), statistics: conversion.speaker(flags.from) }
        : null;
    const { samples, source: fromName } = await convertRecording(
      generator,
      metadata.config.generator,
      conversion.map,
      signal,
      {
        from,
        speakers: speakers.speakers,
        known,
        target: { label: target, statistics: conversion.speaker(flags.to) },
      },
      { nIter, momentum },
    );
    const path = join(outDir, `${names[i]}__to__${flags.to}.wav`);
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
  for (const m of [model, ...members]) m.dispose();
  output(flags.json === true, results, results.map((r) => r.output).join("\n"));
}
