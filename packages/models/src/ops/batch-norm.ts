/**
 * The gradient of tfjs's FusedBatchNorm kernel, as tfjs's own but with broadcasting where tfjs tiles the
 * per-channel 1/sqrt(var + eps) over the whole input before multiplying: wasm's Tile took ~40 ms per
 * 256 x 256 x 32 map, 9 % of a seed generator step. Same math; every term made of differentiable ops.
 */
import * as tf from "@tensorflow/tfjs";

/** dy -> gradients of y = (x - mean) / sqrt(variance + eps) * scale + offset for each input. */
const batchNormGradient: tf.GradConfig = {
  kernelName: "FusedBatchNorm",
  inputsToSave: ["x", "mean", "variance", "scale"],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const g = dy as tf.Tensor;
    const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const scaleValue = scale ?? tf.scalar(1);
    // Reduce a full-size term to the parameters' shape: sum over the axes they are broadcast along.
    const offset = x.rank - mean.rank;
    const axes = x.shape.map((_, i) => i).filter((i) => i < offset || mean.shape[i - offset] === 1);
    const reduce = (t: tf.Tensor) => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const inverseStd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
    const centred = tf.sub(x, mean);
    const dyScaled = tf.mul(g, scaleValue);
    return {
      x: () => tf.mul(dyScaled, inverseStd),
      mean: () => reduce(tf.mul(dyScaled, tf.neg(inverseStd))),
      variance: () => reduce(tf.mul(tf.mul(dyScaled, centred), tf.mul(tf.pow(inverseStd, 3), -0.5))),
      scale: () => reduce(tf.mul(g, tf.mul(centred, inverseStd))),
      offset: () => reduce(g),
    };
  },
};

/** Registers {@link batchNormGradient} for every backend (once, on import of this package). */
export function useBroadcastBatchNormGradient(): void {
  tf.registerGradient(batchNormGradient);
}
