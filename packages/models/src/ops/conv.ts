/**
 * Convolution gradients as forward convolutions.
 *
 * Why: on the wasm backend (the engine on machines without libtensorflow) tfjs 4.22 has no
 * Conv2DBackpropFilter kernel and its Conv2DBackpropInput / conv2dTranspose run ~2 GFLOP/s, against 16-23 for
 * a forward Conv2D; the cpu backend's filter gradient runs ~0.01 GFLOP/s. So the two adjoints of a
 * convolution are written here with forward `tf.conv2d` plus cheap reshaping ops, and registered as the
 * gradient of tfjs's Conv2D kernel:
 *
 *   y  = conv(x, w)              (native Conv2D: stride s or dilation d, explicit or 'same'/'valid' padding)
 *   dx = convTranspose(dy, w)    stride 1: one dilated forward conv with the flipped kernel;
 *                                stride s: s x s forward convs over dy, one per output phase, interleaved
 *   dw = filterGrad(x, dy)       one forward conv with x's channels as the batch and dy as a filter
 *                                (the roles of stride and dilation swap)
 *
 * Both adjoints are made of ops whose gradients tfjs knows (Conv2D among them, i.e. this gradient again), so
 * gradients of gradients work too: WGAN-GP's penalty differentiates a gradient norm. Registering the kernel's
 * gradient (rather than wrapping ops in tf.customGrad) also speeds up every tf.conv2d, tfjs-layers' included.
 *
 * Weight-bound convolutions (a large filter applied at few output positions, see isWeightBound) take a patch
 * product + col2im for dx and one im2col product for dw instead: there the phase decomposition's filter copies
 * dominate. The patch product also takes dx below weight-bound where it pays (PATCH_INPUT_GRAD_FILTER_PER_POSITION),
 * and stride-1 filter gradients at batch 1 take patch rows (filterGradByPatchRows). tfjs's Conv2DBackpropInput
 * kernel (tf.conv2dTranspose) gets a gradient in forward convolutions here too.
 * Layout NHWC, filters [kh, kw, cin, cout].
 */
import * as tf from "@tensorflow/tfjs";
import { convInfoFromAttrs } from "./conv-attrs.js";
import { nativeConvActive } from "./native-conv.js";

/** Where a convolution reads: stride, dilation (not both > 1, as tfjs) and zero padding on each side. */
export interface ConvGeometry {
  strides: [number, number];
  /** Symmetric [ph, pw] as PyTorch's `padding=`, or [top, bottom, left, right]. */
  pad: [number, number] | [number, number, number, number];
  dilations?: [number, number];
}

