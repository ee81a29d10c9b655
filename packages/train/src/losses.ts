import { tf } from "@vox/models";

/** The adversarial objectives: WGAN (with a gradient penalty or weight clipping) and least squares. */
export type AdversarialKind = "wgan-gp" | "wgan-clip" | "lsgan";

/** Discriminator's adversarial loss on its outputs for real and for converted inputs. */
export function discriminatorAdversarial(kind: AdversarialKind, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    kind === "lsgan"
      ? tf.add(tf.mean(tf.square(tf.sub(real, 1))), tf.mean(tf.square(fake)))
      : tf.sub(tf.mean(fake), tf.mean(real)),
  ) as tf.Scalar;
}

/** Generator's adversarial loss on the discriminator's output for its converted inputs. */
export function generatorAdversarial(kind: AdversarialKind, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => (kind === "lsgan" ? tf.mean(tf.square(tf.sub(fake, 1))) : tf.neg(tf.mean(fake)))) as tf.Scalar;
}

/**
 * WGAN-GP's penalty: mean over the batch of (||d critic / d x̂|| - 1)^2 at x̂ = a real + (1 - a) fake, one `a` per
 * item. Differentiable in the critic's weights (a gradient of a gradient), which the Conv2D gradient of
 * @vox/models supports.
 */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  mix: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const a = tf.reshape(mix, [-1, 1, 1, 1]);
    const xHat = tf.add(tf.mul(a, real), tf.mul(tf.sub(1, a), fake));
    const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(xHat);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), [1, 2, 3]), 1e-12));
    return tf.mean(tf.square(tf.sub(norm, 1)));
  }) as tf.Scalar;
}

/** Domain classification of speaker logits against one-hot targets. */
export function classificationLoss(kind: "softmax" | "sigmoid", oneHot: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    // Patch logits (n, h, w, classes): every patch is classified, the loss is the mean over patches.
    const labels =
      logits.rank === 4 ? tf.broadcastTo(oneHot.reshape([oneHot.shape[0] ?? 0, 1, 1, -1]), logits.shape) : oneHot;
    return kind === "softmax"
      ? tf.losses.softmaxCrossEntropy(labels, logits)
      : tf.losses.sigmoidCrossEntropy(labels, logits);
  }) as tf.Scalar;
}

/** Mean absolute difference: the cycle and identity losses. */
export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b)))) as tf.Scalar;
}

/**
 * Fraction of items whose highest logit is their label: how well the classifier knows the speakers. Patch logits
 * (n, h, w, classes) vote by their summed log-probabilities (the product of the patches' probabilities).
 */
export function accuracy(labels: Int32Array, logits: tf.Tensor): number {
  const argMax = tf.tidy(() => tf.argMax(logits.rank === 4 ? tf.sum(tf.logSoftmax(logits), [1, 2]) : logits, 1));
  const predicted = argMax.dataSync();
  argMax.dispose();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}
