/** Convolution geometry: stride, dilation and zero padding, resolved from PyTorch-style or tfjs attributes. */
import * as tf from "@tensorflow/tfjs";
import { convInfoFromAttrs } from "../conv-attrs.js";
import { ModelError } from "../../errors.js";

/** Where a convolution reads: stride, dilation (not both > 1, as tfjs) and zero padding on each side. */
export interface ConvGeometry {
  strides: [number, number];
  /** Symmetric [ph, pw] as PyTorch's `padding=`, or [top, bottom, left, right]. */
  pad: [number, number] | [number, number, number, number];
  dilations?: [number, number];
}

export interface Resolved {
  s: [number, number];
  d: [number, number];
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export function resolve(g: ConvGeometry): Resolved {
  const [top, bottom, left, right] = g.pad.length === 2 ? [g.pad[0], g.pad[0], g.pad[1], g.pad[1]] : g.pad;
  const d = g.dilations ?? [1, 1];
  if ((g.strides[0] > 1 || g.strides[1] > 1) && (d[0] > 1 || d[1] > 1)) {
    throw new ModelError(
      "convolution geometry",
      "strides or dilations of 1 (as in tfjs)",
      `strides ${g.strides} and dilations ${d}`,
    );
  }
  return { s: g.strides, d, top, bottom, left, right };
}

/** Output size along one axis: floor((n + padBefore + padAfter - ((k - 1) d + 1)) / s) + 1. */
export function convOutputSize(
  n: number,
  k: number,
  s: number,
  padBefore: number,
  padAfter = padBefore,
  d = 1,
): number {
  return Math.floor((n + padBefore + padAfter - ((k - 1) * d + 1)) / s) + 1;
}

export function padSpatial(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/** Zero padding as tfjs's explicit padding attribute. */
export function explicitPadding(g: Resolved): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [g.top, g.bottom],
    [g.left, g.right],
    [0, 0],
  ];
}

/** A Conv2D / Conv2DBackpropInput kernel's attributes as explicit geometry ('same' and 'valid' resolved). */
export function geometryFromAttrs(
  attrs: tf.NamedAttrMap,
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  where: string,
): ConvGeometry {
  const info = convInfoFromAttrs(attrs, inputShape, filterShape, where);
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pad: [info.padInfo.top, info.padInfo.bottom, info.padInfo.left, info.padInfo.right],
  };
}
