import { ScoringError } from "./errors.js";
import { forEachConcurrently } from "@vox/datasets";
import { basename, join, resolve } from "node:path";
import {
  audioStem,
  type CachedUtterance,
  FeatureStore,
  listAudioRecursive,
  readAudioFile,
  readConditionedAudio,
  readCacheIndex,
  DatasetError,
  sentenceKey,
} from "@vox/datasets";
import {
  analyze,
  assertSameFeatureSpec,
  type ConversionPostfilter,
  type FeatureSpec,
  meanVarianceShift,
  resample,
  type SpeakerFeatureStatistics,
  type Spectrogram,
  synthesize,
} from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import {
  averagedGenerator,
  type ConversionGenerator,
  convertFeatures,
  type GeneratorConfig,
  outsideVoice,
  type tf,
} from "@vox/models";
import { initBackend, loadModel } from "@vox/models/node";
import {
  listCheckpoints,
  openRunConversion,
  openRunFeatures,
  type RunConversion,
  type RunRecord,
  readEnsembleMember,
  readRunRecord,
  runPaths,
  trainingStatistics,
  writeEvalReport,
} from "@vox/train";
import { type AsrCommand, findAsr, transcribe } from "./asr.js";
import { type Cepstra, melCepstra } from "./cepstrum.js";
import { mcdDtw } from "./mcd.js";
import { SpeakerClassifier, speakerFrames } from "./speaker-classifier.js";
import { readTranscripts } from "./transcripts.js";
import { cer, wer } from "./wer.js";
import { worldMelCepstra } from "./world-cepstrum.js";

/**
 * The systems scored side by side: the conversion and its baselines. "mean/variance shift" learns nothing: each
 * feature row moved from the source speaker's mean and spread to the target's (world: ln F0 by the same Gaussian
 * transform, aperiodicity copied), with the run's statistics and vocoder.
 */
export const systems = ["converted", "mean/variance shift", "source", "resynthesis", "target"] as const;
export type SystemName = (typeof systems)[number];

export interface PairScore {
  system: SystemName;
  source: string;
  target: string;
  utterance: string;
  /** MCD-DTW against the target speaker's real utterance of the same sentence (null: no parallel utterance, or the target itself). */
  mcd: number | null;
  /** The same on the StarGAN-VC papers' mel-cepstrum (world analysis, order 24, alpha 0.42, c0 excluded). */
  mcdWorld: number | null;
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
  mcdWorld: number | null;
  /** Fraction classified as the intended target (for `source`: the target of the pair it stands in for). */
  targetAccuracy: number;
  /** Fraction classified as the source speaker. */
  sourceAccuracy: number;
  wer: number | null;
  cer: number | null;
}

/** Recordings from outside the corpus (their own voice; `source` in items is the recording's file stem). */
export interface OutsideReport {
  folder: string;
  recordings: number;
  summary: SystemSummary[];
  /**
   * Per target voice, the converted recordings and their mean/variance shift: which voices a recording reaches
   * and which lose its words (a voice the ASR reads poorly in the corpus itself loses them converted too).
   */
  voices: Record<string, { converted: SystemSummary; shift: SystemSummary }>;
  items: PairScore[];
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
  outside: OutsideReport | null;
  /** The other runs whose generators were averaged with this run's (EvaluateOptions.ensemble); absent: none. */
  ensemble?: string[];
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
  /**
   * Recordings from outside the corpus (a folder of WAV/FLAC files and a transcript file, see readTranscripts),
   * each converted to every run speaker and scored by the same classifier and ASR.
   */
  recordings?: { folder: string; transcripts: string };
  /** Score with this conversion postfilter instead of the run's (to measure one). */
  postfilter?: ConversionPostfilter;
  /**
   * A feature cache of held-out sentences to convert instead of the run's validation split: a corpus' published
   * evaluation split (`vox prepare --split evaluation`), made with the run's FeatureSpec. Its utterances of the
   * run's speakers are converted; its parallel sentences are the references.
   */
  heldOut?: string;
  /**
   * Other runs of the same recipe on the same split (`splitSeed`), whose newest generators convert beside this
   * run's, the converted rows averaged (averagedGenerator): an ensemble scored as one system.
   */
  ensemble?: string[];
  log?: (line: string) => void;
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
    mcdWorld: mean(numbers((i) => i.mcdWorld)),
    targetAccuracy: items.filter((i) => i.predicted === i.target).length / Math.max(1, items.length),
    sourceAccuracy: items.filter((i) => i.predicted === i.source).length / Math.max(1, items.length),
    wer: mean(numbers((i) => i.wer)),
    cer: mean(numbers((i) => i.cer)),
  };
}

