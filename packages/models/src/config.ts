import { z } from "zod";
import { problemList } from "@vox/dsp/errors";
import { ModelConfigError } from "./errors.js";

const positiveInt = z.number().int().positive();
const pair = z.tuple([positiveInt, positiveInt]);
/**
 * The generator's last activation: `sigmoid` for [0, 1] spectrograms, `linear` for unbounded rows (normalised
 * features, mel-cepstra). Configs saved before this field existed are sigmoid.
 */
const generatorOutput = z.enum(["sigmoid", "linear"]).default("sigmoid");

/**
 * The StarGAN family on spectrograms (the seed, the image StarGAN, `tiny`): a first k x k conv, `downsamplings`
 * stride-2 4x4 convs doubling channels, labels tiled at the input or at the bottleneck (then merged by a conv),
 * residual blocks, mirrored 4x4 stride-2 transposed convs, a k x k transposed conv to one channel and `output`.
 */
export const starGanGeneratorSchema = z.object({
  kind: z.literal("stargan"),
  /** Frequency rows of the input spectrogram; a multiple of 2^downsamplings. */
  bins: positiveInt,
  /** Length of the target label vector (speakers, or the seed's 1479 labels). */
  numLabels: positiveInt,
  baseChannels: positiveInt,
  firstKernel: positiveInt,
  downsamplings: z.number().int().min(0).max(6),
  labelsAt: z.enum(["input", "bottleneck"]),
  /** Kernel of the conv that merges tiled labels at the bottleneck; null when labels enter at the input. */
  mergeKernel: pair.nullable(),
  resBlocks: z.number().int().min(0),
  resKernel: pair,
  norm: z.enum(["batch", "instance"]),
  /**
   * Add the input to the output (linear output only), the last layer starting at zero: the generator begins as
   * the identity and learns the change to the rows, so the words (every frame's detail) need not pass the
   * bottleneck. Under `speaker` normalisation that starting point is the per-speaker mean/variance shift.
   */
  residual: z.boolean().default(false),
  /**
   * What the label input says: the target speaker (StarGAN's), or the source and the target speakers side by side
   * (2 x numLabels, as StarGAN-VC2 codes them), so each source -> target pair is learned as such.
   */
  condition: z.enum(["target", "source-and-target"]).default("target"),
  output: generatorOutput,
});

/**
 * StarGAN-VC2's 2-1-2D generator: 2-D GLU downsampling, a 1-D bottleneck of residual blocks with conditional
 * instance normalisation on (source, target) codes, 2-D upsampling by pixel shuffle with GLUs.
 */
export const vc2GeneratorSchema = z.object({
  kind: z.literal("stargan-vc2"),
  /** Mel bands; a multiple of 4 (two stride-2 downsamplings). */
  bins: positiveInt,
  numSpeakers: z.number().int().min(2),
  /** Channels after the input conv and after each of the two downsamplings. */
  channels: z.tuple([positiveInt, positiveInt, positiveInt]),
  bottleneckChannels: positiveInt,
  resBlocks: z.number().int().min(0),
  output: generatorOutput,
});

/**
 * StarGAN-VC's generator (Kameoka et al. 2018): a 2-D gated CNN encoder (convs + batch norm + GLU: 3x9 32, 4x8
 * stride 2 64, 4x8 stride 2 128, 3x5 64, then a (bins/4)x5 conv of stride bins/4 to 5 channels that folds the
 * frequency axis away) and a decoder of mirrored transposed convs (64, 128, 64, 32, then 3x9 to 1), the target
 * label tiled onto the input of every decoder layer. Published on 36 mel-cepstral coefficients.
 */
export const starGanVcGeneratorSchema = z.object({
  kind: z.literal("stargan-vc"),
  /** Rows of the input (36 mel-cepstral coefficients); a multiple of 4. */
  bins: positiveInt,
  numLabels: positiveInt,
  output: generatorOutput,
});

/**
 * A 1-D (temporal) generator for cepstral rows: the rows folded into channels, so every conv sees all coefficients
 * of a few frames (a 2-D kernel on a cepstrum relates neighbouring quefrencies, a locality the envelope does not
 * have). A gated conv in, two stride-2 gated convs down, residual blocks that each see the target label tiled over
 * time, two stride-2 transposed gated convs up, a conv out to the rows; `norm` after every conv but the first and
 * last.
 */
export const temporalGeneratorSchema = z.object({
  kind: z.literal("temporal"),
  bins: positiveInt,
  numLabels: positiveInt,
  /** Channels after the input conv and after each of the two downsamplings (the residual blocks' width). */
  channels: z.tuple([positiveInt, positiveInt, positiveInt]),
  resBlocks: z.number().int().min(0),
  /**
   * batch, or instance (which removes each crop's per-channel level over time: the level of each cepstral row,
   * which a generator must then rebuild from the patterns alone).
   */
  norm: z.enum(["batch", "instance"]),
  /** Frames each conv spans (odd). */
  kernel: positiveInt.refine((k) => k % 2 === 1, "expected an odd kernel"),
  /**
   * Add the input to the output: the network learns the change to the rows, so keeping the words (identity) is
   * its starting point rather than something it must learn through a T/4 bottleneck.
   */
  residual: z.boolean().default(false),
  output: generatorOutput,
});

