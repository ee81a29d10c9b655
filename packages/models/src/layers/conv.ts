import { conv2dFast, conv2dTransposeFast } from "../ops/conv.js";
import * as tf from "../tfjs.js";
import { channels, convLength, type Shape, single, singleShape } from "./common.js";

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

/** What both padded convolutions share: their arguments, a kernel, an optional bias, and their config. */
export abstract class PaddedConvBase extends tf.layers.Layer {
  readonly conv: ResolvedConvArgs;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;

  constructor(args: PaddedConvArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.conv = resolveArgs(args);
  }

  /** Creates the kernel and bias with PyTorch's default initialisation: uniform(+-1/sqrt(fanIn)). */
  protected addKernelAndBias(kernelShape: number[], fanIn: number): void {
    const bound = 1 / Math.sqrt(fanIn);
    const uniform = () => tf.initializers.randomUniform({ minval: -bound, maxval: bound });
    this.kernel = this.addWeight("kernel", kernelShape, "float32", uniform());
    if (this.conv.useBias) this.bias = this.addWeight("bias", [this.conv.filters], "float32", uniform());
    this.built = true;
  }

  protected withBias(y: tf.Tensor): tf.Tensor {
    return this.bias ? tf.add(y, this.bias.read()) : y;
  }

  protected kernelTensor(): tf.Tensor4D {
    return (this.kernel as tf.LayerVariable).read() as tf.Tensor4D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.conv };
  }
}

/**
 * A 2-D convolution with PyTorch's padding semantics whose gradients run as forward convolutions
 * (ops/conv.ts). Kernel [kh, kw, inChannels, filters]; NHWC; any spatial size, including unknown time.
 */
export class PaddedConv2D extends PaddedConvBase {
  static className = "VoxPaddedConv2D";

  override build(inputShape: Shape | Shape[]): void {
    const cin = channels(singleShape(inputShape), this.name);
    const [kh, kw] = this.conv.kernelSize;
    this.addKernelAndBias([kh, kw, cin, this.conv.filters], cin * kh * kw);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w] = singleShape(inputShape);
    const { kernelSize: k, strides: s, padding: p, filters } = this.conv;
    return [n ?? null, convLength(h ?? null, k[0], s[0], p[0]), convLength(w ?? null, k[1], s[1], p[1]), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const { strides, padding } = this.conv;
      return this.withBias(conv2dFast(single(inputs) as tf.Tensor4D, this.kernelTensor(), { strides, pad: padding }));
    });
  }
}
tf.serialization.registerClass(PaddedConv2D);

/**
 * PyTorch's ConvTranspose2d (output (q - 1) s + k - 2p), computed as stride x stride forward convolutions
 * (tfjs's conv2dTranspose runs ~2 GFLOP/s on wasm). Kernel [kh, kw, filters, inChannels].
 */
export class PaddedConv2DTranspose extends PaddedConvBase {
  static className = "VoxPaddedConv2DTranspose";

  override build(inputShape: Shape | Shape[]): void {
    const cin = channels(singleShape(inputShape), this.name);
    const [kh, kw] = this.conv.kernelSize;
    // PyTorch's fan-in of a transposed conv weight [cin, cout, kh, kw] is cout * kh * kw.
    this.addKernelAndBias([kh, kw, this.conv.filters, cin], this.conv.filters * kh * kw);
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
      return this.withBias(conv2dTransposeFast(u, this.kernelTensor(), { strides, pad: padding }, outSize));
    });
  }
}
tf.serialization.registerClass(PaddedConv2DTranspose);