function summariseAll(items: PairScore[]): SystemSummary[] {
  return systems
    .map((system) =>
      summarise(
        system,
        items.filter((i) => i.system === system),
      ),
    )
    .filter((s) => s.items > 0);
}

/** The converted items and the shift's, per target voice. */
function summariseVoices(items: PairScore[]): OutsideReport["voices"] {
  const voices: OutsideReport["voices"] = {};
  for (const target of new Set(items.filter((i) => i.system === "converted").map((i) => i.target))) {
    const to = items.filter((i) => i.target === target);
    voices[target] = {
      converted: summarise(
        "converted",
        to.filter((i) => i.system === "converted"),
      ),
      shift: summarise(
        "mean/variance shift",
        to.filter((i) => i.system === "mean/variance shift"),
      ),
    };
  }
  return voices;
}

function safe(text: string): string {
  return text.replace(/[^\w.-]+/g, "_");
}

/**
 * The two analyses MCD is computed on, of one signal. The world one is made on first use: only items with a
 * parallel reference need it (the target's own clip and outside recordings have none).
 */
interface Analysed {
  cepstra: Cepstra;
  world(): Cepstra;
}

/**
 * Writes each scored WAV once, analyses it once (each mel-cepstrum at most once), classifies it and records the item; the ASR
 * pass runs over the written WAVs at the end.
 */
class Scorer {
  readonly items: PairScore[] = [];
  private readonly analysed = new Map<string, Analysed>();

  constructor(
    private readonly root: string,
    private readonly outDir: string,
    private readonly sampleRate: number,
    private readonly classifier: SpeakerClassifier,
  ) {}

  analysis(samples: Float32Array): Analysed {
    let world: Cepstra | undefined;
    return {
      cepstra: melCepstra(samples, this.sampleRate),
      world: () => {
        world ??= worldMelCepstra(samples, this.sampleRate);
        return world;
      },
    };
  }

  async score(
    item: { system: SystemName; source: string; target: string; utterance: string; transcript: string | null },
    samples: Float32Array,
    name: string,
    reference: Analysed | null,
  ): Promise<void> {
    const wav = join(this.outDir, `${name}.wav`);
    let analysed = this.analysed.get(wav);
    if (!analysed) {
      await writeWavFile(wav, samples, this.sampleRate);
      analysed = this.analysis(samples);
      this.analysed.set(wav, analysed);
    }
    this.items.push({
      ...item,
      mcd: reference ? mcdDtw(analysed.cepstra, reference.cepstra).mcd : null,
      mcdWorld: reference ? mcdDtw(analysed.world(), reference.world()).mcd : null,
      predicted: this.classifier.predict(speakerFrames(analysed.cepstra)),
      hypothesis: null,
      wer: null,
      cer: null,
      wav: wav.slice(this.root.length + 1),
    });
  }

  /** Transcribes each written WAV once, two ASR processes at a time, and fills in WER and CER. */
  async transcribeAll(asr: AsrCommand): Promise<number> {
    const wavs = [...this.analysed.keys()];
    const hypotheses = new Map<string, string>();
    await forEachConcurrently(wavs, 2, async (wav) => {
      hypotheses.set(wav, await transcribe(asr, wav));
    });
    for (const item of this.items) {
      item.hypothesis = hypotheses.get(join(this.root, item.wav)) ?? null;
      if (item.transcript !== null && item.hypothesis !== null) {
        item.wer = wer(item.transcript, item.hypothesis);
        item.cer = cer(item.transcript, item.hypothesis);
      }
    }
    return wavs.length;
  }
}

