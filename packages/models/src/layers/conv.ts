import { conv2dFast, conv2dTransposeFast } from "../ops/conv.js";
import * as tf from "../tfjs.js";
import { channels, convLength, type Shape, single, singleShape, torchDefaultInitializer } from "./common.js";

export interface PaddedConvArgs {
  filters: number;
  kernelSize: [number, number];
  strides?: [number, number];
  /** Symmetric zero padding [rows, columns], as PyTorch's `padding=` (tfjs's 'same' cannot express k4 s2 p1 on odd sizes). */
  padding?: [number, number];
  useBias?: boolean;
  name?: string;
  trainable?: boolean;
}

interface ResolvedConvArgs {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: [number, number];
  useBias: boolean;
}

function resolveArgs(args: PaddedConvArgs): ResolvedConvArgs {
  return {
    filters: args.filters,
    kernelSize: args.kernelSize,
    strides: args.strides ?? [1, 1],
    padding: args.padding ?? [0, 0],
    useBias: args.useBias ?? true,
  };
}

/**
 * A 2-D convolution with PyTorch's padding semantics whose gradients run as forward convolutions
 * (ops/conv.ts). Kernel [kh, kw, inChannels, filters]; NHWC; any spatial size, including unknown time.
 */
export class PaddedConv2D extends tf.layers.Layer {
  static className = "VoxPaddedConv2D";
  readonly conv: ResolvedConvArgs;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: PaddedConvArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.conv = resolveArgs(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const cin = channels(singleShape(inputShape), this.name);
    const { kernelSize, filters, useBias } = this.conv;
    this.kernel = this.addWeight(
      "kernel",
      [kernelSize[0], kernelSize[1], cin, filters],
      "float32",
      torchDefaultInitializer(),
    );
    if (useBias) {
      const bound = 1 / Math.sqrt(cin * kernelSize[0] * kernelSize[1]);
      this.bias = this.addWeight(
        "bias",
        [filters],
        "float32",
        tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
      );
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w] = singleShape(inputShape);
    const { kernelSize: k, strides: s, padding: p, filters } = this.conv;
    return [n ?? null, convLength(h ?? null, k[0], s[0], p[0]), convLength(w ?? null, k[1], s[1], p[1]), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const { strides, padding } = this.conv;
      const y = conv2dFast(x, (this.kernel as tf.LayerVariable).read() as tf.Tensor4D, { strides, pad: padding });
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.conv };
  }
}
tf.serialization.registerClass(PaddedConv2D);

/**
 * PyTorch's ConvTranspose2d (output (q - 1) s + k - 2p), computed as stride x stride forward convolutions
 * (tfjs's conv2dTranspose runs ~2 GFLOP/s on wasm). Kernel [kh, kw, filters, inChannels].
 */
export class PaddedConv2DTranspose extends tf.layers.Layer {
  static className = "VoxPaddedConv2DTranspose";
  readonly conv: ResolvedConvArgs;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: PaddedConvArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.conv = resolveArgs(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const cin = channels(singleShape(inputShape), this.name);
    const { kernelSize, filters, useBias } = this.conv;
    // PyTorch's fan-in of a transposed conv weight [cin, cout, kh, kw] is cout * kh * kw.
    this.kernel = this.addWeight(
      "kernel",
      [kernelSize[0], kernelSize[1], filters, cin],
      "float32",
      tf.initializers.randomUniform({
        minval: -1 / Math.sqrt(filters * kernelSize[0] * kernelSize[1]),
        maxval: 1 / Math.sqrt(filters * kernelSize[0] * kernelSize[1]),
      }),
    );
    if (useBias) {
      const bound = 1 / Math.sqrt(filters * kernelSize[0] * kernelSize[1]);
      this.bias = this.addWeight(
        "bias",
        [filters],
        "float32",
        tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
      );
    }
    this.built = true;
  }

  private outputLength(q: number | null, axis: 0 | 1): number | null {
    const { kernelSize: k, strides: s, padding: p } = this.conv;
    return q === null ? null : (q - 1) * s[axis] + k[axis] - 2 * p[axis];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w] = singleShape(inputShape);
    return [n ?? null, this.outputLength(h ?? null, 0), this.outputLength(w ?? null, 1), this.conv.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const u = single(inputs) as tf.Tensor4D;
      const { strides, padding } = this.conv;
      const outSize: [number, number] = [
        this.outputLength(u.shape[1], 0) as number,
        this.outputLength(u.shape[2], 1) as number,
      ];
      const y = conv2dTransposeFast(
        u,
        (this.kernel as tf.LayerVariable).read() as tf.Tensor4D,
        { strides, pad: padding },
        outSize,
      );
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.conv };
  }
}
tf.serialization.registerClass(PaddedConv2DTranspose);
