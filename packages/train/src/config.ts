import { readFile } from "node:fs/promises";
import type { FeatureStoreOptions } from "@vox/datasets";
import { conversionPostfilters, featureNormalizations } from "@vox/dsp";
import { backendNames, type PresetName, presetNames } from "@vox/models/config";
import { z } from "zod";
import { TrainConfigError } from "./errors.js";

const optimizerSchema = z
  .object({
    type: z.enum(["rmsprop", "adam"]),
    learningRate: z.number().positive().max(1),
    /** Adam's first and second moment decay. */
    beta1: z.number().min(0).max(1).default(0.5),
    beta2: z.number().min(0).max(1).default(0.999),
    /** RMSprop's mean-square decay (PyTorch's alpha). */
    alpha: z.number().min(0).max(1).default(0.99),
    epsilon: z.number().positive().default(1e-8),
  })
  .strict();

export const trainConfigSchema = z
  .object({
    preset: z.enum(presetNames),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /**
     * Seeds the validation split instead of `seed`; null: `seed`. Runs that differ in `seed` alone (initial weights,
     * crops) then hold out the same sentences: how far a recipe moves by chance on one split, or an ensemble's
     * members (evaluateRun's `ensemble`).
     */
    splitSeed: z.number().int().min(0).max(0xffffffff).nullable().default(null),
    /** Generator steps to train; or give `epochs` (passes over the training utterances) instead. */
    steps: z.number().int().positive().nullable().default(null),
    epochs: z.number().positive().nullable().default(null),
    batchSize: z.number().int().positive(),
    /** Split each batch into micro-batches of this many items and average their gradients (memory); null: whole. */
    microBatch: z.number().int().positive().nullable().default(null),
    /**
     * Threads computing micro-batches at once, each with its own backend and copy of the networks; null: one
     * per core on wasm and cpu (capped at the micro-batches per batch), one on the native backends.
     */
    threads: z.number().int().positive().nullable().default(null),
    /**
     * Labels of the generator's condition and the discriminator's classifier; null: one per speaker. More labels
     * than speakers train too (the seed record's generator has 1479 labels whatever the corpus); the labels past
     * the speakers are never a source or a target.
     */
    numLabels: z.number().int().positive().nullable().default(null),
    /** Frames per training crop. */
    cropFrames: z.number().int().positive(),
    /** Discriminator steps per generator step. */
    nCritic: z.number().int().positive().default(1),
    adversarial: z.enum(["wgan-gp", "wgan-clip", "lsgan"]),
    /** Domain classification: softmax over speakers, or StarGAN's per-label sigmoid. */
    classification: z.enum(["softmax", "sigmoid"]).default("softmax"),
    lambda: z
      .object({
        gp: z.number().min(0).default(10),
        cls: z.number().min(0).default(1),
        cycle: z.number().min(0).default(10),
        identity: z.number().min(0).default(5),
      })
      .strict()
      .prefault({}),
    /**
     * Generator updates on reconstruction alone (L1 to its input under the speaker's own label, the identity term)
     * before the first GAN step, with an optimizer of their own: the GAN then starts from a generator that already
     * keeps each frame. Each costs about a tenth of a GAN step. 0: none.
     */
    generatorWarmup: z.number().int().min(0).default(0),
    /** Identity-mapping weight falls to 0 after this many steps (StarGAN-VC2: 10^4); null keeps it. */
    identityUntil: z.number().int().min(0).nullable().default(null),
    /** wgan-clip: every discriminator weight is clipped to [-clip, clip] after each step. */
    clip: z.number().positive().default(0.01),
    generatorOptimizer: optimizerSchema,
    discriminatorOptimizer: optimizerSchema,
    /** Learning rates fall linearly to 0 over the last (1 - decayFrom) of the steps (0.5: the second half); null keeps them. */
    decayFrom: z.number().min(0).lt(1).nullable().default(null),
    checkpointEvery: z.number().int().positive().default(1000),
    sampleEvery: z.number().int().positive().default(1000),
    logEvery: z.number().int().positive().default(10),
    /** Assert every this many steps that the tensor count has not grown. */
    leakCheckEvery: z.number().int().positive().default(50),
    samples: z
      .object({
        utterances: z.number().int().min(0).default(2),
        maxTargets: z.number().int().positive().default(4),
        griffinLimIterations: z.number().int().positive().default(32),
      })
      .strict()
      .prefault({}),
    validationFraction: z.number().min(0).lt(1).default(0.1),
    /**
     * How feature rows are scaled for the networks (see ModelFeatureMap): none, global or speaker; null: none for
     * linear and mel features, global for world features.
     */
    normalization: z.enum(featureNormalizations).nullable().default(null),
    /**
     * world features only: each training crop's mel-cepstrum frequency-warped by an all-pass constant drawn
     * uniformly from [-w, w] (a vocal-tract length perturbation; 0.05 moves a 1.5 kHz formant by about 9 %), so
     * voices of other vocal-tract lengths are in the networks' input distribution. 0: none.
     */
    warpAugmentation: z.number().min(0).max(0.3).default(0),
    /** What conversion does to the generator's rows before synthesis (see ModelFeatureMap and conversionPostfilters). */
    postfilter: z.enum(conversionPostfilters).default("none"),
    backend: z.enum(backendNames).nullable().default(null),
    /**
     * ModelConfig fields over the preset's (`--set model.discriminator.classifier=patch`), merged key by key and
     * validated with the rest of the model: one architectural change without a new preset.
     */
    model: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type OptimizerConfig = z.infer<typeof optimizerSchema>;

/** What each preset trains with unless told otherwise. */
export function presetTrainDefaults(preset: PresetName): Record<string, unknown> {
  switch (preset) {
    case "seed-31f31449":
      // The record: RMSprop 1e-5, minibatch 2, 1000 epochs; weight-clipped WGAN as the recorded optimizer's recipe.
      return {
        preset,
        epochs: 1000,
        batchSize: 2,
        // One item per backward pass: at 2 x 256 x 256 the generator step needs more than the 4 GiB wasm heap.
        // Gradients are still averaged over the batch of 2; BatchNorm's statistics are then per item. On the
        // native backends `--set microBatch=2` restores the record's batch statistics.
        microBatch: 1,
        cropFrames: 256,
        adversarial: "wgan-clip",
        classification: "sigmoid",
        nCritic: 5,
        lambda: { gp: 10, cls: 1, cycle: 10, identity: 0 },
        generatorOptimizer: { type: "rmsprop", learningRate: 1e-5 },
        discriminatorOptimizer: { type: "rmsprop", learningRate: 1e-5 },
      };
    case "stargan-2018":
      return {
        preset,
        steps: 200_000,
        batchSize: 16,
        cropFrames: 256,
        adversarial: "wgan-gp",
        classification: "sigmoid",
        nCritic: 5,
        lambda: { gp: 10, cls: 1, cycle: 10, identity: 0 },
        generatorOptimizer: { type: "adam", learningRate: 1e-4, beta1: 0.5, beta2: 0.999 },
        discriminatorOptimizer: { type: "adam", learningRate: 1e-4, beta1: 0.5, beta2: 0.999 },
        decayFrom: 0.5,
      };
    case "stargan-vc":
      // Kameoka et al. 2018: Adam 1e-4 (G and D), batch 1 in the paper (8 here: CPU steps are cheap at 36 rows),
      // lambda_cls 1, lambda_cyc 10, lambda_id 1; 128-frame crops. LSGAN stands in for the paper's
      // cross-entropy adversarial loss (the same game; LSGAN trains more steadily).
      return {
        preset,
        steps: 20_000,
        batchSize: 8,
        cropFrames: 128,
        adversarial: "lsgan",
        nCritic: 1,
        lambda: { gp: 10, cls: 1, cycle: 10, identity: 1 },
        generatorOptimizer: { type: "adam", learningRate: 1e-4, beta1: 0.5, beta2: 0.999 },
        discriminatorOptimizer: { type: "adam", learningRate: 1e-4, beta1: 0.5, beta2: 0.999 },
        decayFrom: 0.5,
      };
    case "stargan-vc2":
      // Kaneko et al. 2019: LSGAN, lambda_cyc 10, lambda_id 5 for the first 10^4 steps, Adam 2e-4 / 1e-4, batch 8.
      return {
        preset,
        steps: 200_000,
        batchSize: 8,
        // 8 x 80 x 128 does not fit the 4 GiB wasm heap in one pass; instance norm makes micro-batches exact.
        microBatch: 2,
        cropFrames: 128,
        adversarial: "lsgan",
        nCritic: 1,
        lambda: { gp: 10, cls: 0, cycle: 10, identity: 5 },
        identityUntil: 10_000,
        generatorOptimizer: { type: "adam", learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
        discriminatorOptimizer: { type: "adam", learningRate: 1e-4, beta1: 0.5, beta2: 0.999 },
        decayFrom: 0.5,
      };
    case "tiny-vc2":
      // StarGAN-VC2's losses (LSGAN on source and target, no classifier, identity for the first tenth) at tiny's
      // learning rates and crop.
      return {
        preset,
        steps: 600,
        batchSize: 4,
        cropFrames: 64,
        adversarial: "lsgan",
        nCritic: 1,
        lambda: { gp: 10, cls: 0, cycle: 10, identity: 5 },
        identityUntil: null,
        generatorOptimizer: { type: "adam", learningRate: 1e-3, beta1: 0.5, beta2: 0.999 },
        discriminatorOptimizer: { type: "adam", learningRate: 1e-3, beta1: 0.5, beta2: 0.999 },
        decayFrom: 0.4,
        checkpointEvery: 100,
        sampleEvery: 100,
      };
    case "temporal":
    case "tiny-cepstral":
    case "tiny":
      return {
        preset,
        steps: 300,
        batchSize: 8,
        cropFrames: 64,
        adversarial: "lsgan",
        nCritic: 1,
        lambda: { gp: 10, cls: 1, cycle: 10, identity: 5 },
        generatorOptimizer: { type: "adam", learningRate: 1e-3, beta1: 0.5, beta2: 0.999 },
        discriminatorOptimizer: { type: "adam", learningRate: 1e-3, beta1: 0.5, beta2: 0.999 },
        decayFrom: 0.4,
        checkpointEvery: 100,
        sampleEvery: 100,
      };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `b` over `a`, objects merged key by key. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const base = out[key];
    out[key] = isObject(base) && isObject(value) ? deepMerge(base, value) : value;
  }
  return out;
}

/**
 * `path=value` overrides (`lambda.cycle=5`, `generatorOptimizer.learningRate=2e-4`, `backend=cpu`) as an object.
 * Values are read as JSON when they parse (numbers, booleans, null), else as strings.
 */
export function parseOverrides(assignments: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const at = assignment.indexOf("=");
    if (at <= 0) throw new TrainConfigError("overrides", [`${assignment}: expected path=value`]);
    const path = assignment.slice(0, at).split(".");
    const text = assignment.slice(at + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    const nested = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
    out = deepMerge(out, nested);
  }
  return out;
}

/** Checks a full config; every wrong field is reported, by name, before any work starts. */
export function validateTrainConfig(value: unknown, source = "config"): TrainConfig {
  const result = trainConfigSchema.safeParse(value);
  const problems = result.success
    ? []
    : result.error.issues.map(
        (issue) => `${issue.path.length ? issue.path.join(".") : "(top level)"}: ${issue.message}`,
      );
  if (result.success) {
    const c = result.data;
    if ((c.steps === null) === (c.epochs === null)) problems.push("steps/epochs: expected exactly one of the two");
    if (c.microBatch !== null && c.batchSize % c.microBatch !== 0) {
      problems.push(`microBatch: expected a divisor of batchSize (${c.batchSize}), found ${c.microBatch}`);
    }
  }
  if (problems.length > 0) throw new TrainConfigError(source, problems);
  return (result as { data: TrainConfig }).data;
}

export interface ResolveOptions {
  preset?: string;
  /** A JSON config file; its fields override the preset's defaults. */
  configFile?: string;
  /** Flag overrides, applied last. */
  overrides?: Record<string, unknown>;
}

/** Preset defaults <- config file <- overrides, validated as one config. */
export async function resolveTrainConfig(options: ResolveOptions): Promise<TrainConfig> {
  let fromFile: Record<string, unknown> = {};
  if (options.configFile) {
    let text: string;
    try {
      text = await readFile(options.configFile, "utf8");
    } catch (error) {
      throw new TrainConfigError(options.configFile, [
        `(file): expected a readable JSON file, found ${(error as NodeJS.ErrnoException).code ?? error}`,
      ]);
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!isObject(parsed)) throw new Error("not an object");
      fromFile = parsed;
    } catch (error) {
      throw new TrainConfigError(options.configFile, [
        `(file): expected a JSON object, found ${(error as Error).message}`,
      ]);
    }
  }
  const preset = options.overrides?.preset ?? fromFile.preset ?? options.preset;
  if (typeof preset !== "string" || !(presetNames as readonly string[]).includes(preset)) {
    throw new TrainConfigError(options.configFile ?? "options", [
      `preset: expected one of ${presetNames.join(", ")}, found ${JSON.stringify(preset)}`,
    ]);
  }
  const merged = deepMerge(deepMerge(presetTrainDefaults(preset as PresetName), fromFile), options.overrides ?? {});
  // Choosing steps in a file or flag replaces the preset's epochs, and the other way round.
  const chosen = { ...fromFile, ...(options.overrides ?? {}) };
  if (chosen.steps !== undefined && chosen.epochs === undefined) merged.epochs = null;
  if (chosen.epochs !== undefined && chosen.steps === undefined) merged.steps = null;
  return validateTrainConfig(merged, options.configFile ?? `preset ${preset}`);
}

/** The FeatureStore options a run's config fixes: its crops, and the split and sampler its seeds give. */
export function featureStoreOptions(config: TrainConfig): FeatureStoreOptions {
  return {
    cropFrames: config.cropFrames,
    validationFraction: config.validationFraction,
    seed: config.seed,
    ...(config.splitSeed === null ? {} : { splitSeed: config.splitSeed }),
  };
}