/** Held-out utterances in round-robin over speakers, speaker i starting at its i-th sentence, capped at `max`. */
function heldOutPlan(heldOut: CachedUtterance[], speakers: readonly string[], max: number): CachedUtterance[] {
  // In a parallel corpus the sources then say different sentences, and a cap keeps every speaker as a source.
  const perSpeaker = speakers.map((speaker, i) => {
    const list = heldOut.filter((u) => u.speaker === speaker);
    const start = i % Math.max(1, list.length);
    return [...list.slice(start), ...list.slice(0, start)];
  });
  const plan: CachedUtterance[] = [];
  for (let k = 0; plan.length < heldOut.length; k++) {
    for (const list of perSpeaker) if (list[k]) plan.push(list[k] as CachedUtterance);
  }
  return plan.slice(0, max);
}

/** Reads audio at `sampleRate` (cached by path). */
class AudioReader {
  private readonly cache = new Map<string, Float32Array>();
  constructor(private readonly sampleRate: number) {}
  async read(path: string): Promise<Float32Array> {
    let samples = this.cache.get(path);
    if (!samples) {
      const audio = await readAudioFile(path);
      samples =
        audio.sampleRate === this.sampleRate
          ? audio.samples
          : resample(audio.samples, audio.sampleRate, this.sampleRate);
      this.cache.set(path, samples);
    }
    return samples;
  }
}

/** What every conversion in one evaluation shares. */
interface Converter {
  generator: ConversionGenerator;
  config: GeneratorConfig;
  conversion: RunConversion;
  /** Statistics for the mean/variance baseline (the run's, or computed from its training utterances). */
  baseline: Record<string, SpeakerFeatureStatistics>;
  speakers: readonly string[];
  spec: FeatureSpec;
  nIter: number;
}

function convertTo(
  c: Converter,
  features: Spectrogram,
  source: { label: number; statistics: SpeakerFeatureStatistics | null },
  target: string,
): Spectrogram {
  return convertFeatures(c.generator, c.config, c.conversion.map, features, source, {
    label: c.speakers.indexOf(target),
    statistics: c.conversion.speaker(target),
  });
}

/** The classifier learns the speakers from the real training utterances (never from converted speech). */
async function trainClassifier(
  record: RunRecord,
  trainEntries: CachedUtterance[],
): Promise<{ classifier: SpeakerClassifier; count: number }> {
  const examples = [];
  for (const entry of trainEntries) {
    const audio = await readAudioFile(entry.source);
    examples.push({
      frames: speakerFrames(melCepstra(audio.samples, audio.sampleRate)),
      speaker: entry.speaker,
    });
  }
  return { classifier: new SpeakerClassifier(record.speakers).fit(examples), count: examples.length };
}

/**
 * Scores a run's newest (or given) checkpoint on its held-out sentences: each validation utterance converted to
 * other speakers, beside four baselines — the mean/variance shift (no learning), the source unchanged, the source
 * analysed and resynthesised with the run's FeatureSpec (the vocoder's ceiling), and the target's real utterance.
 * MCD-DTW against the target's parallel utterance (on vox's 40-band mel-cepstrum and on the papers' world
 * mel-cepstrum), an independent speaker classifier trained on the training utterances, and WER/CER from an ASR
 * when one is available. With `recordings`, voices from outside the corpus are converted and scored too. Writes
 * `eval/<step>.json` and the WAVs it scored under `eval/<step>/`.
 */
