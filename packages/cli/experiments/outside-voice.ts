/**
 * A voice from outside the corpus (Debian's pocketsphinx-testdata reader, 5 sentences) converted to every voice of
 * a run under three treatments of its statistics, scored by pocketsphinx WER (overall and per target):
 * - per-recording: each recording's own statistics, as `vox eval --recordings` does;
 * - pooled: the statistics of all five recordings (one voice);
 * - pooled+adapted: the mel-cepstral rows first moved by the mean/variance shift from the pooled statistics to
 *   those of the corpus speaker taken as the source condition, so the generator sees rows of a voice it trained on;
 * - per-recording+adapted: the same from each recording's own statistics;
 * - per-recording+uniform: per-recording, with the generator's source condition an even mixture of the run's
 *   speakers instead of the one the recording sounds likeliest to be (source-and-target conditions only);
 * - per-recording+posterior: the mixture weighted by each speaker's posterior for one frame of the recording
 *   (softmax of the log-likelihood under its statistics per loud frame), printed per recording.
 * The shift (no learning) is scored under the first. The run's conversion postfilter is the third argument
 * (default source-energy, the demo recipe's).
 *
 *   npx tsx --conditions vox-source experiments/outside-voice.ts <run> [outDir] [postfilter] [variants, default all]
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readConditionedAudio } from "@vox/datasets";
import {
  type ConversionPostfilter,
  analyze,
  featureStatistics,
  meanVarianceShift,
  speakerLikelihoods,
  synthesize,
  worldFeatureLayout,
  type Spectrogram,
} from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { editDistance, normalizeText, pocketsphinx, readTranscripts, transcribe } from "@vox/eval";
import { convertFeatures, outsideVoice } from "@vox/models";
import { initBackend, loadModel } from "@vox/models/node";
import { listCheckpoints, openRunConversion, readRunRecord, runPaths } from "@vox/train";

const run = process.argv[2] ?? "out/demo/run";
const outDir = process.argv[3] ?? "out/outside-voice";
await mkdir(outDir, { recursive: true });
const folder = "/usr/share/pocketsphinx/test/data/librivox";
const texts = await readTranscripts(join(folder, "transcription"));
await initBackend(undefined, () => {});
const record = await readRunRecord(run);
const step = (await listCheckpoints(run)).at(-1) as number;
const { model: generator, metadata } = await loadModel(join(runPaths(run).checkpoint(step), "generator"));
const conversion = await openRunConversion(run, record, (process.argv[4] ?? "source-energy") as ConversionPostfilter);
const spec = record.featureSpec;
if (!conversion.statistics) throw new Error(`${run}: expected a run with statistics.json (world features)`);
const known = conversion.statistics.speakers;
const files = [...texts.keys()];
const utterances = await Promise.all(
  files.map(async (id) => {
    const s = await readConditionedAudio(join(folder, `${id}.wav`), spec.sampleRate);
    return { id, signal: s, features: analyze(s, spec) };
  }),
);
const pooled = featureStatistics(
  spec,
  utterances.map((u) => u.features),
);
const layout = worldFeatureLayout(spec);
/** Each run speaker's posterior for one loud frame of `f`: softmax over speakers of log-likelihood / frames. */
function framePosterior(f: Spectrogram): Float32Array {
  const { logLikelihood, frames } = speakerLikelihoods(f, spec, known);
  const perFrame = record.speakers.map((s) => (logLikelihood[s] as number) / Math.max(1, frames));
  const top = Math.max(...perFrame);
  const weights = Float32Array.from(perFrame, (v) => Math.exp(v - top));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/** The mcep rows moved from `from` statistics to `to`'s (per-row mean/variance), the rest kept. */
function adapt(f: Spectrogram, from: typeof pooled, to: typeof pooled): Spectrogram {
  const shifted = meanVarianceShift(f, spec, from, to);
  const data = f.data.slice();
  const a = layout.mcep * f.frames,
    b = (layout.mcep + layout.mcepRows) * f.frames;
  data.set(shifted.data.subarray(a, b), a);
  return { ...f, data };
}
const variants = [
  "per-recording",
  "pooled",
  "pooled+adapted",
  "per-recording+adapted",
  "per-recording+uniform",
  "per-recording+posterior",
] as const;
const only = process.argv[5]?.split(",");
const uniform = new Float32Array(record.speakers.length).fill(1 / record.speakers.length);
const score = new Map<string, [number, number]>();
const jobs: Promise<void>[] = [];
for (const u of utterances) {
  const ref = normalizeText(texts.get(u.id) as string)
    .split(" ")
    .filter(Boolean);
  // What depends on the recording alone, once per recording.
  const recording = featureStatistics(spec, [u.features]);
  const voice = outsideVoice(u.features, spec, record.speakers, known);
  const cond = known[voice.speaker] as typeof pooled;
  for (const variant of variants) {
    if (only && !only.includes(variant)) continue;
    const own = variant.startsWith("per-recording") ? recording : pooled;
    const adapted = variant.endsWith("+adapted");
    const posterior = variant.endsWith("+posterior") ? framePosterior(u.features) : null;
    if (posterior) {
      console.log(u.id, record.speakers.map((s, i) => `${s} ${(posterior[i] as number).toFixed(3)}`).join(", "));
    }
    for (const target of record.speakers) {
      const input = adapted ? adapt(u.features, own, cond) : u.features;
      // Adapted rows take the condition speaker's row statistics; ln F0 keeps the recording's own transform.
      const stats = adapted ? { ...cond, logF0: own.logF0 } : own;
      const out = convertFeatures(
        generator,
        metadata.config.generator,
        conversion.map,
        input,
        {
          label: voice.label,
          statistics: stats,
          ...(variant.endsWith("+uniform") ? { labelWeights: uniform } : {}),
          ...(posterior ? { labelWeights: posterior } : {}),
        },
        { label: record.speakers.indexOf(target), statistics: conversion.speaker(target) },
      );
      const wav = `${outDir}/${u.id}.${variant}.${target}.wav`;
      await writeWavFile(wav, synthesize(out, spec, { length: u.signal.length }), spec.sampleRate);
      const shift =
        variant !== "per-recording"
          ? null
          : meanVarianceShift(u.features, spec, own, conversion.speaker(target) as typeof pooled);
      const shiftWav = `${outDir}/${u.id}.${variant}-shift.${target}.wav`;
      if (shift) await writeWavFile(shiftWav, synthesize(shift, spec, { length: u.signal.length }), spec.sampleRate);
      for (const [key, path] of [[`${variant} converted`, wav], ...(shift ? [[`${variant} shift`, shiftWav]] : [])] as [
        string,
        string,
      ][]) {
        jobs.push(
          transcribe(pocketsphinx, path).then((h) => {
            const e = editDistance(ref, normalizeText(h).split(" ").filter(Boolean));
            for (const k of [key, `${key} ${target}`]) {
              const s = score.get(k) ?? [0, 0];
              s[0] += e;
              s[1] += ref.length;
              score.set(k, s);
            }
          }),
        );
        if (jobs.length >= 2) await jobs.shift();
      }
    }
  }
}
await Promise.all(jobs);
for (const [k, [e, n]] of [...score].sort()) console.log(k.padEnd(40), (e / n).toFixed(3));
