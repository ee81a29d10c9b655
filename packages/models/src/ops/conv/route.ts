/**
 * The one place a convolution's route is decided: the native kernels when they are in (asked here only), else
 * the fastest forward-conv construction for the shape (phases, patch products, channels as batch), by the
 * thresholds measured below.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeConvActive } from "../native-conv.js";
import {
  filterGradByPatches,
  filterGradByPatchRows,
  filterGradChannelsAsBatch,
  PATCH_ROWS_LIMIT,
} from "./filter-grad.js";
import { type ConvGeometry, convOutputSize, explicitPadding, padSpatial, type Resolved, resolve } from "./geometry.js";
import { inputGradByPatches, type SecondOrder } from "./input-grad-patches.js";
import { transposeByPhases } from "./phases.js";

/**
 * The native kernels (native-conv.ts) take any padding, stride and dilation themselves, and have all three
 * kernels (tfjs's Conv2DBackpropInput / Conv2DBackpropFilter have no dilation attribute, so dilated convolutions
 * keep the forward-conv routes).
 */
function nativeRoute(g: Resolved): boolean {
  return nativeConvActive() && g.d[0] === 1 && g.d[1] === 1;
}

/**
 * The convolution itself: tfjs's Conv2D kernel (its gradient is registered below), on the explicitly padded input
 * (XNNPACK) or with explicit padding (native kernels, which skip the padded copy).
 */
export function conv2dFast(x: tf.Tensor4D, w: tf.Tensor4D, geometry: ConvGeometry): tf.Tensor4D {
  const g = resolve(geometry);
  if (nativeConvActive()) return tf.conv2d(x, w, g.s, explicitPadding(g), "NHWC", g.d);
  return tf.conv2d(padSpatial(x, g.top, g.bottom, g.left, g.right), w, g.s, "valid", "NHWC", g.d);
}

/** The native input-gradient kernel, when it is in and its output grid matches u. */
function nativeTranspose(u: tf.Tensor4D, w: tf.Tensor4D, g: Resolved, outSize: [number, number]): tf.Tensor4D | null {
  if (!nativeRoute(g)) return null;
  const [kh, kw] = w.shape;
  const [, qh, qw] = u.shape;
  if (convOutputSize(outSize[0], kh, g.s[0], g.top, g.bottom) !== qh) return null;
  if (convOutputSize(outSize[1], kw, g.s[1], g.left, g.right) !== qw) return null;
  return tf.conv2dTranspose(u, w, [u.shape[0], outSize[0], outSize[1], w.shape[2]], g.s, explicitPadding(g));
}

/**
 * The adjoint of {@link conv2dFast} in its input (PyTorch's ConvTranspose2d with the same kernel, stride and
 * padding): u [n, qh, qw, cout] -> [n, outSize[0], outSize[1], cin], made of forward convolutions over u.
 */
export function conv2dTransposeFast(
  u: tf.Tensor4D,
  w: tf.Tensor4D,
  geometry: ConvGeometry,
  outSize: [number, number],
): tf.Tensor4D {
  const g = resolve(geometry);
  const native = nativeTranspose(u, w, g, outSize);
  if (native) return native;
  return transposeByPhases(u, w, g, outSize);
}

/**
 * The adjoint of {@link conv2dFast} in its filter: (x, dy) -> dw [kh, kw, cin, cout], with
 * dw[i, j, ci, co] = sum_{n, o} xp[n, o s + i d, ci] dy[n, o, co]: a forward conv whose batch is x's channels
 * and whose filter is dy, with stride d and dilation s.
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  geometry: ConvGeometry,
  kernel: [number, number],
): tf.Tensor4D {
  const g = resolve(geometry);
  const [kh, kw] = kernel;
  const [, qh, qw] = dy.shape;
  const [batch, , , cin] = x.shape;
  if (nativeRoute(g)) {
    const attrs = {
      strides: g.s,
      pad: explicitPadding(g),
      dataFormat: "NHWC",
      filterShape: [kh, kw, cin, dy.shape[3]],
    };
    return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const padded = padSpatial(x, g.top, g.bottom, g.left, g.right);
  if (isWeightBound(batch * qh * qw, kh * kw * cin * dy.shape[3])) return filterGradByPatches(padded, dy, g, kernel);
  const unitStep = g.s[0] === 1 && g.s[1] === 1 && g.d[0] === 1 && g.d[1] === 1;
  if (unitStep && batch === 1 && kh * kw >= 9 && kh * kw * cin * qh * qw <= PATCH_ROWS_LIMIT) {
    return filterGradByPatchRows(padded, dy, kernel);
  }
  return filterGradChannelsAsBatch(padded, dy, g, kernel);
}

/**
 * A convolution is weight-bound when its filter is large for the output positions (batch x rows x columns of dy)
 * it is applied at: then the phase decomposition spends its time copying and repacking the filter (the seed D's
 * 4x4x1024x2048 level at 32 positions: 6.6 s, against 0.26 s for tfjs's Conv2DBackpropInput; at 16 positions
 * {@link inputGradByPatches} takes 0.06 s), and dx takes the patch product whatever its patch matrix's size. The filter
 * gradient switches to im2col patches here too. The threshold was set between tfjs's kernel and the phases
 * (measured on wasm: the seed D's 4x4x512x1024 level at 128 positions, ratio 65 536, 0.55 s against 1.1 s;
 * stargan-vc2's 5x5x256x1024 at 256 positions, ratio 25 600, 0.99 s against 0.56 s).
 */
const WEIGHT_BOUND_FILTER_PER_POSITION = 32768;

/**
 * Below weight-bound, the patch product still beats the phases from this filter-per-position ratio (wasm, batch 1-2:
 * the seed D's 4x4/2 256 -> 512 level, ratio 8192, 0.16 s with phases, 0.08 s with patches; ratio 4096: 0.20 and
 * 0.14 s; a 4x4/2 128 -> 256 level, ratio 512, 0.07 and 0.13 s; a 3x3 256 -> 256, ratio 576, 0.05 and 0.09 s).
 */
const PATCH_INPUT_GRAD_FILTER_PER_POSITION = 2048;

export function isWeightBound(positions: number, filterSize: number): boolean {
  return filterSize > WEIGHT_BOUND_FILTER_PER_POSITION * positions;
}

/** What the patch route's own gradient is made of. */
const secondOrder: SecondOrder = { forward: conv2dFast, filterGrad: conv2dFilterGrad };

/** The input gradient (transposed convolution) by whichever route is faster for this shape. */
export function inputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  geometry: ConvGeometry,
  outSize: [number, number],
): tf.Tensor4D {
  const native = nativeTranspose(dy, filter, resolve(geometry), outSize);
  if (native) return native;
  const [n, qh, qw] = dy.shape;
  const positions = n * qh * qw;
  const patchValues = positions * (filter.size / filter.shape[3]);
  const patchesPay = filter.size > PATCH_INPUT_GRAD_FILTER_PER_POSITION * positions && patchValues <= PATCH_ROWS_LIMIT;
  if (isWeightBound(positions, filter.size) || patchesPay)
    return inputGradByPatches(dy, filter, geometry, outSize, secondOrder);
  return conv2dTransposeFast(dy, filter, geometry, outSize);
}
