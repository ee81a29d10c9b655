import { access, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { FeatureStore } from "@vox/datasets";
import { assertSameFeatureSpec, Mulberry32 } from "@vox/dsp";
import {
  type BackendName,
  buildDiscriminator,
  buildGenerator,
  conditionVector,
  initBackend,
  type ModelConfig,
  presetConfig,
  tf,
  timeMultiple,
} from "@vox/models";
import { listCheckpoints, loadCheckpoint, saveCheckpoint, type CheckpointParts } from "./checkpoint.js";
import { deepMerge, type TrainConfig, validateTrainConfig } from "./config.js";
import { NonFiniteLossError, RunDirectoryError, TrainConfigError, TrainError } from "./errors.js";
import {
  accuracy,
  classificationLoss,
  discriminatorAdversarial,
  generatorAdversarial,
  gradientPenalty,
  l1,
} from "./losses.js";
import { Optimizer } from "./optimizers.js";
import type { TrainProgress } from "./progress.js";
import {
  appendMetrics,
  type MetricsLine,
  readRunRecord,
  type RunRecord,
  runPaths,
  truncateMetrics,
  writeRunRecord,
} from "./run-directory.js";
import { writeSamples } from "./samples.js";
import { withSeededRandom } from "./weights-init.js";

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

interface Batch {
  x: tf.Tensor4D;
  source: Int32Array;
  target: Int32Array;
  /** Random "other" speaker for a real utterance's source-and-target code (stargan-vc2). */
  otherSource: Int32Array;
  mix: Float32Array;
}

const versions = { vox: "0.0.0", tfjs: tf.version.tfjs };

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
  private readonly rng: Mulberry32;
  private readonly generatorVariables: tf.Variable[];
  private readonly discriminatorVariables: tf.Variable[];
  private readonly generatorOptimizer: Optimizer;
  private readonly discriminatorOptimizer: Optimizer;
  private readonly batchBuffer: Float32Array;

  private constructor(
    readonly runDir: string,
    readonly record: RunRecord,
    readonly store: FeatureStore,
    readonly generator: tf.LayersModel,
    readonly discriminator: tf.LayersModel,
    readonly backend: BackendName,
  ) {
    this.rng = new Mulberry32(record.config.seed ^ 0x9e3779b9);
    this.generatorVariables = generator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.discriminatorVariables = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.generatorOptimizer = new Optimizer(record.config.generatorOptimizer);
    this.discriminatorOptimizer = new Optimizer(record.config.discriminatorOptimizer);
    this.batchBuffer = new Float32Array(record.config.batchSize * store.bins * record.config.cropFrames);
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
        `${paths.root}: expected a folder without a run, found one (config.json); resume it with \`vox train --resume ${runDir}\` or choose another --run`,
        paths.root,
      );
    }
    const valid = validateTrainConfig(config);
    const { store, model } = await StarGanTrainer.openData(dataDir, valid);
    const totalSteps =
      valid.steps ?? Math.max(1, Math.ceil(((valid.epochs ?? 1) * store.train.length) / valid.batchSize));
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
    const backend = await initBackend(valid.backend ?? undefined, log);
    await writeRunRecord(runDir, record);
    return StarGanTrainer.build(paths.root, record, store, backend.name);
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
    const changed = Object.keys(overrides).length > 0;
    if (changed) {
      for (const frozen of ["preset", "seed", "batchSize", "cropFrames", "validationFraction"]) {
        if (frozen in overrides) {
          throw new TrainConfigError("resume overrides", [
            `${frozen}: fixed when the run started; start a new run to change it`,
          ]);
        }
      }
      record.config = validateTrainConfig(
        deepMerge(record.config as unknown as Record<string, unknown>, overrides),
        "resume overrides",
      );
      if (overrides.steps !== undefined) record.totalSteps = record.config.steps ?? record.totalSteps;
    }
    const { store } = await StarGanTrainer.openData(record.data, record.config);
    assertSameFeatureSpec(
      record.featureSpec,
      store.spec,
      `${record.data} (the run was trained on another FeatureSpec)`,
    );
    if (JSON.stringify(record.speakers) !== JSON.stringify(store.speakerMap.speakers)) {
      throw new RunDirectoryError(
        `${record.data}: expected the run's ${record.speakers.length} speakers, found ${store.speakerMap.size} others`,
        record.data,
      );
    }
    const backend = await initBackend(record.config.backend ?? undefined, log);
    if (changed) await writeRunRecord(runDir, record);
    const trainer = StarGanTrainer.build(runPaths(runDir).root, record, store, backend.name);
    const steps = await listCheckpoints(runDir);
    const latest = steps[steps.length - 1];
    if (latest !== undefined) {
      const state = await loadCheckpoint(runDir, latest, trainer.checkpointParts());
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
      `resumed ${runPaths(runDir).root} at step ${trainer.step}${latest === undefined ? " (no checkpoint yet: from the start)" : ""}`,
    );
    return trainer;
  }

  private static async openData(
    dataDir: string,
    config: TrainConfig,
  ): Promise<{ store: FeatureStore; model: ModelConfig }> {
    const store = await FeatureStore.open(dataDir, {
      cropFrames: config.cropFrames,
      validationFraction: config.validationFraction,
      seed: config.seed,
    });
    let model: ModelConfig;
    try {
      model = presetConfig(config.preset, {
        numLabels: store.speakerMap.size,
        bins: store.bins,
        frames: config.cropFrames,
      });
    } catch (error) {
      // The preset cannot be built for these features or crops: say which training field to change.
      const field = /frames/.test((error as Error).message) ? "cropFrames" : "preset";
      throw new TrainConfigError("config", [
        `${field}: ${config.preset} does not fit ${store.bins} bins x ${config.cropFrames} frames (${(error as Error).message})`,
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

  private static build(runDir: string, record: RunRecord, store: FeatureStore, backend: BackendName): StarGanTrainer {
    const generator = withSeededRandom(record.config.seed, () => buildGenerator(record.model.generator));
    const discriminator = withSeededRandom(record.config.seed + 1, () =>
      buildDiscriminator(record.model.discriminator),
    );
    return new StarGanTrainer(runDir, record, store, generator, discriminator, backend);
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

  private nextBatch(): Batch {
    const { batchSize, cropFrames } = this.config;
    const sampled = this.store.sampleBatch(batchSize, this.batchBuffer);
    const source = sampled.labels;
    const target = source.map((label) => this.otherSpeaker(label));
    const otherSource = source.map((label) => this.otherSpeaker(label));
    const mix = new Float32Array(batchSize).map(() => this.rng.next());
    const x = tf.tensor4d(sampled.features, [batchSize, this.store.bins, cropFrames, 1]);
    return { x, source, target, otherSource, mix };
  }

  private conditions(from: Int32Array, to: Int32Array): tf.Tensor2D {
    const g = this.record.model.generator;
    const width = g.kind === "stargan" ? g.numLabels : 2 * g.numSpeakers;
    const data = new Float32Array(from.length * width);
    for (let i = 0; i < from.length; i++) data.set(conditionVector(g, from[i] ?? 0, to[i] ?? 0), i * width);
    return tf.tensor2d(data, [from.length, width]);
  }

  private generate(x: tf.Tensor, condition: tf.Tensor): tf.Tensor {
    return this.generator.apply([x, condition], { training: true }) as tf.Tensor;
  }

  /** The discriminator's adversarial output and (StarGAN) class logits for inputs converted `from` -> `to`. */
  private judge(x: tf.Tensor, code: tf.Tensor | null): { adversarial: tf.Tensor; logits: tf.Tensor | null } {
    if (this.record.model.discriminator.kind === "stargan") {
      const [adversarial, logits] = this.discriminator.apply(x, { training: true }) as [tf.Tensor, tf.Tensor];
      return { adversarial, logits };
    }
    return {
      adversarial: this.discriminator.apply([x, code as tf.Tensor], { training: true }) as tf.Tensor,
      logits: null,
    };
  }

  private oneHot(labels: Int32Array): tf.Tensor2D {
    return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), this.store.speakerMap.size).toFloat()) as tf.Tensor2D;
  }

  /**
   * The discriminator's losses on one (micro-)batch; its gradients go to the optimizer's running sum. WGAN-GP's
   * penalty is differentiated in a backward pass of its own: tfjs keeps every intermediate gradient of a pass
   * until the pass ends, and one pass over both terms needed more than the wasm heap for the seed's
   * discriminator. The sum of the two passes' gradients is the gradient of the sum.
   */
  private discriminatorGradients(batch: Batch): Record<string, number> {
    const { adversarial, classification, lambda } = this.config;
    const kept: Record<string, tf.Tensor> = {};
    const n = batch.source.length;
    const vc2 = this.record.model.discriminator.kind === "projection";
    const fake = tf.tidy(() => this.generate(batch.x, this.conditions(batch.source, batch.target)));
    // Real utterance of c judged under (c', c); converted c -> c' under (c, c'): StarGAN-VC2's source-and-target loss.
    const fakeCode = vc2 ? this.conditions(batch.source, batch.target) : null;
    tf.tidy(() => {
      const both = tf.concat([batch.x, fake]);
      const codes = vc2 ? tf.concat([this.conditions(batch.otherSource, batch.source), fakeCode as tf.Tensor]) : null;
      const loss = (): tf.Scalar => {
        const { adversarial: out, logits } = this.judge(both, codes);
        const [real, converted] = tf.split(out, [n, n]) as [tf.Tensor, tf.Tensor];
        const terms: tf.Tensor[] = [];
        const adv = discriminatorAdversarial(adversarial, real, converted);
        kept.d_adv = tf.keep(adv);
        terms.push(adv);
        if (logits && lambda.cls > 0) {
          const [realLogits] = tf.split(logits, [n, n]) as [tf.Tensor];
          const cls = classificationLoss(classification, this.oneHot(batch.source), realLogits);
          kept.d_cls = tf.keep(cls);
          kept.logits = tf.keep(realLogits);
          terms.push(tf.mul(lambda.cls, cls));
        }
        return tf.addN(terms) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss, this.discriminatorVariables);
      kept.d_total = tf.keep(value);
      this.discriminatorOptimizer.accumulate(this.discriminatorVariables, grads);
    });
    if (adversarial === "wgan-gp") {
      tf.tidy(() => {
        const critic = (input: tf.Tensor) => this.judge(input, fakeCode).adversarial;
        const loss = (): tf.Scalar => {
          const gp = gradientPenalty(critic, batch.x, fake, tf.tensor1d(batch.mix));
          kept.d_gp = tf.keep(gp);
          return tf.mul(lambda.gp, gp) as tf.Scalar;
        };
        const { value, grads } = tf.variableGrads(loss, this.discriminatorVariables);
        const total = kept.d_total as tf.Tensor;
        kept.d_total = tf.keep(tf.add(total, value));
        total.dispose();
        this.discriminatorOptimizer.accumulate(this.discriminatorVariables, grads);
      });
    }
    fake.dispose();
    fakeCode?.dispose();
    return this.readKept(kept, batch.source);
  }

  /** One discriminator update over the batch (in micro-batches when configured); returns its losses. */
  private discriminatorStep(batch: Batch): Record<string, number> {
    const { parts, losses } = this.overMicroBatches(batch, (chunk) => this.discriminatorGradients(chunk));
    this.discriminatorOptimizer.step(this.discriminatorVariables, parts);
    if (this.config.adversarial === "wgan-clip") {
      const clip = this.config.clip;
      tf.tidy(() => {
        for (const variable of this.discriminatorVariables) variable.assign(tf.clipByValue(variable, -clip, clip));
      });
    }
    return losses;
  }

  /** One generator update over the batch (in micro-batches when configured); returns its losses. */
  private generatorStep(batch: Batch): Record<string, number> {
    const { parts, losses } = this.overMicroBatches(batch, (chunk) => this.generatorGradients(chunk));
    this.generatorOptimizer.step(this.generatorVariables, parts);
    return losses;
  }

  /**
   * Runs `compute` (which accumulates gradients into an optimizer) on micro-batches of `microBatch` items and
   * averages their losses; the optimizer's step then divides the gradient sum by `parts`: the update of the
   * whole batch for every loss here (all are means over items), in the memory of one micro-batch.
   */
  private overMicroBatches(
    batch: Batch,
    compute: (chunk: Batch) => Record<string, number>,
  ): { parts: number; losses: Record<string, number> } {
    const size = batch.source.length;
    const micro = Math.min(size, this.config.microBatch ?? size);
    if (micro === size) return { parts: 1, losses: compute(batch) };
    const totals: Record<string, number> = {};
    const parts = size / micro;
    for (let start = 0; start < size; start += micro) {
      const x = tf.slice(batch.x, [start, 0, 0, 0], [micro, -1, -1, -1]) as tf.Tensor4D;
      const chunk: Batch = {
        x,
        source: batch.source.subarray(start, start + micro),
        target: batch.target.subarray(start, start + micro),
        otherSource: batch.otherSource.subarray(start, start + micro),
        mix: batch.mix.subarray(start, start + micro),
      };
      const losses = compute(chunk);
      x.dispose();
      for (const [name, value] of Object.entries(losses)) totals[name] = (totals[name] ?? 0) + value / parts;
    }
    return { parts, losses: totals };
  }

  /** The generator's losses on one (micro-)batch; its gradients go to the optimizer's running sum. */
  private generatorGradients(batch: Batch): Record<string, number> {
    const { adversarial, classification, lambda, identityUntil } = this.config;
    const identityWeight = identityUntil === null || this.step < identityUntil ? lambda.identity : 0;
    const kept: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      const forward = this.conditions(batch.source, batch.target);
      const backward = this.conditions(batch.target, batch.source);
      const same = this.conditions(batch.source, batch.source);
      const vc2 = this.record.model.discriminator.kind === "projection";
      const loss = (): tf.Scalar => {
        const fake = this.generate(batch.x, forward);
        const { adversarial: out, logits } = this.judge(fake, vc2 ? forward : null);
        const terms: tf.Tensor[] = [];
        const adv = generatorAdversarial(adversarial, out);
        kept.g_adv = tf.keep(adv);
        terms.push(adv);
        if (logits && lambda.cls > 0) {
          const cls = classificationLoss(classification, this.oneHot(batch.target), logits);
          kept.g_cls = tf.keep(cls);
          terms.push(tf.mul(lambda.cls, cls));
        }
        const cycle = l1(batch.x, this.generate(fake, backward));
        kept.g_cycle = tf.keep(cycle);
        terms.push(tf.mul(lambda.cycle, cycle));
        if (identityWeight > 0) {
          const identity = l1(batch.x, this.generate(batch.x, same));
          kept.g_identity = tf.keep(identity);
          terms.push(tf.mul(identityWeight, identity));
        }
        return tf.addN(terms) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss, this.generatorVariables);
      kept.g_total = tf.keep(value);
      this.generatorOptimizer.accumulate(this.generatorVariables, grads);
    });
    return this.readKept(kept, batch.source);
  }

  private readKept(kept: Record<string, tf.Tensor>, labels: Int32Array): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, tensor] of Object.entries(kept)) {
      if (name === "logits") out.d_accuracy = accuracy(labels, tensor);
      else out[name] = (tensor.dataSync() as Float32Array)[0] ?? Number.NaN;
    }
    tf.dispose(Object.values(kept));
    return out;
  }

  /** One training step: n_critic discriminator updates, then one generator update. */
  trainStep(): Record<string, number> {
    const factor = this.decay(this.step);
    this.generatorOptimizer.learningRate = this.config.generatorOptimizer.learningRate * factor;
    this.discriminatorOptimizer.learningRate = this.config.discriminatorOptimizer.learningRate * factor;
    let losses: Record<string, number> = {};
    let batch: Batch | undefined;
    for (let critic = 0; critic < this.config.nCritic; critic++) {
      batch?.x.dispose();
      batch = this.nextBatch();
      losses = this.discriminatorStep(batch);
    }
    if (!batch) throw new TrainError("nCritic: expected >= 1", "nCritic");
    try {
      return { ...losses, ...this.generatorStep(batch) };
    } finally {
      batch.x.dispose();
    }
  }

  /** Trains to the run's last step (or until stopped); checkpoints, samples and metrics as configured. */
  async train(options: TrainOptions = {}): Promise<TrainResult> {
    const { checkpointEvery, sampleEvery, logEvery, leakCheckEvery, samples } = this.config;
    const total = this.record.totalSteps;
    const limit = options.maxSteps === undefined ? total : Math.min(total, this.step + options.maxSteps);
    let baseline: number | null = null;
    let pending: MetricsLine[] = [];
    let lastLosses: Record<string, number> = {};
    let windowStart = performance.now();
    let windowSteps = 0;
    let stepsPerSecond = 0;
    let stopped: TrainResult["stopped"] = "done";
    let clock = performance.now();
    const tick = () => {
      const now = performance.now();
      this.elapsedSeconds += (now - clock) / 1000;
      clock = now;
    };
    const progress = (): TrainProgress => ({
      step: this.step,
      totalSteps: total,
      stepsPerSecond,
      etaSeconds: stepsPerSecond > 0 ? (total - this.step) / stepsPerSecond : Number.POSITIVE_INFINITY,
      losses: lastLosses,
    });

    while (this.step < limit) {
      if (options.signal?.aborted) {
        stopped = "signal";
        break;
      }
      const losses = this.trainStep();
      this.step++;
      windowSteps++;
      for (const [name, value] of Object.entries(losses)) {
        if (!Number.isFinite(value)) {
          await appendMetrics(this.runDir, pending);
          throw new NonFiniteLossError(this.step, name, value, this.lastCheckpoint);
        }
      }
      lastLosses = losses;
      const now = performance.now();
      if (now - windowStart > 2000 || this.step === limit) {
        stepsPerSecond = (windowSteps * 1000) / (now - windowStart);
        windowStart = now;
        windowSteps = 0;
      }
      tick();
      if (this.step % logEvery === 0 || this.step === total) {
        pending.push({
          step: this.step,
          elapsedSeconds: Number(this.elapsedSeconds.toFixed(3)),
          stepsPerSecond: Number(stepsPerSecond.toFixed(4)),
          learningRate: {
            generator: this.generatorOptimizer.learningRate,
            discriminator: this.discriminatorOptimizer.learningRate,
          },
          losses,
          wallTime: new Date().toISOString(),
        });
      }
      options.onProgress?.(progress());
      if (baseline === null) baseline = tf.memory().numTensors;
      else if (this.step % leakCheckEvery === 0 && tf.memory().numTensors !== baseline) {
        throw new TrainError(
          `step ${this.step}: ${tf.memory().numTensors - baseline} tensors leaked since the first step`,
          `step ${this.step}`,
        );
      }
      const checkpointDue = this.step % checkpointEvery === 0 || this.step === total;
      if (checkpointDue || this.step % sampleEvery === 0) {
        await appendMetrics(this.runDir, pending);
        pending = [];
      }
      if (checkpointDue) await this.checkpoint(options.beforeCheckpointCommit);
      if ((this.step % sampleEvery === 0 || this.step === total) && samples.utterances > 0) {
        await writeSamples(
          runPaths(this.runDir).samples(this.step),
          this.generator,
          this.record.model.generator,
          this.store,
          this.record.featureSpec,
          samples,
        );
      }
      tick();
    }
    if (stopped === "done" && this.step < total) stopped = "limit";
    if (stopped !== "done" && this.lastCheckpoint !== this.step) await this.checkpoint(options.beforeCheckpointCommit);
    await appendMetrics(this.runDir, pending);
    tick();
    if (this.step === total) {
      await writeFile(
        runPaths(this.runDir).training,
        `${JSON.stringify({ steps: total, elapsedSeconds: Number(this.elapsedSeconds.toFixed(3)), finishedAt: new Date().toISOString(), backend: this.backend }, null, 2)}\n`,
      );
    }
    options.onProgress?.(progress(), true);
    return { step: this.step, totalSteps: total, stopped, elapsedSeconds: this.elapsedSeconds, lastLosses };
  }

  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.generator.dispose();
    this.discriminator.dispose();
  }
}