export async function evaluateRun(runDir: string, options: EvaluateOptions = {}): Promise<EvalReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = await planEvaluation(runDir, options, log);
  const scorer = await scoreHeldOut(plan, options, log);
  const outside = plan.recordings
    ? await scoreRecordings(
        plan.converter,
        plan.recordings,
        join(plan.outDir, "outside"),
        plan.root,
        plan.classifier,
        log,
      )
    : null;
  for (const generator of plan.generators) generator.dispose();
  if (plan.asr) {
    const transcribed =
      (await scorer.transcribeAll(plan.asr)) + (outside ? await outside.scorer.transcribeAll(plan.asr) : 0);
    log(`eval: ${transcribed} WAVs transcribed by ${plan.asr.name}`);
  }
  const report = buildReport(plan, scorer, outside);
  await writeEvalReport(plan.root, plan.step, report);
  return report;
}

/** What one evaluation reads before it converts anything: the run, its checkpoint, data, classifier and ASR. */
interface EvaluationPlan {
  root: string;
  step: number;
  record: RunRecord;
  converter: Converter;
  classifier: SpeakerClassifier;
  classifierUtterances: number;
  asr: AsrCommand | null;
  outDir: string;
  recordings: Recordings | null;
  /** The cache the held-out sentences are read from. */
  heldOutStore: FeatureStore;
  /** The held-out cache's sentences (the parallel references). */
  sentences: CachedUtterance[];
  /** The sentences to convert. */
  heldOut: CachedUtterance[];
  /** Every generator loaded (this run's, then the ensemble's), disposed when the evaluation ends. */
  generators: tf.LayersModel[];
  /** The ensemble's other runs (folders), in order; empty: this run's generator alone. */
  ensemble: string[];
}

async function planEvaluation(
  runDir: string,
  options: EvaluateOptions,
  log: (line: string) => void,
): Promise<EvaluationPlan> {
  const paths = runPaths(runDir);
  const root = paths.root;
  const recordings = options.recordings ? await readRecordings(options.recordings) : null;
  const record = await readRunRecord(root);
  const steps = await listCheckpoints(root);
  const step = options.step ?? steps[steps.length - 1];
  if (step === undefined || !steps.includes(step)) {
    throw new ScoringError(
      paths.checkpoints,
      `${options.step === undefined ? "at least one checkpoint" : `a checkpoint of step ${options.step}`}`,
      steps.length === 0 ? "none (train first)" : steps.join(", "),
    );
  }
  await initBackend(undefined, () => {});
  const { model: own, metadata } = await loadModel(paths.network(step, "generator"));
  const members = await loadEnsemble(options.ensemble ?? [], record);
  const generators = [own, ...members.map((m) => m.generator)];
  const generator = members.length === 0 ? own : averagedGenerator(generators);
  const { store, utterances, heldOut: validation, training } = await openRunFeatures(record);
  const spec = record.featureSpec;
  const conversion = await openRunConversion(root, record, options.postfilter);
  const converter: Converter = {
    generator,
    config: metadata.config.generator,
    conversion,
    baseline: (conversion.statistics ?? trainingStatistics(store, "none")).speakers,
    speakers: record.speakers,
    spec,
    nIter: options.griffinLimIterations ?? spec.griffinLim.nIter,
  };
  const asr = options.asr === undefined || options.asr === "auto" ? await findAsr() : options.asr;
  // The sentences to convert, the cache they are read from, and the cache's sentences (the parallel references):
  // the run's validation split of its own cache, or another cache's (options.heldOut) whole.
  const evaluation = options.heldOut ? await openHeldOut(options.heldOut, record.featureSpec, record.speakers) : null;
  const sentences = evaluation?.utterances ?? utterances;
  const heldOut = evaluation ? sentences : validation;
  if (heldOut.length === 0) {
    throw new ScoringError(
      paths.config,
      "held-out utterances to convert (validation)",
      `none: the corpus has too few sentences per speaker for validationFraction ${record.config.validationFraction}`,
    );
  }
  const { classifier, count } = await trainClassifier(record, training);
  log(
    `eval: classifier trained on ${count} utterances of ${record.speakers.length} speakers; ASR: ${asr ? asr.name : "none"}`,
  );
  return {
    root,
    step,
    record,
    converter,
    classifier,
    classifierUtterances: count,
    asr,
    outDir: paths.evalFiles(step),
    recordings,
    heldOutStore: evaluation?.store ?? store,
    sentences,
    heldOut,
    generators,
    ensemble: members.map((m) => m.root),
  };
}