interface Resolved {
  s: [number, number];
  d: [number, number];
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function resolve(g: ConvGeometry): Resolved {
  const [top, bottom, left, right] = g.pad.length === 2 ? [g.pad[0], g.pad[0], g.pad[1], g.pad[1]] : g.pad;
  const d = g.dilations ?? [1, 1];
  if ((g.strides[0] > 1 || g.strides[1] > 1) && (d[0] > 1 || d[1] > 1)) {
    throw new Error(`convolution geometry: strides ${g.strides} and dilations ${d} cannot both exceed 1 (as in tfjs)`);
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

function padSpatial(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/** Zero padding as tfjs's explicit padding attribute. */
function explicitPadding(g: Resolved): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [g.top, g.bottom],
    [g.left, g.right],
    [0, 0],
  ];
}

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

/** One axis of a transposed convolution: which taps, and where the correlation over dy starts. */
interface AxisPlan {
  /** Kernel taps in the order the correlation applies them. */
  taps: number[];
  /** dy index that output q = 0 reads with tap 0 (negative: zero padding). */
  start: number;
  padBefore: number;
  padAfter: number;
}

/**
 * Output positions i = s q + a (q = 0..count-1) of the adjoint of y[o] = sum_k x[o s + k d - p] w[k]:
 * z[i] = sum over (o, k) with o s + k d - p = i of dy[o] w[k]. With s = 1 that is a correlation of dy with
 * the reversed kernel dilated by d; with s > 1 (d = 1) only taps k = r (mod s), r = (a + p) mod s, reach phase a.
 */
function axisPlan(a: number, k: number, s: number, d: number, p: number, count: number, inLength: number): AxisPlan {
  let taps: number[];
  let start: number;
  if (s === 1) {
    taps = Array.from({ length: k }, (_, j) => k - 1 - j);
    start = p - (k - 1) * d;
  } else {
    const r = (((a + p) % s) + s) % s;
    const c = (a + p - r) / s;
    taps = [];
    for (let m = 0; r + s * m < k; m++) taps.push(r + s * m);
    taps.reverse();
    start = c - taps.length + 1;
  }
  const reach = s === 1 ? (taps.length - 1) * d : taps.length - 1; // dy positions a correlation window spans
  const padBefore = Math.max(0, -start);
  const padAfter = Math.max(0, start + count - 1 + reach - (inLength - 1));
  return { taps, start, padBefore, padAfter };
}

/** The filter restricted to the given taps (rows, then columns), by slices: differentiable everywhere. */
function selectTaps(w: tf.Tensor4D, rows: number[], cols: number[]): tf.Tensor4D {
  const [kh, kw, a, b] = w.shape;
  const isReversal = (taps: number[], k: number) => taps.length === k && taps.every((t, j) => t === k - 1 - j);
  if (isReversal(rows, kh) && isReversal(cols, kw)) {
    // Each tap [i, j] is a contiguous [a, b] block: taps in reverse order, joined. (wasm's Reverse took 40 ms for
    // a 3x5x256x256 filter, 5 % of a seed G step; contiguous slices and one concat take ~2 ms.)
    const taps = tf.reshape(w, [kh * kw, a * b]);
    const reversed = Array.from({ length: kh * kw }, (_, t) => tf.slice(taps, [kh * kw - 1 - t, 0], [1, a * b]));
    return tf.reshape(tf.concat(reversed, 0), [kh, kw, a, b]);
  }
  const byRow = rows.map((r) => tf.slice(w, [r, 0, 0, 0], [1, kw, a, b]));
  const picked = byRow.length === 1 ? (byRow[0] as tf.Tensor4D) : tf.concat(byRow, 0);
  const byCol = cols.map((c) => tf.slice(picked, [0, c, 0, 0], [rows.length, 1, a, b]));
  return byCol.length === 1 ? (byCol[0] as tf.Tensor4D) : tf.concat(byCol, 1);
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
  const [kh, kw, cin] = w.shape;
  const [sh, sw] = g.s;
  const [batch, qh, qw] = u.shape;
  const [outH, outW] = outSize;
  const rowsPerPhase = Math.ceil(outH / sh);
  const colsPerPhase = Math.ceil(outW / sw);
  const wT = tf.transpose(w, [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, cout, cin]: u has cout channels
  const phases: tf.Tensor4D[] = [];
  for (let a = 0; a < sh; a++) {
    const rows = axisPlan(a, kh, sh, g.d[0], g.top, rowsPerPhase, qh);
    for (let b = 0; b < sw; b++) {
      const cols = axisPlan(b, kw, sw, g.d[1], g.left, colsPerPhase, qw);
      if (rows.taps.length === 0 || cols.taps.length === 0) {
        phases.push(tf.zeros([batch, rowsPerPhase, colsPerPhase, cin]));
        continue;
      }
      const kernel = selectTaps(wT, rows.taps, cols.taps);
      const padded = padSpatial(u, rows.padBefore, rows.padAfter, cols.padBefore, cols.padAfter);
      const dilations: [number, number] = [sh === 1 ? g.d[0] : 1, sw === 1 ? g.d[1] : 1];
      const full = tf.conv2d(padded, kernel, 1, "valid", "NHWC", dilations);
      const begin = [0, rows.start + rows.padBefore, cols.start + cols.padBefore, 0];
      phases.push(tf.slice(full, begin, [batch, rowsPerPhase, colsPerPhase, cin]));
    }
  }
  let z = interleavePhases(phases, sh, sw);
  if (z.shape[1] !== outH || z.shape[2] !== outW) z = tf.slice(z, [0, 0, 0, 0], [batch, outH, outW, cin]);
  return z;
}

/**
 * Joins s_h x s_w phase grids: phases[a * sw + b][n, q, q2, c] belongs at [n, sh q + a, sw q2 + b, c].
 * Columns, then rows, each interleaved as a concat of rank-3 views (no rank-6 transpose, whose wasm kernel and
 * gradient take the slow generic path).
 */
function interleavePhases(phases: tf.Tensor4D[], sh: number, sw: number): tf.Tensor4D {
  const interleave = (parts: tf.Tensor4D[], rows: boolean): tf.Tensor4D => {
    if (parts.length === 1) return parts[0] as tf.Tensor4D;
    const [n, h, w, c] = (parts[0] as tf.Tensor4D).shape;
    const view = rows ? [n * h, 1, w * c] : [n * h * w, 1, c];
    const joined = tf.concat(
      parts.map((p) => tf.reshape(p, view)),
      1,
    );
    return tf.reshape(joined, rows ? [n, h * parts.length, w, c] : [n, h, w * parts.length, c]) as tf.Tensor4D;
  };
  const rowPhases = Array.from({ length: sh }, (_, a) => interleave(phases.slice(a * sw, (a + 1) * sw), false));
  return interleave(rowPhases, true);
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
  const usedH = (qh - 1) * g.s[0] + (kh - 1) * g.d[0] + 1; // the rows the forward conv reads
  const usedW = (qw - 1) * g.s[1] + (kw - 1) * g.d[1] + 1;
  const cropped =
    padded.shape[1] === usedH && padded.shape[2] === usedW
      ? padded
      : tf.slice(padded, [0, 0, 0, 0], [batch, usedH, usedW, cin]);
  const input = tf.transpose(cropped, [3, 1, 2, 0]) as tf.Tensor4D; // [cin, H, W, n]
  const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [qh, qw, n, cout]
  const out = tf.conv2d(input, filter, g.d, "valid", "NHWC", g.s); // [cin, kh, kw, cout]
  return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
}

/** Rows start, start + stride, ... (`count` of them) of axis 1 or 2, by slice + reshape (both differentiable). */
function everyNth(x: tf.Tensor4D, axis: 1 | 2, start: number, count: number, stride: number): tf.Tensor4D {
  const shape = x.shape;
  const needed = count * stride;
  const available = shape[axis] - start;
  const begin = [0, 0, 0, 0];
  begin[axis] = start;
  const size: number[] = [...shape];
  size[axis] = Math.min(needed, available);
  let window = tf.slice(x, begin, size);
  if (stride === 1) return window;
  if (available < needed) {
    const padding: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    padding[axis] = [0, needed - available];
    window = tf.pad(window, padding);
  }
  // [before, count, stride, after] with the axes around folded: a rank-3 slice. (wasm slices rank <= 4 in C++;
  // a rank-5 slice falls back to a JS loop that took 35 ms for 64 K values, 37 % of a seed D step.)
  const [n, h, w, c] = window.shape;
  const grouped = axis === 1 ? [n * count, stride, w * c] : [n * h * count, stride, c];
  const picked = tf.slice(tf.reshape(window, grouped), [0, 0, 0], [grouped[0] as number, 1, grouped[2] as number]);
  const out: [number, number, number, number] = [...shape];
  out[axis] = count;
  return tf.reshape(picked, out);
}

/**
 * The filter gradient of a weight-bound convolution (see {@link isWeightBound}) as one matMul of
 * im2col patches [P, kh kw cin] with dy [P, cout]: the result is already in [kh, kw, cin, cout] order, where
 * the channels-as-batch route would build and transpose a filter-sized tensor twice (D's 2048 x 1479 cls head:
 * 194 MB each).
 */
function filterGradByPatches(padded: tf.Tensor4D, dy: tf.Tensor4D, g: Resolved, kernel: [number, number]): tf.Tensor4D {
  const [kh, kw] = kernel;
  const [n, qh, qw, cout] = dy.shape;
  const cin = padded.shape[3];
  const positions = n * qh * qw;
  const columns: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    const rows = everyNth(padded, 1, i * g.d[0], qh, g.s[0]);
    for (let j = 0; j < kw; j++) {
      columns.push(tf.reshape(everyNth(rows, 2, j * g.d[1], qw, g.s[1]), [positions, cin]));
    }
  }
  const patches = columns.length === 1 ? (columns[0] as tf.Tensor2D) : (tf.concat(columns, 1) as tf.Tensor2D);
  // patches^T dy as a 1x1 convolution over the transposed patches: wasm's matMul with transposeA ran 0.35 GFLOP/s
  // (a [256, 6400]^T x [256, 1024] product: 4.3 s), an explicit transpose + matMul 0.18 s, this 0.10 s.
  const rows = tf.reshape(tf.transpose(patches), [1, 1, kh * kw * cin, positions]) as tf.Tensor4D;
  const dw = tf.conv2d(rows, tf.reshape(dy, [1, 1, positions, cout]) as tf.Tensor4D, 1, "valid");
  return tf.reshape(dw, [kh, kw, cin, cout]) as tf.Tensor4D;
}

/**
 * Patch matrices up to this many values (64 MB) take {@link filterGradByPatchRows}; bigger ones (the seed's merge
 * conv over 1735 channels, its 256 x 256 levels: 106-126 MB) would crowd the 4 GiB wasm heap at its high-water mark.
 */
const PATCH_ROWS_LIMIT = 16 * 2 ** 20;

/**
 * The filter gradient of a stride-1, undilated convolution as one 1x1 convolution of patch rows
 * [kh kw cin, P] with dy [P, cout]. The rows come from x transposed once to channels-first planes, one rank-3
 * slice per tap, already in [kh, kw, cin] order. Why: channels-as-batch runs a conv with one input channel and a
 * dy-sized kernel, which XNNPACK does at ~13 GFLOP/s (the seed G's 3x5 256 -> 256 ResBlock convs at batch 1:
 * 0.14-0.16 s each, 26 per G update); these rows take 0.08-0.11 s. Only at batch 1 with 9 taps or more: measured on
 * wasm, the same conv at batch 2 (0.19 against 0.22 s), 2x2 kernels (the phases of transposed convs: 2x slower)
 * and `tiny` at batch 8 (2.1 against 2.6 s per step) are faster channels-as-batch.
 */
function filterGradByPatchRows(padded: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number]): tf.Tensor4D {
  const [kh, kw] = kernel;
  const [n, qh, qw, cout] = dy.shape;
  const [, hp, wp, cin] = padded.shape;
  const positions = n * qh * qw;
  const planes = tf.reshape(tf.transpose(padded, [3, 0, 1, 2]), [cin * n, hp, wp]);
  const rows: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++)
      rows.push(tf.reshape(tf.slice(planes, [0, i, j], [cin * n, qh, qw]), [cin, positions]));
  }
  const matrix = rows.length === 1 ? (rows[0] as tf.Tensor) : tf.concat(rows, 0);
  const dw = tf.conv2d(
    tf.reshape(matrix, [1, 1, kh * kw * cin, positions]) as tf.Tensor4D,
    tf.reshape(dy, [1, 1, positions, cout]) as tf.Tensor4D,
    1,
    "valid",
  );
  return tf.reshape(dw, [kh, kw, cin, cout]) as tf.Tensor4D;
}

