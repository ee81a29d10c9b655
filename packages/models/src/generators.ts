import type {
  GeneratorConfig,
  StarGanGeneratorConfig,
  StarGanVcGeneratorConfig,
  TemporalGeneratorConfig,
  Vc2GeneratorConfig,
} from "./config.js";
import { GLU, PixelShuffle } from "./layers/activations.js";
import { PaddedConv2D, PaddedConv2DTranspose } from "./layers/conv.js";
import { TiledLabelConv2D, TileLabels } from "./layers/labels.js";
import { BatchNorm, ConditionalInstanceNorm, InstanceNorm } from "./layers/normalization.js";
import { FoldFrequency, UnfoldFrequency } from "./layers/reshape.js";
import * as tf from "./tfjs.js";

type SymbolicTensor = tf.SymbolicTensor;

/**
 * Builds a generator: inputs [spectrogram (n, bins, frames, 1) in [0, 1], labels (n, numLabels)] (for
 * stargan-vc2 the second input is the code: source and target one-hots side by side, (n, 2 numSpeakers));
 * output (n, bins, frames, 1), in (0, 1) for `output: "sigmoid"`. Frames are left unknown: every generator is fully convolutional in
 * time (frames must be a multiple of the downsampling factor, see {@link timeMultiple}).
 */
export function buildGenerator(config: GeneratorConfig, name = "generator"): tf.LayersModel {
  if (config.kind === "stargan") return buildStarGanGenerator(config, name);
  if (config.kind === "stargan-vc") return buildStarGanVcGenerator(config, name);
  if (config.kind === "temporal") return buildTemporalGenerator(config, name);
  return buildVc2Generator(config, name);
}

/** Frames a generator's input must be a multiple of. */
export function timeMultiple(config: GeneratorConfig): number {
  return config.kind === "stargan" ? 2 ** config.downsamplings : 4;
}

/** Length of the condition vector a generator takes: target labels, or StarGAN-VC2's source-and-target code. */
export function conditionWidth(config: GeneratorConfig): number {
  if (config.kind === "stargan-vc2") return 2 * config.numSpeakers;
  return config.kind === "stargan" && config.condition === "source-and-target"
    ? 2 * config.numLabels
    : config.numLabels;
}

/** The last activation: a sigmoid onto [0, 1], or none (the layer graph of older sigmoid models is unchanged). */
function outputActivation(
  out: tf.SymbolicTensor | tf.Tensor | tf.Tensor[] | tf.SymbolicTensor[],
  kind: "sigmoid" | "linear",
): SymbolicTensor {
  if (kind === "linear") return out as SymbolicTensor;
  return tf.layers.activation({ activation: "sigmoid", name: "out_sigmoid" }).apply(out) as SymbolicTensor;
}

function normalization(kind: "batch" | "instance", name: string): tf.layers.Layer {
  // PyTorch's BatchNorm2d: momentum 0.1 (tfjs counts it the other way), eps 1e-5.
  return kind === "batch" ? new BatchNorm({ momentum: 0.9, epsilon: 1e-5, name }) : new InstanceNorm({ name });
}

/**
 * Conv (bias-free) + norm + ReLU. With `labels`, the conv sees [x, labels tiled over every position] — computed
 * by TiledLabelConv2D without tiling; same kernel, same function.
 */
function convNormRelu(
  x: SymbolicTensor,
  filters: number,
  kernelSize: [number, number],
  strides: [number, number],
  padding: [number, number],
  norm: "batch" | "instance",
  name: string,
  labels?: SymbolicTensor,
): SymbolicTensor {
  const args = { filters, kernelSize, strides, padding, useBias: false, name: `${name}_conv` };
  const conv = labels ? new TiledLabelConv2D(args).apply([x, labels]) : new PaddedConv2D(args).apply(x);
  const normed = normalization(norm, `${name}_norm`).apply(conv);
  return tf.layers.reLU({ name: `${name}_relu` }).apply(normed) as SymbolicTensor;
}

