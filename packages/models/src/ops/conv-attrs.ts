/** The attributes of tfjs's convolution kernels, read once for vox's gradients (conv.ts) and native kernels. */
import * as tf from "@tensorflow/tfjs";
import { ModelError } from "../errors.js";

/** What tfjs's Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter kernels share. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * tfjs's Conv2DInfo for a kernel's attributes ('same' and 'valid' resolved to explicit padding), for an NHWC input
 * of `xShape` and a [kh, kw, cin, cout] filter. `where` names the caller in the error for NCHW, which vox's
 * convolutions do not support.
 */
export function convInfoFromAttrs(
  attrs: tf.NamedAttrMap | ConvAttrs,
  xShape: number[],
  filterShape: number[],
  where: string,
): tf.backend_util.Conv2DInfo {
  const a = attrs as unknown as ConvAttrs;
  if (a.dataFormat === "NCHW") throw new ModelError(where, "NHWC", "NCHW");
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
}
