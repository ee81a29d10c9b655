import * as tf from "@tensorflow/tfjs";

/**
 * LeakyReLU written as x * step(x, alpha). Its gradient, step(x, alpha), has a (zero) gradient of its own, so
 * it can be differentiated twice: tfjs's LeakyRelu gradient goes through Greater, which has none, and the
 * WGAN-GP penalty (a gradient of a gradient norm) would fail on it. alpha 0 gives ReLU.
 */
export function leakyReluTwice(x: tf.Tensor, alpha: number): tf.Tensor {
  return tf.mul(x, tf.step(x, alpha));
}