function starGanResBlock(x: SymbolicTensor, c: StarGanGeneratorConfig, channels: number, name: string): SymbolicTensor {
  const k = c.resKernel;
  const pad: [number, number] = [Math.floor(k[0] / 2), Math.floor(k[1] / 2)];
  const h = convNormRelu(x, channels, k, [1, 1], pad, c.norm, `${name}_a`);
  const conv = new PaddedConv2D({
    filters: channels,
    kernelSize: k,
    padding: pad,
    useBias: false,
    name: `${name}_b_conv`,
  }).apply(h);
  const normed = normalization(c.norm, `${name}_b_norm`).apply(conv) as SymbolicTensor;
  return tf.layers.add({ name: `${name}_add` }).apply([x, normed]) as SymbolicTensor;
}

function buildStarGanGenerator(c: StarGanGeneratorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, null, 1], name: "spectrogram" });
  const labels = tf.input({ shape: [conditionWidth(c)], name: "labels" });
  const k = c.firstKernel;
  const firstPad: [number, number] = [Math.floor(k / 2), Math.floor(k / 2)];
  let x: SymbolicTensor = spectrogram;
  let channels = c.baseChannels;
  const inputLabels = c.labelsAt === "input" ? labels : undefined;
  x = convNormRelu(x, channels, [k, k], [1, 1], firstPad, c.norm, "down0", inputLabels);
  for (let level = 1; level <= c.downsamplings; level++) {
    channels *= 2;
    x = convNormRelu(x, channels, [4, 4], [2, 2], [1, 1], c.norm, `down${level}`);
  }
  if (c.labelsAt === "bottleneck" && c.mergeKernel) {
    const m = c.mergeKernel;
    x = convNormRelu(x, channels, m, [1, 1], [Math.floor(m[0] / 2), Math.floor(m[1] / 2)], c.norm, "merge", labels);
  }
  for (let block = 1; block <= c.resBlocks; block++) x = starGanResBlock(x, c, channels, `res${block}`);
  for (let level = 1; level <= c.downsamplings; level++) {
    channels /= 2;
    const up = new PaddedConv2DTranspose({
      filters: channels,
      kernelSize: [4, 4],
      strides: [2, 2],
      padding: [1, 1],
      useBias: false,
      name: `up${level}_deconv`,
    }).apply(x);
    const normed = normalization(c.norm, `up${level}_norm`).apply(up);
    x = tf.layers.reLU({ name: `up${level}_relu` }).apply(normed) as SymbolicTensor;
  }
  const out = new PaddedConv2DTranspose({
    filters: 1,
    kernelSize: [k, k],
    padding: firstPad,
    name: "out_deconv",
  }).apply(x) as SymbolicTensor;
  if (!c.residual) return tf.model({ inputs: [spectrogram, labels], outputs: outputActivation(out, c.output), name });
  const sum = tf.layers.add({ name: "residual_add" }).apply([spectrogram, out]) as SymbolicTensor;
  const model = tf.model({ inputs: [spectrogram, labels], outputs: outputActivation(sum, c.output), name });
  // The change starts at zero, so the untrained generator returns its input exactly.
  const last = model.getLayer("out_deconv");
  const zeros = last.getWeights().map((w) => tf.zerosLike(w));
  last.setWeights(zeros);
  tf.dispose(zeros);
  return model;
}

