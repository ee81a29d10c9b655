import { leakyReluTwice } from "../ops/activations.js";
import * as tf from "../tfjs.js";
import { type Shape, single, singleShape } from "./common.js";
import { ModelError } from "../errors.js";

/**
 * LeakyReLU that can be differentiated twice (x * step(x, alpha)); tfjs's LeakyReLU layer cannot, and the
 * WGAN-GP penalty differentiates the discriminator's input gradient.
 */
export class LeakyReLU2 extends tf.layers.Layer {
  static className = "VoxLeakyReLU2";
  readonly alpha: number;

  constructor(args: { alpha?: number; name?: string } = {}) {
    super({ name: args.name });
    this.alpha = args.alpha ?? 0.01;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => leakyReluTwice(single(inputs), this.alpha));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
tf.serialization.registerClass(LeakyReLU2);

/** Gated linear unit over channels: the first half times the sigmoid of the second (StarGAN-VC's gates). */
export class GLU extends tf.layers.Layer {
  static className = "VoxGLU";

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = [...singleShape(inputShape)];
    const c = shape[shape.length - 1];
    if (typeof c === "number") {
      if (c % 2 !== 0) throw new ModelError(this.name, "an even channel count (GLU halves it)", String(c));
      shape[shape.length - 1] = c / 2;
    }
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [a, b] = tf.split(x, 2, x.rank - 1) as [tf.Tensor, tf.Tensor];
      return tf.mul(a, tf.sigmoid(b));
    });
  }
}
tf.serialization.registerClass(GLU);

/**
 * Pixel shuffle (depth to space) by `factor` on both axes: (n, h, w, c r^2) -> (n, h r, w r, c), with
 * reshape/transpose so it is differentiable on every backend.
 */
export class PixelShuffle extends tf.layers.Layer {
  static className = "VoxPixelShuffle";
  readonly factor: number;

  constructor(args: { factor?: number; name?: string } = {}) {
    super({ name: args.name });
    this.factor = args.factor ?? 2;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w, c] = singleShape(inputShape);
    const r = this.factor;
    return [n ?? null, h == null ? null : h * r, w == null ? null : w * r, c == null ? null : c / (r * r)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const r = this.factor;
      const split = tf.reshape(x, [n, h, w, r, r, c / (r * r)]);
      return tf.reshape(tf.transpose(split, [0, 1, 3, 2, 4, 5]), [n, h * r, w * r, c / (r * r)]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}
tf.serialization.registerClass(PixelShuffle);