/** The newest generators of `runs`, each an ensemble member of `record`'s run (readEnsembleMember). */
async function loadEnsemble(
  runs: readonly string[],
  record: RunRecord,
): Promise<{ root: string; generator: tf.LayersModel }[]> {
  const members: { root: string; generator: tf.LayersModel }[] = [];
  try {
    for (const run of runs) {
      const paths = runPaths(run);
      await readEnsembleMember(record, paths.root);
      const step = (await listCheckpoints(paths.root)).at(-1);
      if (step === undefined)
        throw new ScoringError(paths.checkpoints, "at least one checkpoint", "none (train first)");
      members.push({ root: paths.root, generator: (await loadModel(paths.network(step, "generator"))).model });
    }
  } catch (error) {
    for (const m of members) m.generator.dispose();
    throw error;
  }
  return members;
}

/**
 * Every planned held-out sentence converted to up to `maxTargets` other speakers and scored beside the
 * baselines: the mean/variance shift, the source, its resynthesis and the target's parallel recording.
 */
async function scoreHeldOut(
  plan: EvaluationPlan,
  options: EvaluateOptions,
  log: (line: string) => void,
): Promise<Scorer> {
  const { record, converter } = plan;
  const spec = converter.spec;
  const nIter = converter.nIter;
  const scorer = new Scorer(plan.root, plan.outDir, spec.sampleRate, plan.classifier);
  const audio = new AudioReader(spec.sampleRate);
  const bySentence = new Map<string, CachedUtterance>();
  for (const u of plan.sentences) bySentence.set(`${u.speaker}|${sentenceKey(u)}`, u);
  const references = new Map<string, Analysed>();
  const referenceOf = async (entry: CachedUtterance | undefined): Promise<Analysed | null> => {
    if (!entry) return null;
    let analysed = references.get(entry.source);
    if (!analysed) {
      analysed = scorer.analysis(await audio.read(entry.source));
      references.set(entry.source, analysed);
    }
    return analysed;
  };
  for (const utterance of heldOutPlan(plan.heldOut, record.speakers, options.maxUtterances ?? 20)) {
    const features = plan.heldOutStore.readUtterance(utterance);
    const source = {
      label: record.speakers.indexOf(utterance.speaker),
      statistics: converter.conversion.speaker(utterance.speaker),
    };
    const base = safe(`${utterance.speaker}_${utterance.id}`);
    const resynthesised = synthesize(features, spec, { nIter });
    const targets = record.speakers.filter((s) => s !== utterance.speaker).slice(0, options.maxTargets ?? 4);
    const item = (system: SystemName, target: string) => ({
      system,
      source: utterance.speaker,
      target,
      utterance: `${utterance.speaker}/${utterance.id}`,
      transcript: utterance.transcript ?? null,
    });
    for (const target of targets) {
      const parallel = bySentence.get(`${target}|${sentenceKey(utterance)}`);
      const reference = await referenceOf(parallel);
      const converted = convertTo(converter, features, source, target);
      await scorer.score(
        item("converted", target),
        synthesize(converted, spec, { nIter }),
        `${base}__to__${safe(target)}`,
        reference,
      );
      const shifted = meanVarianceShift(
        features,
        spec,
        converter.baseline[utterance.speaker] as SpeakerFeatureStatistics,
        converter.baseline[target] as SpeakerFeatureStatistics,
      );
      await scorer.score(
        item("mean/variance shift", target),
        synthesize(shifted, spec, { nIter }),
        `${base}__shift__${safe(target)}`,
        reference,
      );
      await scorer.score(item("source", target), await audio.read(utterance.source), `${base}__source`, reference);
      await scorer.score(item("resynthesis", target), resynthesised, `${base}__resynthesis`, reference);
      if (parallel) {
        await scorer.score(
          {
            ...item("target", target),
            utterance: `${target}/${parallel.id}`,
            source: target,
            transcript: parallel.transcript ?? null,
          },
          await audio.read(parallel.source),
          `${safe(`${target}_${parallel.id}`)}__target`,
          null,
        );
      }
    }
    log(`eval: ${utterance.speaker}/${utterance.id} -> ${targets.length} targets`);
  }
  return scorer;
}

