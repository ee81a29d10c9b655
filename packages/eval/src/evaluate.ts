import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type CachedUtterance, FeatureStore, readAudioFile, readCacheIndex, sentenceKey } from "@vox/datasets";
import { type FeatureSpec, resample, synthesize } from "@vox/dsp";
import { writeFileAtomic, writeWavFile } from "@vox/dsp/node";
import { convertUtterance, initBackend, loadModel } from "@vox/models";
import { type AsrCommand, findAsr, transcribe } from "./asr.js";
import { melCepstra } from "./cepstrum.js";
import { mcdDtw } from "./mcd.js";
import { SpeakerClassifier, utteranceEmbedding } from "./speaker-classifier.js";
import { cer, wer } from "./wer.js";

/** The systems scored side by side: the conversion and its baselines. */
export const systems = ["converted", "source", "resynthesis", "target"] as const;
export type SystemName = (typeof systems)[number];

export interface PairScore {
  system: SystemName;
  source: string;
  target: string;
  utterance: string;
  /** MCD-DTW against the target speaker's real utterance of the same sentence (null: no parallel utterance, or the target itself). */
  mcd: number | null;
  /** Speaker the independent classifier hears. */
  predicted: string;
  transcript: string | null;
  hypothesis: string | null;
  wer: number | null;
  cer: number | null;
  wav: string;
}

export interface SystemSummary {
  system: SystemName;
  items: number;
  mcd: number | null;
  /** Fraction classified as the intended target (for `source`: the target of the pair it stands in for). */
  targetAccuracy: number;
  /** Fraction classified as the source speaker. */
  sourceAccuracy: number;
  wer: number | null;
  cer: number | null;
}

export interface EvalReport {
  run: string;
  step: number;
  createdAt: string;
  asr: string | null;
  classifier: { trainUtterances: number; speakers: string[] };
  summary: SystemSummary[];
  /** Converted only, per "source -> target" speaker pair. */
  pairs: Record<string, SystemSummary>;
  items: PairScore[];
}

export interface EvaluateOptions {
  /** Checkpoint to score; default the newest. */
  step?: number;
  /** "auto" (default): pocketsphinx when installed; null: no ASR. */
  asr?: AsrCommand | null | "auto";
  /** Validation utterances to convert (default 20) and target speakers per utterance (default 4). */
  maxUtterances?: number;
  maxTargets?: number;
  griffinLimIterations?: number;
  log?: (line: string) => void;
}

