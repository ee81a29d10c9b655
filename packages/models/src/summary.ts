import type * as tf from "./tfjs.js";

/** Trainable parameters of a model (what PyTorch's parameters() counts; BatchNorm's running stats excluded). */
export function trainableParameterCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}