function buildVc2Generator(c: Vc2GeneratorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, null, 1], name: "spectrogram" });
  const code = tf.input({ shape: [2 * c.numSpeakers], name: "code" });
  const [c0, c1, c2] = c.channels;
  let x = gatedLayer(spectrogram, c0, [5, 15], [1, 1], [2, 7], null, false, "in");
  x = gatedLayer(x, c1, [5, 5], [2, 2], [2, 2], "instance", false, "down1");
  x = gatedLayer(x, c2, [5, 5], [2, 2], [2, 2], "instance", false, "down2");
  const foldedBins = c.bins / 4;
  // 2-D -> 1-D: frequency folded into channels, 1x1 conv to the bottleneck width.
  x = new FoldFrequency({ name: "to_1d" }).apply(x) as SymbolicTensor;
  x = new PaddedConv2D({ filters: c.bottleneckChannels, kernelSize: [1, 1], useBias: false, name: "to_1d_conv" }).apply(
    x,
  ) as SymbolicTensor;
  x = new InstanceNorm({ name: "to_1d_norm" }).apply(x) as SymbolicTensor;
  for (let block = 1; block <= c.resBlocks; block++) {
    const h = new PaddedConv2D({
      filters: 2 * c.bottleneckChannels,
      kernelSize: [1, 5],
      padding: [0, 2],
      useBias: false,
      name: `res${block}_conv`,
    }).apply(x);
    const conditioned = new ConditionalInstanceNorm({ name: `res${block}_cin` }).apply([h as SymbolicTensor, code]);
    const gated = new GLU({ name: `res${block}_glu` }).apply(conditioned) as SymbolicTensor;
    x = tf.layers.add({ name: `res${block}_add` }).apply([x, gated]) as SymbolicTensor;
  }
  x = new PaddedConv2D({ filters: foldedBins * c2, kernelSize: [1, 1], useBias: false, name: "to_2d_conv" }).apply(
    x,
  ) as SymbolicTensor;
  x = new InstanceNorm({ name: "to_2d_norm" }).apply(x) as SymbolicTensor;
  x = new UnfoldFrequency({ bins: foldedBins, name: "to_2d" }).apply(x) as SymbolicTensor;
  for (const [level, filters] of [
    [1, c1],
    [2, c0],
  ] as const) {
    // Upsample: conv to 4x channels (x2 for the gate), pixel shuffle x2, instance norm, GLU.
    let h = new PaddedConv2D({
      filters: 8 * filters,
      kernelSize: [5, 5],
      padding: [2, 2],
      useBias: false,
      name: `up${level}_conv`,
    }).apply(x) as SymbolicTensor;
    h = new PixelShuffle({ factor: 2, name: `up${level}_shuffle` }).apply(h) as SymbolicTensor;
    h = new InstanceNorm({ name: `up${level}_norm` }).apply(h) as SymbolicTensor;
    x = new GLU({ name: `up${level}_glu` }).apply(h) as SymbolicTensor;
  }
  const out = new PaddedConv2D({ filters: 1, kernelSize: [5, 15], padding: [2, 7], name: "out_conv" }).apply(x);
  return tf.model({ inputs: [spectrogram, code], outputs: outputActivation(out, c.output), name });
}

/**
 * One gated layer of StarGAN-VC and VC2: a (transposed) conv to 2 x filters, a norm (bias-free conv) or none (conv
 * with bias), GLU.
 */
function gatedLayer(
  x: SymbolicTensor,
  filters: number,
  kernelSize: [number, number],
  strides: [number, number],
  padding: [number, number],
  norm: "batch" | "instance" | null,
  transposed: boolean,
  name: string,
): SymbolicTensor {
  const args = { filters: 2 * filters, kernelSize, strides, padding, useBias: norm === null, name: `${name}_conv` };
  let h = (transposed ? new PaddedConv2DTranspose(args) : new PaddedConv2D(args)).apply(x) as SymbolicTensor;
  if (norm) h = normalization(norm, `${name}_norm`).apply(h) as SymbolicTensor;
  return new GLU({ name: `${name}_glu` }).apply(h) as SymbolicTensor;
}

