import type {
  DiscriminatorConfig,
  ProjectionDiscriminatorConfig,
  StarGanDiscriminatorConfig,
  TemporalDiscriminatorConfig,
} from "./config.js";
import { GLU, LeakyReLU2 } from "./layers/activations.js";
import { PaddedConv2D } from "./layers/conv.js";
import { FoldFrequency, ProjectionHead } from "./layers/reshape.js";
import * as tf from "./tfjs.js";

type SymbolicTensor = tf.SymbolicTensor;

/**
 * Builds a discriminator.
 * - stargan: input (n, bins, frames, 1) -> [src (n, bins/2^L, frames/2^L, 1), cls (n, numClasses), or with the
 *   patch classifier (n, bins/2^L, frames/2^L, numClasses)] (cls omitted when numClasses is 0).
 * - projection: inputs [spectrogram (n, bins, any frames, 1), code (n, 2 numSpeakers)] -> (n, 1).
 * - temporal: input (n, bins, any frames, 1) -> [src (n, 1, patches, 1), cls (n, 1, patches, numClasses)].
 * Every activation is twice differentiable, for the WGAN-GP penalty.
 */
export function buildDiscriminator(config: DiscriminatorConfig, name = "discriminator"): tf.LayersModel {
  if (config.kind === "stargan") return buildStarGanDiscriminator(config, name);
  if (config.kind === "temporal") return buildTemporalDiscriminator(config, name);
  return buildProjectionDiscriminator(config, name);
}

function buildStarGanDiscriminator(c: StarGanDiscriminatorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, c.frames, 1], name: "spectrogram" });
  let x: SymbolicTensor = spectrogram;
  let channels = c.baseChannels;
  for (let level = 1; level <= c.levels; level++) {
    x = new PaddedConv2D({
      filters: channels,
      kernelSize: [4, 4],
      strides: [2, 2],
      padding: [1, 1],
      name: `conv${level}`,
    }).apply(x) as SymbolicTensor;
    x = new LeakyReLU2({ alpha: 0.01, name: `lrelu${level}` }).apply(x) as SymbolicTensor;
    if (level < c.levels) channels *= 2;
  }
  const src = new PaddedConv2D({ filters: 1, kernelSize: [3, 3], padding: [1, 1], useBias: false, name: "src" }).apply(
    x,
  ) as SymbolicTensor;
  if (c.numClasses === 0) return tf.model({ inputs: spectrogram, outputs: src, name });
  if (c.classifier === "patch") {
    const cls = new PaddedConv2D({
      filters: c.numClasses,
      kernelSize: [3, 3],
      padding: [1, 1],
      useBias: false,
      name: "cls",
    }).apply(x) as SymbolicTensor;
    return tf.model({ inputs: spectrogram, outputs: [src, cls], name });
  }
  const finalSize: [number, number] = [c.bins / 2 ** c.levels, c.frames / 2 ** c.levels];
  const clsMap = new PaddedConv2D({ filters: c.numClasses, kernelSize: finalSize, useBias: false, name: "cls" }).apply(
    x,
  );
  const cls = tf.layers.flatten({ name: "cls_flatten" }).apply(clsMap) as SymbolicTensor;
  return tf.model({ inputs: spectrogram, outputs: [src, cls], name });
}

function buildProjectionDiscriminator(c: ProjectionDiscriminatorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, null, 1], name: "spectrogram" });
  const code = tf.input({ shape: [2 * c.numSpeakers], name: "code" });
  let x: SymbolicTensor = spectrogram;
  c.channels.forEach((filters, i) => {
    // The first block keeps resolution; each later one halves both axes. GLU gates as in StarGAN-VC2.
    const strides: [number, number] = i === 0 ? [1, 1] : [2, 2];
    x = new PaddedConv2D({
      filters: 2 * filters,
      kernelSize: [3, 3],
      strides,
      padding: [1, 1],
      name: `conv${i + 1}`,
    }).apply(x) as SymbolicTensor;
    x = new GLU({ name: `glu${i + 1}` }).apply(x) as SymbolicTensor;
  });
  const out = new ProjectionHead({ name: "projection" }).apply([x, code]) as SymbolicTensor;
  return tf.model({ inputs: [spectrogram, code], outputs: out, name });
}

function buildTemporalDiscriminator(c: TemporalDiscriminatorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, null, 1], name: "spectrogram" });
  const half = (c.kernel - 1) / 2;
  let x = new FoldFrequency({ name: "to_1d" }).apply(spectrogram) as SymbolicTensor;
  c.channels.forEach((filters, i) => {
    x = new PaddedConv2D({
      filters,
      kernelSize: [1, c.kernel],
      strides: [1, i === 0 ? 1 : 2],
      padding: [0, half],
      name: `conv${i + 1}`,
    }).apply(x) as SymbolicTensor;
    x = new LeakyReLU2({ alpha: 0.01, name: `lrelu${i + 1}` }).apply(x) as SymbolicTensor;
  });
  const head = (filters: number, headName: string) =>
    new PaddedConv2D({ filters, kernelSize: [1, 3], padding: [0, 1], useBias: false, name: headName }).apply(
      x,
    ) as SymbolicTensor;
  const src = head(1, "src");
  if (c.numClasses === 0) return tf.model({ inputs: spectrogram, outputs: src, name });
  return tf.model({ inputs: spectrogram, outputs: [src, head(c.numClasses, "cls")], name });
}