/** The report: every system's summary, the converted pairs one by one, and the outside voices' scores. */
function buildReport(
  plan: EvaluationPlan,
  scorer: Scorer,
  outside: Awaited<ReturnType<typeof scoreRecordings>> | null,
): EvalReport {
  const pairs: Record<string, SystemSummary> = {};
  const converted = scorer.items.filter((i) => i.system === "converted");
  for (const key of new Set(converted.map((i) => `${i.source} -> ${i.target}`))) {
    pairs[key] = summarise(
      "converted",
      converted.filter((i) => `${i.source} -> ${i.target}` === key),
    );
  }
  return {
    run: plan.root,
    step: plan.step,
    createdAt: new Date().toISOString(),
    asr: plan.asr?.name ?? null,
    classifier: { trainUtterances: plan.classifierUtterances, speakers: plan.record.speakers },
    summary: summariseAll(scorer.items),
    pairs,
    items: scorer.items,
    ...(plan.ensemble.length > 0 ? { ensemble: plan.ensemble } : {}),
    outside: outside
      ? {
          folder: outside.folder,
          recordings: outside.recordings,
          summary: summariseAll(outside.scorer.items),
          voices: summariseVoices(outside.scorer.items),
          items: outside.scorer.items,
        }
      : null,
  };
}

/**
 * Voices from outside the corpus: each recording (loudness-normalised as training data was) converted to every
 * run speaker. The recording's own statistics stand in for a source speaker's (its F0 transform and scaling);
 * the generator's source condition is the run speaker its features are likeliest under.
 */
async function scoreRecordings(
  c: Converter,
  recordings: Recordings,
  outDir: string,
  root: string,
  classifier: SpeakerClassifier,
  log: (line: string) => void,
): Promise<{ scorer: Scorer; folder: string; recordings: number }> {
  const scorer = new Scorer(root, outDir, c.spec.sampleRate, classifier);
  let count = 0;
  for (const { file, id, transcript } of recordings.files) {
    const signal = await readConditionedAudio(file, c.spec.sampleRate);
    const features = analyze(signal, c.spec);
    const source = outsideVoice(features, c.spec, c.speakers, c.baseline);
    const own = source.statistics;
    const base = safe(id);
    const resynthesised = synthesize(features, c.spec, { nIter: c.nIter });
    for (const target of c.speakers) {
      const item = (system: SystemName) => ({ system, source: id, target, utterance: id, transcript });
      const nIter = c.nIter;
      await scorer.score(
        item("converted"),
        synthesize(convertTo(c, features, source, target), c.spec, { nIter, length: signal.length }),
        `${base}__to__${safe(target)}`,
        null,
      );
      const shifted = meanVarianceShift(features, c.spec, own, c.baseline[target] as SpeakerFeatureStatistics);
      await scorer.score(
        item("mean/variance shift"),
        synthesize(shifted, c.spec, { nIter, length: signal.length }),
        `${base}__shift__${safe(target)}`,
        null,
      );
      await scorer.score(item("source"), signal, `${base}__recording`, null);
      await scorer.score(item("resynthesis"), resynthesised, `${base}__resynthesis`, null);
    }
    count++;
    log(`eval: outside recording ${id} (${source.speaker} as source condition) -> ${c.speakers.length} voices`);
  }
  return { scorer, folder: recordings.folder, recordings: count };
}

/** Recordings from outside the corpus, each with its transcript. */
interface Recordings {
  folder: string;
  files: { file: string; id: string; transcript: string }[];
}

/**
 * The recordings of a folder paired with their transcripts, checked before any work: no audio, or a recording
 * the transcript file does not name, is an error naming the folder or the file.
 */