/**
 * A 1-D (temporal) discriminator for cepstral rows, folded into channels like the temporal generator's: convs
 * over time (the first keeps resolution, each later one halves it; LeakyReLU 0.01), a src map and per-patch class
 * logits (n, 1, patches, numClasses). Any number of frames.
 */
export const temporalDiscriminatorSchema = z.object({
  kind: z.literal("temporal"),
  bins: positiveInt,
  numClasses: z.number().int().min(0),
  channels: z.array(positiveInt).min(1),
  kernel: positiveInt.refine((k) => k % 2 === 1, "expected an odd kernel"),
});

/** The image StarGAN's PatchGAN discriminator: stride-2 4x4 convs + LeakyReLU(0.01), src and cls heads. */
export const starGanDiscriminatorSchema = z.object({
  kind: z.literal("stargan"),
  bins: positiveInt,
  /** Frames of the crops it judges (the cls head's kernel covers the final map, so this is fixed). */
  frames: positiveInt,
  numClasses: z.number().int().min(0),
  baseChannels: positiveInt,
  levels: z.number().int().min(1).max(8),
  /**
   * The cls head: `global` (StarGAN's: one conv over the whole final map, logits (n, classes)) or `patch` (a 3x3
   * conv, logits for every patch (n, h, w, classes), as StarGAN-VC's classifier judges each patch: a converted
   * crop must sound like the target in every part, not only on average).
   */
  classifier: z.enum(["global", "patch"]).default("global"),
});

/** StarGAN-VC2's projection discriminator conditioned on (source, target); any number of frames. */
export const projectionDiscriminatorSchema = z.object({
  kind: z.literal("projection"),
  bins: positiveInt,
  numSpeakers: z.number().int().min(2),
  channels: z.array(positiveInt).min(1),
});

export const modelConfigSchema = z.object({
  generator: z.discriminatedUnion("kind", [
    starGanGeneratorSchema,
    vc2GeneratorSchema,
    starGanVcGeneratorSchema,
    temporalGeneratorSchema,
  ]),
  discriminator: z.discriminatedUnion("kind", [
    starGanDiscriminatorSchema,
    projectionDiscriminatorSchema,
    temporalDiscriminatorSchema,
  ]),
});

export type StarGanGeneratorConfig = z.infer<typeof starGanGeneratorSchema>;
export type Vc2GeneratorConfig = z.infer<typeof vc2GeneratorSchema>;
export type StarGanVcGeneratorConfig = z.infer<typeof starGanVcGeneratorSchema>;
export type TemporalGeneratorConfig = z.infer<typeof temporalGeneratorSchema>;
export type GeneratorConfig =
  | StarGanGeneratorConfig
  | Vc2GeneratorConfig
  | StarGanVcGeneratorConfig
  | TemporalGeneratorConfig;
export type StarGanDiscriminatorConfig = z.infer<typeof starGanDiscriminatorSchema>;
export type ProjectionDiscriminatorConfig = z.infer<typeof projectionDiscriminatorSchema>;
export type TemporalDiscriminatorConfig = z.infer<typeof temporalDiscriminatorSchema>;
export type DiscriminatorConfig =
  | StarGanDiscriminatorConfig
  | ProjectionDiscriminatorConfig
  | TemporalDiscriminatorConfig;
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** Validates a model config, reporting every wrong field by its path (e.g. `config.generator.bins`). */
export function validateModelConfig(value: unknown, source = "config"): ModelConfig {
  const result = modelConfigSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${[source, ...issue.path].join(".")}: ${issue.message}`);
    const first = result.error.issues[0];
    throw new ModelConfigError(
      [source, ...(first?.path ?? [])].join("."),
      "a valid model config",
      problemList(problems),
    );
  }
  const config = result.data;
  const g = config.generator;
  if (g.kind === "stargan" && g.residual && g.output !== "linear") {
    throw new ModelConfigError(
      `${source}.generator.residual`,
      `output "linear" for a residual generator (input + change)`,
      `"${g.output}"`,
    );
  }
  const divisor = g.kind === "stargan" ? 2 ** g.downsamplings : 4;
  if (g.bins % divisor !== 0) {
    throw new ModelConfigError(`${source}.generator.bins`, `a multiple of ${divisor}`, String(g.bins));
  }
  if (g.kind === "stargan" && (g.labelsAt === "bottleneck") !== (g.mergeKernel !== null)) {
    throw new ModelConfigError(
      `${source}.generator.mergeKernel`,
      `a kernel exactly when labelsAt is "bottleneck"`,
      JSON.stringify(g.mergeKernel),
    );
  }
  const d = config.discriminator;
  if (d.kind === "stargan") {
    const size = 2 ** d.levels;
    for (const field of ["bins", "frames"] as const) {
      if (d[field] % size !== 0) {
        throw new ModelConfigError(
          `${source}.discriminator.${field}`,
          `a multiple of 2^levels = ${size}`,
          String(d[field]),
        );
      }
    }
  }
  return config;
}
