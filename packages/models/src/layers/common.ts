import { convOutputSize } from "../ops/conv.js";
import type * as tf from "../tfjs.js";
import { ModelError } from "../errors.js";

export type Shape = (number | null)[];

/** The single tensor a one-input layer receives (tfjs-layers passes a tensor or a one-element list). */
export function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}

/** The one shape a one-input layer is built or called with. */
export function singleShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as Shape);
}

/** The last (channel) dimension of a shape, which layers need known to create weights. */
export function channels(shape: Shape, layer: string): number {
  const c = shape[shape.length - 1];
  if (typeof c !== "number") throw new ModelError(layer, "a known channel dimension", JSON.stringify(shape));
  return c;
}

/** Output size along one axis of a convolution with symmetric padding (floor, as PyTorch); unknown stays unknown. */
export function convLength(n: number | null, k: number, s: number, p: number): number | null {
  return n === null ? null : convOutputSize(n, k, s, p);
}