async function readRecordings(recordings: { folder: string; transcripts: string }): Promise<Recordings> {
  const folder = resolve(recordings.folder);
  const transcripts = await readTranscripts(recordings.transcripts);
  const files = (await listAudioRecursive(folder)).map((file) => {
    const id = audioStem(basename(file));
    const transcript = transcripts.get(id);
    if (transcript === undefined) {
      throw new ScoringError(
        recordings.transcripts,
        `a transcript of ${join(folder, file)} (id ${JSON.stringify(id)})`,
        "none",
      );
    }
    return { file: join(folder, file), id, transcript };
  });
  if (files.length === 0) throw new ScoringError(folder, "WAV or FLAC recordings", "none");
  return { folder, files };
}

function formatSummary(summary: SystemSummary[]): string[] {
  const cell = (v: number | null, digits = 2) => (v === null ? "-" : v.toFixed(digits));
  const rows = [
    ["system", "items", "MCD dB", "MCD24 dB", "→target", "→source", "WER", "CER"],
    ...summary.map((s) => [
      s.system,
      String(s.items),
      cell(s.mcd),
      cell(s.mcdWorld),
      cell(s.targetAccuracy),
      cell(s.sourceAccuracy),
      cell(s.wer),
      cell(s.cer),
    ]),
  ];
  return alignColumns(rows);
}

/** Outside recordings per target voice: converted and shift, →target and WER. */
function formatVoices(voices: OutsideReport["voices"]): string[] {
  const cell = (v: number | null) => (v === null ? "-" : v.toFixed(2));
  const rows = [
    ["per voice", "converted →target", "WER", "shift →target", "WER"],
    ...Object.entries(voices).map(([voice, { converted, shift }]) => [
      voice,
      cell(converted.targetAccuracy),
      cell(converted.wer),
      cell(shift.targetAccuracy),
      cell(shift.wer),
    ]),
  ];
  return alignColumns(rows);
}

/** Rows as fixed-width columns: the first left-aligned, the rest right-aligned. */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join("  "));
}

/**
 * The summary as a fixed-width table for a terminal. MCD is on vox's 40-band mel-cepstrum; MCD24 on the papers'
 * world mel-cepstrum (order 24, c0 excluded, DTW).
 */
export function formatEvalTable(report: EvalReport): string {
  const lines = [
    `step ${report.step}, ASR: ${report.asr ?? "none (install pocketsphinx or give --asr-command)"}`,
    ...formatSummary(report.summary),
  ];
  if (report.outside) {
    lines.push(
      `outside the corpus: ${report.outside.recordings} recordings from ${report.outside.folder}, each to every voice ("source" = the recording)`,
      ...formatSummary(report.outside.summary),
      ...formatVoices(report.outside.voices),
    );
  }
  return lines.join("\n");
}

/**
 * The held-out cache `dir` (e.g. an evaluation split): its store and its utterances of the run's speakers.
 * Refuses a cache of another FeatureSpec, and one with none of the run's speakers.
 */
async function openHeldOut(
  dir: string,
  spec: FeatureSpec,
  speakers: readonly string[],
): Promise<{ store: FeatureStore; utterances: CachedUtterance[] }> {
  const index = await readCacheIndex(dir);
  if (!index)
    throw new DatasetError(dir, "a feature cache of held-out sentences (vox prepare --split evaluation)", "none");
  assertSameFeatureSpec(spec, index.featureSpec, `${dir} (held-out sentences must be analysed like the run's)`);
  const known = new Set(speakers);
  const utterances = index.utterances.filter((u) => known.has(u.speaker));
  if (utterances.length === 0) {
    throw new DatasetError(
      dir,
      `held-out sentences of the run's speakers (${speakers.join(", ")})`,
      `speakers ${index.speakers.join(", ") || "none"}`,
    );
  }
  const store = await FeatureStore.open(dir, { cropFrames: 1, validationFraction: 0, seed: 0, minSpeakerFrames: 1 });
  return { store, utterances };
}
