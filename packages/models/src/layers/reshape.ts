import * as tf from "../tfjs.js";
import { type Shape, single, singleShape } from "./common.js";

/**
 * 2-D -> 1-D for the 2-1-2D generator: (n, h, w, c) -> (n, 1, w, h c), frequency folded into channels so the
 * bottleneck convolves along time only. `bins` = h is kept for the inverse.
 */
export class FoldFrequency extends tf.layers.Layer {
  static className = "VoxFoldFrequency";

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w, c] = singleShape(inputShape);
    return [n ?? null, 1, w ?? null, h == null || c == null ? null : h * c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [n, 1, w, h * c]);
    });
  }
}
tf.serialization.registerClass(FoldFrequency);

/** The inverse of {@link FoldFrequency}: (n, 1, w, h c) -> (n, h, w, c) for a given h = `bins`. */
export class UnfoldFrequency extends tf.layers.Layer {
  static className = "VoxUnfoldFrequency";
  readonly bins: number;

  constructor(args: { bins: number; name?: string }) {
    super({ name: args.name });
    this.bins = args.bins;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, , w, hc] = singleShape(inputShape);
    return [n ?? null, this.bins, w ?? null, hc == null ? null : hc / this.bins];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const [n, , w, hc] = x.shape;
      return tf.transpose(tf.reshape(x, [n, w, this.bins, hc / this.bins]), [0, 2, 1, 3]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), bins: this.bins };
  }
}
tf.serialization.registerClass(UnfoldFrequency);

/**
 * The projection discriminator's output (Miyato & Koyama 2018) conditioned on a code (StarGAN-VC2: source
 * and target one-hots side by side): [features (n, h, w, c), code (n, d)] -> (n, 1) =
 * dense(sum-pooled features) + <sum-pooled features, code E>. Sum pooling over h and w makes it length-free.
 */
export class ProjectionHead extends tf.layers.Layer {
  static className = "VoxProjectionHead";
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;
  private embedding: tf.LayerVariable | null = null;

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [features, code] = inputShape as Shape[];
    const c = (features as Shape)[3] as number;
    const d = (code as Shape)[1] as number;
    this.kernel = this.addWeight("kernel", [c, 1], "float32", tf.initializers.glorotUniform({}));
    this.bias = this.addWeight("bias", [1], "float32", tf.initializers.zeros());
    this.embedding = this.addWeight("embedding", [d, c], "float32", tf.initializers.glorotUniform({}));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [((inputShape as Shape[])[0] as Shape)[0] ?? null, 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, code] = inputs as [tf.Tensor4D, tf.Tensor2D];
      const read = (v: tf.LayerVariable | null) => (v as tf.LayerVariable).read() as tf.Tensor2D;
      const pooled = tf.sum(x, [1, 2]) as tf.Tensor2D; // (n, c)
      const linear = tf.add(tf.matMul(pooled, read(this.kernel)), read(this.bias));
      const projected = tf.sum(tf.mul(pooled, tf.matMul(code, read(this.embedding))), 1, true);
      return tf.add(linear, projected);
    });
  }
}
tf.serialization.registerClass(ProjectionHead);
