import { batchNormTraining } from "../ops/native-batch-norm.js";
import * as tf from "../tfjs.js";
import { channels, type Shape, single, singleShape } from "./common.js";

const EPSILON = 1e-5;

/** Per-instance, per-channel normalisation over the spatial axes (n, h, w, c). */
function instanceNormalize(x: tf.Tensor4D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPSILON))) as tf.Tensor4D;
}

/** Instance normalisation with a learned per-channel scale and shift (PyTorch InstanceNorm2d(affine=True)). */
export class InstanceNorm extends tf.layers.Layer {
  static className = "VoxInstanceNorm";
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = channels(singleShape(inputShape), this.name);
    this.gamma = this.addWeight("gamma", [c], "float32", tf.initializers.ones());
    this.beta = this.addWeight("beta", [c], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const normalized = instanceNormalize(single(inputs) as tf.Tensor4D);
      return tf.add(
        tf.mul(normalized, (this.gamma as tf.LayerVariable).read()),
        (this.beta as tf.LayerVariable).read(),
      );
    });
  }
}
tf.serialization.registerClass(InstanceNorm);

/**
 * Conditional instance normalisation (StarGAN-VC2): instance-normalise, then scale and shift with gamma and
 * beta computed from a conditioning code by two dense maps: [x (n, h, w, c), code (n, d)] -> (n, h, w, c).
 * The code is the source and target speakers' one-hot vectors side by side.
 */
export class ConditionalInstanceNorm extends tf.layers.Layer {
  static className = "VoxConditionalInstanceNorm";
  private gammaKernel: tf.LayerVariable | null = null;
  private gammaBias: tf.LayerVariable | null = null;
  private betaKernel: tf.LayerVariable | null = null;
  private betaBias: tf.LayerVariable | null = null;

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [features, code] = inputShape as Shape[];
    const c = channels(features as Shape, this.name);
    const d = channels(code as Shape, this.name);
    const init = tf.initializers.glorotUniform({});
    this.gammaKernel = this.addWeight("gamma_kernel", [d, c], "float32", init);
    this.gammaBias = this.addWeight("gamma_bias", [c], "float32", tf.initializers.ones());
    this.betaKernel = this.addWeight("beta_kernel", [d, c], "float32", init);
    this.betaBias = this.addWeight("beta_bias", [c], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[0] as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, code] = inputs as [tf.Tensor4D, tf.Tensor2D];
      const c = x.shape[3];
      const read = (v: tf.LayerVariable | null) => (v as tf.LayerVariable).read();
      const gamma = tf.reshape(tf.add(tf.matMul(code, read(this.gammaKernel) as tf.Tensor2D), read(this.gammaBias)), [
        -1,
        1,
        1,
        c,
      ]);
      const beta = tf.reshape(tf.add(tf.matMul(code, read(this.betaKernel) as tf.Tensor2D), read(this.betaBias)), [
        -1,
        1,
        1,
        c,
      ]);
      return tf.add(tf.mul(instanceNormalize(x), gamma), beta);
    });
  }
}
tf.serialization.registerClass(ConditionalInstanceNorm);

/**
 * Batch normalisation over every axis but the channels, as tfjs-layers' BatchNormalization (same weights in the
 * same order: gamma, beta, moving_mean, moving_variance; same moving-average update), whose training pass runs
 * as one native kernel each way where @vox/models' native kernels are in (ops/native-batch-norm.ts), and as
 * tf.moments + tf.batchNorm (tfjs-layers' own ops) elsewhere. `momentum` counts as tfjs does: the moving
 * statistics keep `momentum` of their value per batch (PyTorch's 0.1 is 0.9 here).
 */
export class BatchNorm extends tf.layers.Layer {
  static className = "VoxBatchNorm";
  readonly momentum: number;
  readonly epsilon: number;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;
  private movingMean: tf.LayerVariable | null = null;
  private movingVariance: tf.LayerVariable | null = null;

  constructor(args: { name?: string; momentum?: number; epsilon?: number } = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = channels(singleShape(inputShape), this.name);
    this.gamma = this.addWeight("gamma", [c], "float32", tf.initializers.ones());
    this.beta = this.addWeight("beta", [c], "float32", tf.initializers.zeros());
    this.movingMean = this.addWeight("moving_mean", [c], "float32", tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [c], "float32", tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const read = (v: tf.LayerVariable | null) => (v as tf.LayerVariable).read() as tf.Tensor1D;
      const gamma = read(this.gamma);
      const beta = read(this.beta);
      if (!kwargs.training) {
        return tf.batchNorm(x, read(this.movingMean), read(this.movingVariance), beta, gamma, this.epsilon);
      }
      const { y, mean, variance } =
        batchNormTraining(x, gamma, beta, this.epsilon) ?? this.normalizeByOps(x, gamma, beta);
      this.updateMovingAverage(this.movingMean as tf.LayerVariable, mean);
      this.updateMovingAverage(this.movingVariance as tf.LayerVariable, variance);
      return y;
    });
  }

  /** tfjs-layers' training pass: the batch's moments over every axis but the channels, then the normalisation. */
  private normalizeByOps(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D) {
    const { mean, variance } = tf.moments(
      x,
      x.shape.slice(0, -1).map((_, i) => i),
    );
    const y = tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, this.epsilon);
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }

  /** value -> moving = moving - (moving - value) (1 - momentum), as tfjs-layers writes it. */
  private updateMovingAverage(moving: tf.LayerVariable, value: tf.Tensor): void {
    tf.tidy(() => {
      const current = moving.read();
      moving.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - this.momentum)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(BatchNorm);
