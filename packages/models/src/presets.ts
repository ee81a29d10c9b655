import { type ModelConfig, validateModelConfig } from "./config.js";
import { ModelConfigError } from "./errors.js";

/** Preset names are API: runs, configs and the CLI refer to them. */
export const presetNames = [
  "seed-31f31449",
  "stargan-2018",
  "stargan-vc",
  "stargan-vc2",
  "tiny",
  "tiny-vc2",
  "temporal",
  "tiny-cepstral",
] as const;
export type PresetName = (typeof presetNames)[number];

export interface PresetOptions {
  /** Labels (the seed's 1479) or speakers; default 1479 for the StarGAN presets, 4 for stargan-vc2 and tiny. */
  numLabels?: number;
  /** Frequency rows of the features (the FeatureSpec's bins); default 256 (seed, stargan-2018) or 80. */
  bins?: number;
  /** Frames of the training crops the StarGAN discriminator judges; default 256 (seed), 128, or 64 (tiny). */
  frames?: number;
  /** The generator's last activation: sigmoid (default, [0, 1] spectrograms) or linear (normalised or world rows). */
  output?: "sigmoid" | "linear";
}

/** Most halvings (up to `most`) that divide both `bins` and `frames`: `tiny`'s discriminator on 36 cepstral rows. */
function levelsFitting(bins: number, frames: number, most: number): number {
  let levels = most;
  while (levels > 1 && (bins % 2 ** levels !== 0 || frames % 2 ** levels !== 0)) levels--;
  return levels;
}

/**
 * The model config of a preset:
 * - `seed-31f31449`: the generator of record 31f31449 exactly, and the StarGAN discriminator (6 levels from 64).
 * - `stargan-2018`: the image StarGAN generator (labels tiled at the input, 2 levels, 6 square 3x3 ResBlocks,
 *   instance norm) — our reading of the seed's predecessor — with the same discriminator.
 * - `stargan-vc`: StarGAN-VC's gated CNN generator (Kameoka et al. 2018) on 36 mel-cepstral coefficients.
 * - `stargan-vc2`: the 2-1-2D generator and projection discriminator of StarGAN-VC2, on 80-band log-mel.
 * - `tiny`: the seed's shape at a few hundred thousand parameters, for tests and the CPU demo.
 * - `tiny-vc2`: StarGAN-VC2's shape (2-1-2D generator with conditional instance norm, projection discriminator
 *   conditioned on source and target) at a quarter of its channels and 3 residual blocks, for CPU training.
 * - `temporal`: 1-D convolutions over time on cepstral rows (all rows of a few frames per conv), generator and
 *   discriminator, the discriminator classifying every patch; for world features on CPU.
 * - `tiny-cepstral`: `tiny`'s generator judged by the temporal discriminator (32/64/128 channels): the demo's, on
 *   world features.
 */
/** The StarGAN discriminator the seed record keeps from its predecessor: 6 levels from 64 channels. */
function starGanDiscriminator(bins: number, frames: number, numClasses: number) {
  return { kind: "stargan", bins, frames, numClasses, baseChannels: 64, levels: 6 } as const;
}

