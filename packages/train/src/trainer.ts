import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { FeatureStore } from "@vox/datasets";
import { assertSameFeatureSpec, Mulberry32, VocalTractWarp } from "@vox/dsp";
import {
  type BackendName,
  buildDiscriminator,
  buildGenerator,
  type ModelConfig,
  tf,
  timeMultiple,
  withSeededRandom,
} from "@vox/models";
import { initBackend } from "@vox/models/node";
import { type CheckpointParts, loadNewestIntactCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { deepMerge, featureStoreOptions, type TrainConfig, validateTrainConfig } from "./config.js";
import { NonFiniteLossError, RunDirectoryError, TrainConfigError, TrainError } from "./errors.js";
import { StarGanObjective } from "./objective.js";
import { Optimizer } from "./optimizers.js";
import type { TrainProgress } from "./progress.js";
import {
  acquireRunLock,
  createRunFolder,
  type MetricsLine,
  readRunRecord,
  openRunConversion,
  type RunConversion,
  type RunLock,
  type RunRecord,
  runConversion,
  runPaths,
  truncateMetrics,
  writeFolderAtomic,
  writeRunRecord,
  writeRunStatistics,
  writeTrainingSummary,
} from "./run-directory.js";
import { resolveNormalization, runModelConfig, trainingStatistics } from "./statistics.js";
import { LeakCheck, MetricsBuffer, Throughput, TrainingClock } from "./loop-bookkeeping.js";
import { writeSamples } from "./samples.js";
import { StarGanUpdater, type TrainBatch } from "./updater.js";

export interface TrainOptions {
  /** Aborting finishes the current step, writes a checkpoint and returns (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress, final?: boolean) => void;
  /** Train at most this many more steps in this call (tests, benchmarks); the run's total is unchanged. */
  maxSteps?: number;
  /** Called before each checkpoint folder is committed (tests use it to simulate a kill mid-checkpoint). */
  beforeCheckpointCommit?: (step: number) => void;
}

export interface TrainResult {
  step: number;
  totalSteps: number;
  /** "done": all steps; "signal": stopped by the signal after a checkpoint; "limit": maxSteps reached. */
  stopped: "done" | "signal" | "limit";
  elapsedSeconds: number;
  lastLosses: Record<string, number>;
}

/** What wrote a run: @vox/train's own version (from its package.json, one level above src/ and dist/) and tfjs's. */
const versions = {
  vox: (createRequire(import.meta.url)("../package.json") as { version: string }).version,
  tfjs: tf.version.tfjs,
};

/**
 * The StarGAN training loop: n_critic discriminator steps (adversarial on real and converted, classification on
 * real, gradient penalty or weight clipping) per generator step (adversarial, classification of the converted,
 * L1 cycle, L1 identity mapping). Checkpoints atomically, resumes exactly, stops cleanly on a signal, refuses
 * NaN, writes metrics.jsonl and samples/, and asserts that no tensor leaks.
 */
export class StarGanTrainer {
  step = 0;
  elapsedSeconds = 0;
  private lastCheckpoint: number | null = null;
  /** The run's train.lock, held from create or resume until dispose. */
  private lock: RunLock | null = null;
  /** Where the trainer's own notes go (the warm-up's): create's or resume's `log`. */
  private log: (line: string) => void = () => {};
  private readonly rng: Mulberry32;
  private readonly generatorVariables: tf.Variable[];
  private readonly discriminatorVariables: tf.Variable[];
  private readonly generatorOptimizer: Optimizer;
  private readonly discriminatorOptimizer: Optimizer;
  /** A batch as read from the cache (every feature row) and as the networks see it (ModelFeatureMap rows). */
  private readonly rawBatch: Float32Array;
  private readonly batchBuffer: Float32Array;
  private readonly updater: StarGanUpdater;
  /** Statistics of each speaker label (for `speaker` normalisation), in label order. */
  private readonly labelStatistics: ReturnType<RunConversion["speaker"]>[];
  /** `warpAugmentation`'s planned warps (null when off). */
  private readonly vocalTractWarp: VocalTractWarp | null;

  private constructor(
    readonly runDir: string,
    readonly record: RunRecord,
    readonly store: FeatureStore,
    readonly conversion: RunConversion,
    readonly generator: tf.LayersModel,
    readonly discriminator: tf.LayersModel,
    readonly backend: BackendName,
  ) {
    this.rng = new Mulberry32(record.config.seed ^ 0x9e3779b9);
    const objective = new StarGanObjective(
      generator,
      discriminator,
      record.config,
      record.model,
      store.speakerMap.size,
    );
    this.generatorVariables = objective.generatorVariables;
    this.discriminatorVariables = objective.discriminatorVariables;
    this.generatorOptimizer = new Optimizer(record.config.generatorOptimizer);
    this.discriminatorOptimizer = new Optimizer(record.config.discriminatorOptimizer);
    this.updater = new StarGanUpdater(objective, this.generatorOptimizer, this.discriminatorOptimizer, backend);
    this.rawBatch = new Float32Array(record.config.batchSize * store.bins * record.config.cropFrames);
    this.batchBuffer = new Float32Array(record.config.batchSize * conversion.map.rows * record.config.cropFrames);
    this.labelStatistics = store.speakerMap.speakers.map((id) => conversion.speaker(id));
    const warp = record.config.warpAugmentation;
    this.vocalTractWarp = warp > 0 ? new VocalTractWarp(store.spec, record.config.cropFrames, warp) : null;
  }

  get config(): TrainConfig {
    return this.record.config;
  }

  get modelConfig(): ModelConfig {
    return this.record.model;
  }

  /** Starts a new run in `runDir` (which must not hold one) on the feature cache `dataDir`. */
  static async create(
    runDir: string,
    dataDir: string,
    config: TrainConfig,
    log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ): Promise<StarGanTrainer> {
    const paths = runPaths(runDir);
    const exists = await access(paths.config).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new RunDirectoryError(
        paths.root,
        "a folder without a run",
        `one (config.json); resume it with \`vox train --resume ${runDir}\` or choose another --run`,
      );
    }
    const valid = validateTrainConfig(config);
    await createRunFolder(runDir);
    return StarGanTrainer.locked(runDir, log, () => StarGanTrainer.createLocked(runDir, dataDir, valid, log));
  }

  /** `build` under the run's lock, which the trainer holds until dispose (released at once if `build` fails). */
  private static async locked(
    runDir: string,
    log: (line: string) => void,
    build: () => Promise<StarGanTrainer>,
  ): Promise<StarGanTrainer> {
    const lock = await acquireRunLock(runDir, log);
    try {
      const trainer = await build();
      trainer.lock = lock;
      trainer.log = log;
      return trainer;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private static async createLocked(
    runDir: string,
    dataDir: string,
    valid: TrainConfig,
    log: (line: string) => void,
  ): Promise<StarGanTrainer> {
    const paths = runPaths(runDir);
    const { store, model } = await openTrainingData(dataDir, valid);
    const totalSteps = totalStepsOf(valid, store.train.length);
    const record: RunRecord = {
      format: "vox-run",
      version: 1,
      createdAt: new Date().toISOString(),
      data: resolve(dataDir),
      config: valid,
      totalSteps,
      model,
      featureSpec: store.spec,
      speakers: [...store.speakerMap.speakers],
      validation: store.validation.map((u) => `${u.speaker}/${u.id}`),
      versions,
    };
    const statistics = trainingStatistics(store, resolveNormalization(valid.normalization, store.spec));
    const backend = await initBackend(valid.backend ?? undefined, log);
    await writeRunRecord(runDir, record);
    await writeRunStatistics(runDir, statistics);
    return StarGanTrainer.build(
      paths.root,
      record,
      store,
      runConversion(store.spec, record.speakers, statistics, valid.postfilter),
      backend.name,
    );
  }

  /**
   * Reopens a run at its newest complete checkpoint (or at step 0 when it has none). `overrides` change the
   * config from here on (a lower learning rate after a NaN, more steps); they are validated and recorded.
   */
  static async resume(
    runDir: string,
    overrides: Record<string, unknown> = {},
    log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ): Promise<StarGanTrainer> {
    const record = await readRunRecord(runDir);
    return StarGanTrainer.locked(runDir, log, () => StarGanTrainer.resumeLocked(runDir, record, overrides, log));
  }

  private static async resumeLocked(
    runDir: string,
    record: RunRecord,
    overrides: Record<string, unknown>,
    log: (line: string) => void,
  ): Promise<StarGanTrainer> {
    const changed = Object.keys(overrides).length > 0;
    if (changed) Object.assign(record, resumedConfig(record, overrides));
    const { store } = await openTrainingData(record.data, record.config);
    assertSameFeatureSpec(
      record.featureSpec,
      store.spec,
      `${record.data} (the run was trained on another FeatureSpec)`,
    );
    if (JSON.stringify(record.speakers) !== JSON.stringify(store.speakerMap.speakers)) {
      throw new RunDirectoryError(
        record.data,
        `the run's ${record.speakers.length} speakers`,
        `${store.speakerMap.size} others`,
      );
    }
    const backend = await initBackend(record.config.backend ?? undefined, log);
    const conversion = await openRunConversion(runDir, record);
    const trainer = StarGanTrainer.build(runPaths(runDir).root, record, store, conversion, backend.name);
    const state = await loadNewestIntactCheckpoint(runDir, trainer.checkpointParts(), log);
    // Only now, with a checkpoint loaded, do the overrides (e.g. --steps) go into the run's record.
    if (changed) await writeRunRecord(runDir, record);
    if (state) {
      trainer.step = state.step;
      trainer.elapsedSeconds = state.elapsedSeconds;
      trainer.store.rngState = state.samplerRng;
      trainer.rng.state = state.trainerRng;
      trainer.lastCheckpoint = state.step;
      if (changed) {
        trainer.generatorOptimizer.learningRate = record.config.generatorOptimizer.learningRate;
        trainer.discriminatorOptimizer.learningRate = record.config.discriminatorOptimizer.learningRate;
      }
    }
    await truncateMetrics(runDir, trainer.step);
    log(
      `resumed ${runPaths(runDir).root} at step ${trainer.step}${state === null ? " (no checkpoint yet: from the start)" : ""}`,
    );
    return trainer;
  }

  private static build(
    runDir: string,
    record: RunRecord,
    store: FeatureStore,
    conversion: RunConversion,
    backend: BackendName,
  ): StarGanTrainer {
    const generator = withSeededRandom(record.config.seed, () => buildGenerator(record.model.generator));
    const discriminator = withSeededRandom(record.config.seed + 1, () =>
      buildDiscriminator(record.model.discriminator),
    );
    return new StarGanTrainer(runDir, record, store, conversion, generator, discriminator, backend);
  }

  private checkpointParts(): CheckpointParts {
    return {
      generator: this.generator,
      discriminator: this.discriminator,
      generatorVariables: this.generatorVariables,
      discriminatorVariables: this.discriminatorVariables,
      generatorOptimizer: this.generatorOptimizer,
      discriminatorOptimizer: this.discriminatorOptimizer,
      preset: this.config.preset,
      model: this.record.model,
      featureSpec: this.record.featureSpec,
      speakers: this.record.speakers,
    };
  }

  /** Writes a checkpoint of the current step now. */
  async checkpoint(beforeCommit?: (step: number) => void): Promise<void> {
    const state = {
      step: this.step,
      elapsedSeconds: this.elapsedSeconds,
      samplerRng: this.store.rngState,
      trainerRng: this.rng.state,
    };
    await saveCheckpoint(this.runDir, this.checkpointParts(), state, 3, beforeCommit);
    this.lastCheckpoint = this.step;
  }

  /** Learning-rate factor at `step`: 1, then linear to 0 from `decayFrom` x total steps to the last step. */
  private decay(step: number): number {
    if (this.config.decayFrom === null) return 1;
    const total = this.record.totalSteps;
    const from = Math.floor(this.config.decayFrom * total);
    if (step < from) return 1;
    return Math.max(0, (total - step) / (total - from));
  }

  private otherSpeaker(speaker: number): number {
    const n = this.store.speakerMap.size;
    if (n < 2) return speaker;
    const pick = this.rng.nextInt(n - 1);
    return pick >= speaker ? pick + 1 : pick;
  }

  private nextBatch(): TrainBatch {
    const { batchSize, cropFrames } = this.config;
    const sampled = this.store.sampleBatch(batchSize, this.rawBatch);
    const { map } = this.conversion;
    const rawItem = this.store.bins * cropFrames;
    const item = map.rows * cropFrames;
    for (let i = 0; i < batchSize; i++) {
      const warp = this.vocalTractWarp;
      if (warp) warp.apply(sampled.features, warp.levelOf(this.rng.next()), i * rawItem);
      const stats = this.labelStatistics[sampled.labels[i] as number] ?? null;
      map.encode(
        sampled.features.subarray(i * rawItem, (i + 1) * rawItem),
        cropFrames,
        stats,
        this.batchBuffer,
        i * item,
      );
    }
    const source = sampled.labels;
    const target = source.map((label) => this.otherSpeaker(label));
    const otherSource = source.map((label) => this.otherSpeaker(label));
    const mix = new Float32Array(batchSize).map(() => this.rng.next());
    const x = tf.tensor4d(this.batchBuffer, [batchSize, map.rows, cropFrames, 1]);
    return { x, features: this.batchBuffer, source, target, otherSource, mix };
  }

  /** Threads computing micro-batches (see {@link StarGanUpdater.threadCount}). */
  get threadCount(): number {
    return this.updater.threadCount;
  }

  /** One training step: n_critic discriminator updates, then one generator update. */
  async trainStep(): Promise<Record<string, number>> {
    await this.updater.start();
    const factor = this.decay(this.step);
    this.generatorOptimizer.learningRate = this.config.generatorOptimizer.learningRate * factor;
    this.discriminatorOptimizer.learningRate = this.config.discriminatorOptimizer.learningRate * factor;
    let losses: Record<string, number> = {};
    let batch: TrainBatch | undefined;
    try {
      for (let critic = 0; critic < this.config.nCritic; critic++) {
        batch?.x.dispose();
        batch = this.nextBatch();
        losses = await this.updater.discriminatorUpdate(batch);
      }
      if (!batch) throw new TrainError("nCritic", ">= 1", String(this.config.nCritic));
      return { ...losses, ...(await this.updater.generatorUpdate(batch, this.step)) };
    } finally {
      batch?.x.dispose();
    }
  }

  /** Trains to the run's last step (or until stopped); checkpoints, samples and metrics as configured. */
  async train(options: TrainOptions = {}): Promise<TrainResult> {
    const total = this.record.totalSteps;
    const limit = options.maxSteps === undefined ? total : Math.min(total, this.step + options.maxSteps);
    const clock = new TrainingClock((seconds) => {
      this.elapsedSeconds += seconds;
    });
    const throughput = new Throughput();
    const metrics = new MetricsBuffer(this.runDir);
    const leaks = new LeakCheck(this.config.leakCheckEvery);
    let lastLosses: Record<string, number> = {};
    let stopped: TrainResult["stopped"] = "done";
    const progress = (): TrainProgress => ({
      step: this.step,
      totalSteps: total,
      stepsPerSecond: throughput.stepsPerSecond,
      etaSeconds:
        throughput.stepsPerSecond > 0 ? (total - this.step) / throughput.stepsPerSecond : Number.POSITIVE_INFINITY,
      losses: lastLosses,
    });
    // A resume at a step whose samples a kill interrupted writes them now (they are written after its checkpoint).
    if (this.step > 0 && this.samplesDue(this.step) && !existsSync(runPaths(this.runDir).samples(this.step))) {
      await this.writeSampleSet();
    }
    if (this.step === 0 && this.config.generatorWarmup > 0 && limit > 0) {
      await this.warmUpGenerator();
      clock.tick();
    }
    while (this.step < limit) {
      // A step is all promises and worker replies; without a turn of the event loop a SIGINT handler (the
      // abort signal's source) would not run until training ends.
      await yieldToEventLoop();
      if (options.signal?.aborted) {
        stopped = "signal";
        break;
      }
      const losses = await this.trainStep(); // batch -> D step(s) -> G step
      this.step++;
      await this.refuseNonFinite(losses, metrics);
      lastLosses = losses;
      throughput.count(this.step === limit);
      clock.tick();
      if (this.step % this.config.logEvery === 0 || this.step === total) {
        metrics.push(this.metricsLine(losses, throughput.stepsPerSecond));
      }
      options.onProgress?.(progress());
      leaks.after(this.step);
      await this.saveDue(metrics, options.beforeCheckpointCommit);
      clock.tick();
    }
    if (stopped === "done" && this.step < total) stopped = "limit";
    if (stopped !== "done" && this.lastCheckpoint !== this.step) await this.checkpoint(options.beforeCheckpointCommit);
    await metrics.flush();
    clock.tick();
    if (this.step === total) {
      await writeTrainingSummary(this.runDir, {
        steps: total,
        elapsedSeconds: Number(this.elapsedSeconds.toFixed(3)),
        finishedAt: new Date().toISOString(),
        backend: this.backend,
      });
    }
    options.onProgress?.(progress(), true);
    return { step: this.step, totalSteps: total, stopped, elapsedSeconds: this.elapsedSeconds, lastLosses };
  }

  /** Whether step `step` writes a sample set: every `sampleEvery` steps and at the last (when samples are on). */
  private samplesDue(step: number): boolean {
    const { sampleEvery, samples } = this.config;
    return (step % sampleEvery === 0 || step === this.record.totalSteps) && samples.utterances > 0;
  }

  /** A NaN or infinite loss stops training, after the metrics so far are written (the run resumes from a checkpoint). */
  private async refuseNonFinite(losses: Record<string, number>, metrics: MetricsBuffer): Promise<void> {
    for (const [name, value] of Object.entries(losses)) {
      if (!Number.isFinite(value)) {
        await metrics.flush();
        throw new NonFiniteLossError(this.step, name, value, this.lastCheckpoint);
      }
    }
  }

  /** The metrics.jsonl line of the step just taken. */
  private metricsLine(losses: Record<string, number>, stepsPerSecond: number): MetricsLine {
    return {
      step: this.step,
      elapsedSeconds: Number(this.elapsedSeconds.toFixed(3)),
      stepsPerSecond: Number(stepsPerSecond.toFixed(4)),
      learningRate: {
        generator: this.generatorOptimizer.learningRate,
        discriminator: this.discriminatorOptimizer.learningRate,
      },
      losses,
      wallTime: new Date().toISOString(),
    };
  }

  /** After a step: the metrics written, then the checkpoint and the sample set, each when due. */
  private async saveDue(metrics: MetricsBuffer, beforeCommit: TrainOptions["beforeCheckpointCommit"]): Promise<void> {
    const checkpointDue = this.step % this.config.checkpointEvery === 0 || this.step === this.record.totalSteps;
    if (checkpointDue || this.step % this.config.sampleEvery === 0) await metrics.flush();
    if (checkpointDue) await this.checkpoint(beforeCommit);
    if (this.samplesDue(this.step)) await this.writeSampleSet();
  }

  /**
   * `generatorWarmup` reconstruction updates of the generator before the first GAN step, with an Adam of their
   * own (the GAN's optimizers start fresh). Run again by a resume before the first checkpoint, which rebuilds
   * the networks and random states from the seed, so the run stays exact.
   */
  private async warmUpGenerator(): Promise<void> {
    const updates = this.config.generatorWarmup;
    const optimizer = new Optimizer(this.config.generatorOptimizer);
    const started = performance.now();
    let first = Number.NaN;
    let last = Number.NaN;
    try {
      await this.updater.start();
      for (let i = 0; i < updates; i++) {
        const batch = this.nextBatch();
        try {
          last = (await this.updater.reconstructionUpdate(batch, optimizer)).g_warmup ?? Number.NaN;
        } finally {
          batch.x.dispose();
        }
        if (!Number.isFinite(last)) throw new NonFiniteLossError(0, "g_warmup", last, null);
        if (i === 0) first = last;
      }
    } finally {
      optimizer.dispose();
    }
    this.log(
      `warm-up: ${updates} reconstruction updates of the generator, identity L1 ${first.toFixed(3)} -> ${last.toFixed(3)}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  /**
   * The samples of this step (sources and conversions, PNG and WAV), written whole or not at all
   * (writeFolderAtomic): a kill part-way leaves no folder that looks finished.
   */
  private async writeSampleSet(): Promise<void> {
    await writeFolderAtomic(runPaths(this.runDir).samples(this.step), (partial) =>
      writeSamples(
        partial,
        this.generator,
        this.record.model.generator,
        this.store,
        this.conversion,
        this.config.samples,
      ).then(() => {}),
    );
  }

  dispose(): void {
    this.lock?.release();
    this.lock = null;
    this.updater.close();
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.generator.dispose();
    this.discriminator.dispose();
  }
}

/**
 * A run's feature cache opened as training reads it (crops, validation split, seed) and the model its config
 * builds on it; refuses a preset or crop that does not fit, naming the field. What `vox train --dry-run` reports.
 */
export async function openTrainingData(
  dataDir: string,
  config: TrainConfig,
): Promise<{ store: FeatureStore; model: ModelConfig }> {
  const store = await FeatureStore.open(dataDir, featureStoreOptions(config));
  let model: ModelConfig;
  try {
    model = runModelConfig(config, store.spec, store.speakerMap.size);
  } catch (error) {
    if (error instanceof TrainConfigError) throw error;
    // The preset cannot be built for these features or crops: say which training field to change.
    const field = /frames/.test((error as Error).message) ? "cropFrames" : "preset";
    throw new TrainConfigError("config", [
      `${field}: ${config.preset} does not fit ${store.bins} bins x ${config.cropFrames} frames (${(error as Error).message})`,
    ]);
  }
  if (config.warpAugmentation > 0 && store.spec.kind !== "world") {
    throw new TrainConfigError("config", [
      `warpAugmentation: warps a mel-cepstrum, so expected features of kind "world", found "${store.spec.kind}" in ${dataDir} (set it to 0)`,
    ]);
  }
  const multiple = timeMultiple(model.generator);
  if (config.cropFrames % multiple !== 0) {
    throw new TrainConfigError("config", [
      `cropFrames: expected a multiple of ${multiple} for preset ${config.preset}, found ${config.cropFrames}`,
    ]);
  }
  return { store, model };
}

/** Generator steps a new run of `config` trains: `steps`, or `epochs` passes over its training utterances. */
export function totalStepsOf(config: TrainConfig, trainUtterances: number): number {
  return config.steps ?? Math.max(1, Math.ceil(((config.epochs ?? 1) * trainUtterances) / config.batchSize));
}

/**
 * A resumed run's config and total steps with `overrides` (a lower learning rate, more steps), validated; the
 * fields fixed when the run started (preset, seed, batch, crop, validation split) are refused.
 */
export function resumedConfig(
  record: RunRecord,
  overrides: Record<string, unknown>,
): { config: TrainConfig; totalSteps: number } {
  for (const frozen of ["preset", "seed", "splitSeed", "batchSize", "cropFrames", "validationFraction"]) {
    if (frozen in overrides) {
      throw new TrainConfigError("resume overrides", [
        `${frozen}: fixed when the run started; start a new run to change it`,
      ]);
    }
  }
  const config = validateTrainConfig(
    deepMerge(record.config as unknown as Record<string, unknown>, overrides),
    "resume overrides",
  );
  return {
    config,
    totalSteps: overrides.steps !== undefined ? (config.steps ?? record.totalSteps) : record.totalSteps,
  };
}

/** One turn of the event loop (signal handlers, I/O callbacks run), not just the microtask queue. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
