import { conv2dFast } from "../ops/conv.js";
import * as tf from "../tfjs.js";
import { channels, convLength, type Shape } from "./common.js";
import { type PaddedConvArgs, PaddedConvBase } from "./conv.js";

/**
 * Concatenates a label vector, repeated over every spatial position, to a feature map:
 * [features (n, h, w, c), labels (n, l)] -> (n, h, w, c + l). The seed tiles its 1479 labels over the 32 x 32
 * bottleneck this way; the image StarGAN over its input.
 */
export class TileLabels extends tf.layers.Layer {
  static className = "VoxTileLabels";

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [features, labels] = inputShape as Shape[];
    const [n, h, w, c] = features as Shape;
    const l = (labels as Shape)[1];
    return [n ?? null, h ?? null, w ?? null, c == null || l == null ? null : c + l];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [features, labels] = inputs as [tf.Tensor4D, tf.Tensor2D];
      const [n, h, w] = features.shape;
      const tiled = tf.tile(tf.reshape(labels, [n, 1, 1, labels.shape[1]]), [1, h, w, 1]);
      return tf.concat([features, tiled], 3);
    });
  }
}
tf.serialization.registerClass(TileLabels);

/**
 * A stride-1 convolution over [features, labels tiled over every position] — TileLabels then PaddedConv2D, with
 * the same kernel [kh, kw, c + l, filters] — computed without tiling. The labels are the same at every
 * position, so their part of the output is, per item, a sum of per-tap vectors (labels x kernel tap) over the
 * taps that fall inside the zero-padded map: one small matMul for the taps and one for their coverage. The
 * seed's merge conv sees 1479 tiled label channels next to 256 features: 85 % of its 13.6 GFLOP per item,
 * 27 % of the whole generator's forward pass.
 */
export class TiledLabelConv2D extends PaddedConvBase {
  static className = "VoxTiledLabelConv2D";

  constructor(args: PaddedConvArgs) {
    super({ ...args, strides: [1, 1] });
  }

  override build(inputShape: Shape | Shape[]): void {
    const [features, labels] = inputShape as Shape[];
    const c = channels(features as Shape, this.name);
    const l = channels(labels as Shape, this.name);
    const [kh, kw] = this.conv.kernelSize;
    this.addKernelAndBias([kh, kw, c + l, this.conv.filters], (c + l) * kh * kw);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w] = (inputShape as Shape[])[0] as Shape;
    const { kernelSize: k, padding: p, filters } = this.conv;
    return [n ?? null, convLength(h ?? null, k[0], 1, p[0]), convLength(w ?? null, k[1], 1, p[1]), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [features, labels] = inputs as [tf.Tensor4D, tf.Tensor2D];
      const [n, inH, inW, c] = features.shape;
      const l = labels.shape[1];
      const [kh, kw] = this.conv.kernelSize;
      const { padding, filters: f } = this.conv;
      const kernel = this.kernelTensor();
      const y = conv2dFast(features, tf.slice(kernel, [0, 0, 0, 0], [kh, kw, c, f]), { strides: [1, 1], pad: padding });
      const [, h, w] = y.shape;
      // perTap[b, tap, o] = sum_k labels[b, k] kernel[tap, c + k, o], laid out [tap, b * o] for the next matMul.
      const labelKernel = tf.reshape(tf.transpose(tf.slice(kernel, [0, 0, c, 0], [kh, kw, l, f]), [2, 0, 1, 3]), [
        l,
        kh * kw * f,
      ]);
      const perTap = tf.transpose(tf.reshape(tf.matMul(labels, labelKernel), [n, kh * kw, f]), [1, 0, 2]);
      const covered = tf.matMul(
        tapCoverage([h, w], [inH, inW], [kh, kw], padding),
        tf.reshape(perTap, [kh * kw, n * f]),
      );
      const labelTerm = tf.transpose(tf.reshape(covered, [h, w, n, f]), [2, 0, 1, 3]);
      return this.withBias(tf.add(y, labelTerm));
    });
  }
}
tf.serialization.registerClass(TiledLabelConv2D);

/** [h * w, kh * kw]: 1 where kernel tap (i, j) at output (y, x) reads inside the input (zero padding p), else 0. */
function tapCoverage(
  [h, w]: [number, number],
  [inH, inW]: [number, number],
  [kh, kw]: [number, number],
  [ph, pw]: [number, number],
): tf.Tensor2D {
  const values = new Float32Array(h * w * kh * kw);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const row = (y * w + x) * kh * kw;
      for (let i = 0; i < kh; i++) {
        const inside = y + i - ph >= 0 && y + i - ph < inH;
        for (let j = 0; j < kw; j++) {
          if (inside && x + j - pw >= 0 && x + j - pw < inW) values[row + i * kw + j] = 1;
        }
      }
    }
  }
  return tf.tensor2d(values, [h * w, kh * kw]);
}