export function presetConfig(name: PresetName, options: PresetOptions = {}): ModelConfig {
  switch (name) {
    case "seed-31f31449": {
      const numLabels = options.numLabels ?? 1479;
      const bins = options.bins ?? 256;
      return validateModelConfig({
        generator: {
          kind: "stargan",
          bins,
          numLabels,
          baseChannels: 32,
          firstKernel: 7,
          downsamplings: 3,
          labelsAt: "bottleneck",
          mergeKernel: [3, 5],
          resBlocks: 6,
          resKernel: [3, 5],
          norm: "batch",
          output: options.output ?? "sigmoid",
        },
        discriminator: starGanDiscriminator(bins, options.frames ?? 256, numLabels),
      });
    }
    case "stargan-2018": {
      const numLabels = options.numLabels ?? 1479;
      const bins = options.bins ?? 256;
      return validateModelConfig({
        generator: {
          kind: "stargan",
          bins,
          numLabels,
          baseChannels: 64,
          firstKernel: 7,
          downsamplings: 2,
          labelsAt: "input",
          mergeKernel: null,
          resBlocks: 6,
          resKernel: [3, 3],
          norm: "instance",
          output: options.output ?? "sigmoid",
        },
        discriminator: starGanDiscriminator(bins, options.frames ?? 256, numLabels),
      });
    }
    case "stargan-vc": {
      // The paper's generator on 36 mel-cepstral rows. Its discriminator (a gated CNN with the label tiled on at
      // every layer) and separate domain classifier are here StarGAN's PatchGAN with a classification head, as
      // deep as 36 rows allow (2 halvings): the departure is the discriminator's, not the generator's.
      const numLabels = options.numLabels ?? 4;
      const bins = options.bins ?? 36;
      const frames = options.frames ?? 128;
      return validateModelConfig({
        generator: { kind: "stargan-vc", bins, numLabels, output: options.output ?? "linear" },
        discriminator: {
          kind: "stargan",
          bins,
          frames,
          numClasses: numLabels,
          baseChannels: 32,
          levels: levelsFitting(bins, frames, 4),
        },
      });
    }
    case "stargan-vc2": {
      const numSpeakers = options.numLabels ?? 4;
      const bins = options.bins ?? 80;
      return validateModelConfig({
        generator: {
          kind: "stargan-vc2",
          bins,
          numSpeakers,
          channels: [64, 128, 256],
          bottleneckChannels: 256,
          resBlocks: 9,
          output: options.output ?? "sigmoid",
        },
        discriminator: { kind: "projection", bins, numSpeakers, channels: [64, 128, 256, 512] },
      });
    }
    case "tiny-vc2": {
      const numSpeakers = options.numLabels ?? 4;
      const bins = options.bins ?? 36;
      return validateModelConfig({
        generator: {
          kind: "stargan-vc2",
          bins,
          numSpeakers,
          channels: [16, 32, 64],
          bottleneckChannels: 64,
          resBlocks: 3,
          output: options.output ?? "linear",
        },
        discriminator: { kind: "projection", bins, numSpeakers, channels: [16, 32, 64, 128] },
      });
    }
    case "temporal": {
      const numLabels = options.numLabels ?? 4;
      const bins = options.bins ?? 36;
      return validateModelConfig({
        generator: {
          kind: "temporal",
          bins,
          numLabels,
          channels: [64, 128, 256],
          resBlocks: 3,
          norm: "batch",
          kernel: 5,
          output: options.output ?? "linear",
        },
        discriminator: { kind: "temporal", bins, numClasses: numLabels, channels: [64, 128, 256], kernel: 5 },
      });
    }
    case "tiny-cepstral": {
      const tiny = presetConfig("tiny", { ...options, bins: options.bins ?? 36 });
      const numClasses = tiny.generator.kind === "stargan" ? tiny.generator.numLabels : 4;
      return validateModelConfig({
        generator: tiny.generator,
        discriminator: { kind: "temporal", bins: tiny.generator.bins, numClasses, channels: [32, 64, 128], kernel: 5 },
      });
    }
    case "tiny": {
      const numLabels = options.numLabels ?? 4;
      const bins = options.bins ?? 80;
      return validateModelConfig({
        generator: {
          kind: "stargan",
          bins,
          numLabels,
          baseChannels: 16,
          firstKernel: 7,
          downsamplings: 2,
          labelsAt: "bottleneck",
          mergeKernel: [3, 5],
          resBlocks: 2,
          resKernel: [3, 5],
          norm: "batch",
          output: options.output ?? "sigmoid",
        },
        discriminator: {
          kind: "stargan",
          bins,
          frames: options.frames ?? 64,
          numClasses: numLabels,
          baseChannels: 16,
          levels: levelsFitting(bins, options.frames ?? 64, 4),
        },
      });
    }
    default:
      throw new ModelConfigError("preset", `one of ${presetNames.join(", ")}`, JSON.stringify(name));
  }
}