/**
 * The input gradient of a weight-bound convolution (see {@link isWeightBound}): patch gradients
 * [P, kh kw cin] = dy [P, cout] w^T, computed transposed as one 1x1 convolution with the filter as the *input*
 * (w [kh kw cin, cout] x dy^T [cout, P]: no filter-sized transpose, copy or XNNPACK packing, which cost more than
 * the product itself), then col2im: each tap's [n, qh, qw, cin] block added at its place, one grid per stride
 * phase, phases interleaved. Measured on wasm at batch 1: the seed D's 4x4/2 512 -> 1024 level 0.49 s with tfjs's
 * Conv2DBackpropInput, 0.04 s for the product; 1024 -> 2048: 0.39 and 0.06 s.
 * Its gradient (second order: WGAN-GP) is the forward conv in dy and the filter gradient in w, as for tfjs's
 * Conv2DBackpropInput below.
 */
function inputGradByPatches(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  geometry: ConvGeometry,
  outSize: [number, number],
): tf.Tensor4D {
  const g = resolve(geometry);
  const [kh, kw, cin, cout] = filter.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [dyIn, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([dyIn, w]);
    const [n, qh, qw] = dyIn.shape as [number, number, number, number];
    const positions = n * qh * qw;
    const taps = kh * kw * cin;
    const dyT = tf.reshape(tf.transpose(tf.reshape(dyIn, [positions, cout])), [1, 1, cout, positions]) as tf.Tensor4D;
    const columns = tf.conv2d(tf.reshape(w, [1, 1, taps, cout]) as tf.Tensor4D, dyT, 1, "valid"); // [1, 1, taps, P]
    const patches = tf.reshape(tf.transpose(tf.reshape(columns, [taps, positions])), [n, qh, qw, taps]);
    const [sh, sw] = g.s;
    const [outH, outW] = outSize;
    // Tap (i, j) of output (o, o2) lands on padded input row i d + s o: phase (i d) mod s, phase row o + (i d) div s.
    const rowsPerPhase = Math.ceil((outH + g.top + g.bottom) / sh);
    const colsPerPhase = Math.ceil((outW + g.left + g.right) / sw);
    const terms: tf.Tensor4D[][] = Array.from({ length: sh * sw }, () => []);
    for (let i = 0; i < kh; i++) {
      const u = Math.floor((i * g.d[0]) / sh);
      for (let j = 0; j < kw; j++) {
        const v = Math.floor((j * g.d[1]) / sw);
        const block = tf.slice(patches, [0, 0, 0, (i * kw + j) * cin], [n, qh, qw, cin]) as tf.Tensor4D;
        const phase = ((i * g.d[0]) % sh) * sw + ((j * g.d[1]) % sw);
        (terms[phase] as tf.Tensor4D[]).push(
          tf.pad(block, [
            [0, 0],
            [u, rowsPerPhase - qh - u],
            [v, colsPerPhase - qw - v],
            [0, 0],
          ]),
        );
      }
    }
    const phases = terms.map((t) =>
      t.length === 0 ? tf.zeros([n, rowsPerPhase, colsPerPhase, cin]) : t.length === 1 ? t[0] : tf.addN(t),
    ) as tf.Tensor4D[];
    const value = tf.slice(interleavePhases(phases, sh, sw), [0, g.top, g.left, 0], [n, outH, outW, cin]);
    return {
      value,
      gradFunc: (ddx: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedDy, savedW] = saved as [tf.Tensor4D, tf.Tensor4D];
        const upstream = ddx as tf.Tensor4D;
        return [conv2dFast(upstream, savedW, geometry), conv2dFilterGrad(upstream, savedDy, geometry, [kh, kw])];
      },
    };
  });
  return op(dy, filter) as tf.Tensor4D;
}

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

/** A Conv2D / Conv2DBackpropInput kernel's attributes as explicit geometry ('same' and 'valid' resolved). */
function geometryFromAttrs(
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

/** The input gradient (transposed convolution) by whichever route is faster for this shape. */
function inputGradient(
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
  if (isWeightBound(positions, filter.size) || patchesPay) return inputGradByPatches(dy, filter, geometry, outSize);
  return conv2dTransposeFast(dy, filter, geometry, outSize);
}

/**
 * The gradient of tfjs's Conv2DBackpropInput kernel (tf.conv2dTranspose, for callers outside this module), in
 * forward convolutions: the wasm backend has no Conv2DBackpropFilter, which tfjs's own needs. The same two maps
 * as {@link inputGradByPatches}' gradient.
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
