/** tfjs's convolution kernels' gradients, in forward convolutions (see ../conv.ts), and the switch back to tfjs's. */
import * as tf from "@tensorflow/tfjs";
import { geometryFromAttrs } from "./geometry.js";
import { conv2dFast, conv2dFilterGrad, inputGradient } from "./route.js";

export type ConvGradientMode = "fast" | "tfjs";

let mode: ConvGradientMode | null = null;
/** tfjs's own Conv2D gradient, kept to switch back to. */
let tfjsConv2dGradient: tf.GradConfig | undefined;
let tfjsConv2dBackpropInputGradient: tf.GradConfig | undefined;

/**
 * Chooses the gradient of tfjs's Conv2D kernel, for every backend and every caller of tf.conv2d (tfjs-layers'
 * Conv2D included): "fast" = {@link conv2dTransposeFast} and {@link conv2dFilterGrad} (the default, set on
 * import of this package), "tfjs" = tfjs's own Conv2DBackpropInput / Conv2DBackpropFilter kernels (for
 * reference values and benchmarks; the wasm backend has no Conv2DBackpropFilter).
 */
export function setConvGradientMode(next: ConvGradientMode): void {
  if (next === mode) return;
  mode = next;
  const warn = console.warn;
  console.warn = () => {}; // tfjs announces every gradient override on the console
  try {
    tfjsConv2dGradient ??= tf.getGradient("Conv2D");
    tfjsConv2dBackpropInputGradient ??= tf.getGradient("Conv2DBackpropInput");
    if (!tfjsConv2dGradient || !tfjsConv2dBackpropInputGradient)
      throw new Error("tfjs has no Conv2D gradients registered");
    tf.registerGradient(next === "fast" ? fastConv2dGradient : tfjsConv2dGradient);
    tf.registerGradient(next === "fast" ? fastConv2dBackpropInputGradient : tfjsConv2dBackpropInputGradient);
    tf.registerGradient(conv2dBackpropFilterGradient); // tfjs has none to switch back to
  } finally {
    console.warn = warn;
  }
}

export function convGradientMode(): ConvGradientMode {
  return mode ?? "tfjs";
}

/**
 * The gradient of tfjs's Conv2DBackpropInput kernel (tf.conv2dTranspose, for callers outside this module), in
 * forward convolutions: the wasm backend has no Conv2DBackpropFilter, which tfjs's own needs. The same two maps
 * as inputGradByPatches' gradient.
 */
const fastConv2dBackpropInputGradient: tf.GradConfig = {
  kernelName: "Conv2DBackpropInput",
  inputsToSave: ["dy", "filter"],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { inputShape } = attrs as unknown as { inputShape: [number, number, number, number] };
    const geometry = geometryFromAttrs(attrs, inputShape, filter.shape, "conv2dTranspose gradient");
    const upstream = ddx as tf.Tensor4D;
    return {
      dy: () => conv2dFast(upstream, filter, geometry),
      filter: () => conv2dFilterGrad(upstream, dy, geometry, [filter.shape[0], filter.shape[1]]),
    };
  },
};

/**
 * The gradient of the Conv2DBackpropFilter kernel (the wasm backend's comes from native-conv.ts): in x the
 * transposed convolution of dy with ddw, in dy the forward convolution of x with ddw. Only a third derivative of a
 * convolution reaches it.
 */
const conv2dBackpropFilterGradient: tf.GradConfig = {
  kernelName: "Conv2DBackpropFilter",
  inputsToSave: ["x", "dy"],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const upstream = ddw as tf.Tensor4D;
    const geometry = geometryFromAttrs(attrs, x.shape, upstream.shape, "Conv2DBackpropFilter gradient");
    return {
      x: () => inputGradient(dy, upstream, geometry, [x.shape[1], x.shape[2]]),
      dy: () => conv2dFast(x, upstream, geometry),
    };
  },
};

const fastConv2dGradient: tf.GradConfig = {
  kernelName: "Conv2D",
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const geometry = geometryFromAttrs(attrs, x.shape, filter.shape, "conv2d gradient");
    const upstream = dy as tf.Tensor4D;
    return {
      x: () => inputGradient(upstream, filter, geometry, [x.shape[1], x.shape[2]]),
      filter: () => conv2dFilterGrad(x, upstream, geometry, [filter.shape[0], filter.shape[1]]),
    };
  },
};