interface RunConfig {
  data: string;
  featureSpec: FeatureSpec;
  speakers: string[];
  validation: string[];
  config: { seed: number; validationFraction: number; cropFrames: number };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function summarise(system: SystemName, items: PairScore[]): SystemSummary {
  const numbers = (pick: (item: PairScore) => number | null) => items.map(pick).filter((v): v is number => v !== null);
  return {
    system,
    items: items.length,
    mcd: mean(numbers((i) => i.mcd)),
    targetAccuracy: items.filter((i) => i.predicted === i.target).length / Math.max(1, items.length),
    sourceAccuracy: items.filter((i) => i.predicted === i.source).length / Math.max(1, items.length),
    wer: mean(numbers((i) => i.wer)),
    cer: mean(numbers((i) => i.cer)),
  };
}

async function newestCheckpoint(runDir: string): Promise<number> {
  const steps = (await readdir(join(runDir, "checkpoints")).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  const last = steps[steps.length - 1];
  if (last === undefined)
    throw new Error(`${join(runDir, "checkpoints")}: expected at least one checkpoint, found none (train first)`);
  return last;
}

function safe(text: string): string {
  return text.replace(/[^\w.-]+/g, "_");
}

/**
 * Scores a run's newest (or given) checkpoint on its held-out sentences: each validation utterance converted to
 * other speakers, with three baselines in the same table — the source unchanged, the source analysed and
 * resynthesised with the run's FeatureSpec and Griffin-Lim (the vocoder's ceiling), and the target's real
 * utterance. MCD-DTW against the target's parallel utterance, an independent speaker classifier trained on the
 * training utterances, and WER/CER from an ASR when one is available. Writes `eval/<step>.json` and the WAVs
 * it scored under `eval/<step>/`.
 */
export async function evaluateRun(runDir: string, options: EvaluateOptions = {}): Promise<EvalReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const root = resolve(runDir);
  let record: RunConfig;
  try {
    record = JSON.parse(await readFile(join(root, "config.json"), "utf8")) as RunConfig;
  } catch (error) {
    throw new Error(
      `${join(root, "config.json")}: expected a vox run's config.json, found ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const step = options.step ?? (await newestCheckpoint(root));
  await initBackend(undefined, () => {});
  const { model: generator, metadata } = await loadModel(
    join(root, "checkpoints", String(step).padStart(8, "0"), "generator"),
  );
  const index = await readCacheIndex(record.data);
  if (!index) throw new Error(`${record.data}: expected the run's feature cache, found none`);
  const store = await FeatureStore.open(record.data, {
    cropFrames: record.config.cropFrames,
    validationFraction: record.config.validationFraction,
    seed: record.config.seed,
    minSpeakerFrames: 1,
  });
  const spec = record.featureSpec;
  const asr = options.asr === undefined || options.asr === "auto" ? await findAsr() : options.asr;
  const outDir = join(root, "eval", String(step).padStart(8, "0"));
  const nIter = options.griffinLimIterations ?? spec.griffinLim.nIter;

  // The classifier learns the speakers from the real training utterances (never from converted speech).
  const held = new Set(record.validation);
  const trainEntries = index.utterances.filter((u) => !held.has(`${u.speaker}/${u.id}`));
  const examples = [];
  for (const entry of trainEntries) {
    const audio = await readAudioFile(entry.source);
    examples.push({
      embedding: utteranceEmbedding(melCepstra(audio.samples, audio.sampleRate)),
      speaker: entry.speaker,
    });
  }
  const classifier = new SpeakerClassifier(record.speakers).fit(examples);
  log(
    `eval: classifier trained on ${examples.length} utterances of ${record.speakers.length} speakers; ASR: ${asr ? asr.name : "none"}`,
  );

  const bySentence = new Map<string, CachedUtterance>();
  for (const u of index.utterances) bySentence.set(`${u.speaker}|${sentenceKey(u)}`, u);
  // Round robin over speakers, so a cap keeps every speaker as a source.
  const heldOut = index.utterances.filter((u) => held.has(`${u.speaker}/${u.id}`));
  // Speaker i starts at its i-th held-out sentence: in a parallel corpus the sources then say different sentences.
  const perSpeaker = record.speakers.map((speaker, i) => {
    const list = heldOut.filter((u) => u.speaker === speaker);
    return [...list.slice(i % Math.max(1, list.length)), ...list.slice(0, i % Math.max(1, list.length))];
  });
  const roundRobin: CachedUtterance[] = [];
  for (let k = 0; roundRobin.length < heldOut.length; k++) {
    for (const list of perSpeaker) if (list[k]) roundRobin.push(list[k] as CachedUtterance);
  }
  const validation = roundRobin.slice(0, options.maxUtterances ?? 20);
  const realCache = new Map<string, Float32Array>();
  const real = async (entry: CachedUtterance): Promise<Float32Array> => {
    let samples = realCache.get(entry.source);
    if (!samples) {
      const audio = await readAudioFile(entry.source);
      samples =
        audio.sampleRate === spec.sampleRate
          ? audio.samples
          : resample(audio.samples, audio.sampleRate, spec.sampleRate);
      realCache.set(entry.source, samples);
    }
    return samples;
  };
  const items: PairScore[] = [];
  // A source or resynthesis WAV stands in for several pairs: write and analyse each file once (ASR later, once too).
  const analysed = new Map<string, ReturnType<typeof melCepstra>>();
  const score = async (
    system: SystemName,
    source: CachedUtterance,
    target: string,
    samples: Float32Array,
    name: string,
  ) => {
    const wav = join(outDir, `${name}.wav`);
    let cepstra = analysed.get(wav);
    if (!cepstra) {
      await writeWavFile(wav, samples, spec.sampleRate);
      cepstra = melCepstra(samples, spec.sampleRate);
      analysed.set(wav, cepstra);
    }
    const reference = bySentence.get(`${target}|${sentenceKey(source)}`);
    const mcd =
      reference && system !== "target" ? mcdDtw(cepstra, melCepstra(await real(reference), spec.sampleRate)).mcd : null;
    items.push({
      system,
      source: source.speaker,
      target,
      utterance: `${source.speaker}/${source.id}`,
      mcd,
      predicted: classifier.predict(utteranceEmbedding(cepstra)),
      transcript: source.transcript ?? null,
      hypothesis: null,
      wer: null,
      cer: null,
      wav: wav.slice(root.length + 1),
    });
  };
  for (const utterance of validation) {
    const features = store.readUtterance(utterance);
    const sourceLabel = store.speakerMap.index(utterance.speaker);
    const base = safe(`${utterance.speaker}_${utterance.id}`);
    const original = await real(utterance);
    const resynthesised = synthesize(features, spec, { nIter });
    const targets = record.speakers.filter((s) => s !== utterance.speaker).slice(0, options.maxTargets ?? 4);
    for (const target of targets) {
      const converted = convertUtterance(
        generator,
        metadata.config.generator,
        features,
        sourceLabel,
        store.speakerMap.index(target),
        store.silenceFrame,
      );
      await score(
        "converted",
        utterance,
        target,
        synthesize(converted, spec, { nIter }),
        `${base}__to__${safe(target)}`,
      );
      await score("source", utterance, target, original, `${base}__source`);
      await score("resynthesis", utterance, target, resynthesised, `${base}__resynthesis`);
      const parallel = bySentence.get(`${target}|${sentenceKey(utterance)}`);
      if (parallel)
        await score("target", parallel, target, await real(parallel), `${safe(`${target}_${parallel.id}`)}__target`);
    }
    log(`eval: ${utterance.speaker}/${utterance.id} -> ${targets.length} targets`);
  }
  generator.dispose();
  if (asr) {
    // Each WAV once, two ASR processes at a time (the generator is done: both cores are free).
    const wavs = [...analysed.keys()];
    const hypotheses = new Map<string, string>();
    let next = 0;
    const worker = async () => {
      while (next < wavs.length) {
        const wav = wavs[next++] as string;
        hypotheses.set(wav, await transcribe(asr, wav));
      }
    };
    await Promise.all([worker(), worker()]);
    for (const item of items) {
      item.hypothesis = hypotheses.get(join(root, item.wav)) ?? null;
      if (item.transcript !== null && item.hypothesis !== null) {
        item.wer = wer(item.transcript, item.hypothesis);
        item.cer = cer(item.transcript, item.hypothesis);
      }
    }
    log(`eval: ${wavs.length} WAVs transcribed by ${asr.name}`);
  }
  const pairs: Record<string, SystemSummary> = {};
  const converted = items.filter((i) => i.system === "converted");
  for (const key of new Set(converted.map((i) => `${i.source} -> ${i.target}`))) {
    pairs[key] = summarise(
      "converted",
      converted.filter((i) => `${i.source} -> ${i.target}` === key),
    );
  }
  const report: EvalReport = {
    run: root,
    step,
    createdAt: new Date().toISOString(),
    asr: asr?.name ?? null,
    classifier: { trainUtterances: examples.length, speakers: record.speakers },
    summary: systems.map((system) =>
      summarise(
        system,
        items.filter((i) => i.system === system),
      ),
    ),
    pairs,
    items,
  };
  await writeFileAtomic(
    join(root, "eval", `${String(step).padStart(8, "0")}.json`),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  return report;
}

/** The summary as a fixed-width table for a terminal. */
export function formatEvalTable(report: EvalReport): string {
  const cell = (v: number | null, digits = 2) => (v === null ? "-" : v.toFixed(digits));
  const rows = [
    ["system", "items", "MCD dB", "→target", "→source", "WER", "CER"],
    ...report.summary.map((s) => [
      s.system,
      String(s.items),
      cell(s.mcd),
      cell(s.targetAccuracy),
      cell(s.sourceAccuracy),
      cell(s.wer),
      cell(s.cer),
    ]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join("  "),
  );
  return [
    `step ${report.step}, ASR: ${report.asr ?? "none (install pocketsphinx or give --asr-command)"}`,
    ...lines,
  ].join("\n");
}