function buildStarGanVcGenerator(c: StarGanVcGeneratorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, null, 1], name: "spectrogram" });
  const labels = tf.input({ shape: [c.numLabels], name: "labels" });
  const folded = c.bins / 4;
  let x = gatedLayer(spectrogram, 32, [3, 9], [1, 1], [1, 4], "batch", false, "enc1");
  x = gatedLayer(x, 64, [4, 8], [2, 2], [1, 3], "batch", false, "enc2");
  x = gatedLayer(x, 128, [4, 8], [2, 2], [1, 3], "batch", false, "enc3");
  x = gatedLayer(x, 64, [3, 5], [1, 1], [1, 2], "batch", false, "enc4");
  x = gatedLayer(x, 5, [folded, 5], [folded, 1], [0, 2], "batch", false, "enc5");
  const withLabels = (h: SymbolicTensor, at: string) =>
    new TileLabels({ name: `${at}_labels` }).apply([h, labels]) as SymbolicTensor;
  x = gatedLayer(withLabels(x, "dec1"), 64, [folded, 5], [folded, 1], [0, 2], "batch", true, "dec1");
  x = gatedLayer(withLabels(x, "dec2"), 128, [3, 5], [1, 1], [1, 2], "batch", true, "dec2");
  x = gatedLayer(withLabels(x, "dec3"), 64, [4, 8], [2, 2], [1, 3], "batch", true, "dec3");
  x = gatedLayer(withLabels(x, "dec4"), 32, [4, 8], [2, 2], [1, 3], "batch", true, "dec4");
  const out = new PaddedConv2DTranspose({ filters: 1, kernelSize: [3, 9], padding: [1, 4], name: "out_deconv" }).apply(
    withLabels(x, "out"),
  );
  return tf.model({ inputs: [spectrogram, labels], outputs: outputActivation(out, c.output), name });
}

function buildTemporalGenerator(c: TemporalGeneratorConfig, name: string): tf.LayersModel {
  const spectrogram = tf.input({ shape: [c.bins, null, 1], name: "spectrogram" });
  const labels = tf.input({ shape: [c.numLabels], name: "labels" });
  const [c0, c1, c2] = c.channels;
  const k = c.kernel;
  const half = (k - 1) / 2;
  // (n, bins, T, 1) -> (n, 1, T, bins): every conv below spans all rows of k frames.
  let x = new FoldFrequency({ name: "to_1d" }).apply(spectrogram) as SymbolicTensor;
  x = gatedLayer(x, c0, [1, k], [1, 1], [0, half], null, false, "in");
  x = gatedLayer(x, c1, [1, k], [1, 2], [0, half], c.norm, false, "down1");
  x = gatedLayer(x, c2, [1, k], [1, 2], [0, half], c.norm, false, "down2");
  for (let block = 1; block <= c.resBlocks; block++) {
    const h = new TiledLabelConv2D({
      filters: 2 * c2,
      kernelSize: [1, k],
      padding: [0, half],
      useBias: false,
      name: `res${block}_conv`,
    }).apply([x, labels]) as SymbolicTensor;
    const normed = normalization(c.norm, `res${block}_norm`).apply(h) as SymbolicTensor;
    const gated = new GLU({ name: `res${block}_glu` }).apply(normed) as SymbolicTensor;
    x = tf.layers.add({ name: `res${block}_add` }).apply([x, gated]) as SymbolicTensor;
  }
  // Kernel 4, stride 2, padding 1: exactly twice the frames, each output frame from two taps (no checkerboard).
  x = gatedLayer(x, c1, [1, 4], [1, 2], [0, 1], c.norm, true, "up1");
  x = gatedLayer(x, c0, [1, 4], [1, 2], [0, 1], c.norm, true, "up2");
  x = new PaddedConv2D({ filters: c.bins, kernelSize: [1, k], padding: [0, half], name: "out_conv" }).apply(
    x,
  ) as SymbolicTensor;
  let out = new UnfoldFrequency({ bins: c.bins, name: "to_2d" }).apply(x) as SymbolicTensor;
  if (c.residual) out = tf.layers.add({ name: "residual_add" }).apply([spectrogram, out]) as SymbolicTensor;
  return tf.model({ inputs: [spectrogram, labels], outputs: outputActivation(out, c.output), name });
}
