/** The phase decomposition of a transposed convolution into forward convolutions (see ../conv.ts). */
import * as tf from "@tensorflow/tfjs";
import { padSpatial, type Resolved } from "./geometry.js";

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
 * The input adjoint of a convolution (a transposed convolution) as s_h x s_w forward convolutions over u, one per
 * output phase, interleaved: u [n, qh, qw, cout] -> [n, outSize[0], outSize[1], cin].
 */
export function transposeByPhases(u: tf.Tensor4D, w: tf.Tensor4D, g: Resolved, outSize: [number, number]): tf.Tensor4D {
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
export function interleavePhases(phases: tf.Tensor4D[], sh: number, sw: number): tf.Tensor4D {
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
