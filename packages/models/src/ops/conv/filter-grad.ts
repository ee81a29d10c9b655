/** Filter gradients of a convolution by forward convolutions and patch products (chosen in route.ts). */
import * as tf from "@tensorflow/tfjs";
import type { Resolved } from "./geometry.js";

/**
 * The filter gradient as one forward conv whose batch is x's channels and whose filter is dy, with stride d and
 * dilation s: dw[i, j, ci, co] = sum_{n, o} xp[n, o s + i d, ci] dy[n, o, co] (xp: x padded).
 */
export function filterGradChannelsAsBatch(
  padded: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: Resolved,
  kernel: [number, number],
): tf.Tensor4D {
  const [kh, kw] = kernel;
  const [, qh, qw] = dy.shape;
  const [batch, , , cin] = padded.shape;
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
export function filterGradByPatches(
  padded: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: Resolved,
  kernel: [number, number],
): tf.Tensor4D {
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
export const PATCH_ROWS_LIMIT = 16 * 2 ** 20;

/**
 * The filter gradient of a stride-1, undilated convolution as one 1x1 convolution of patch rows
 * [kh kw cin, P] with dy [P, cout]. The rows come from x transposed once to channels-first planes, one rank-3
 * slice per tap, already in [kh, kw, cin] order. Why: channels-as-batch runs a conv with one input channel and a
 * dy-sized kernel, which XNNPACK does at ~13 GFLOP/s (the seed G's 3x5 256 -> 256 ResBlock convs at batch 1:
 * 0.14-0.16 s each, 26 per G update); these rows take 0.08-0.11 s. Only at batch 1 with 9 taps or more: measured on
 * wasm, the same conv at batch 2 (0.19 against 0.22 s), 2x2 kernels (the phases of transposed convs: 2x slower)
 * and `tiny` at batch 8 (2.1 against 2.6 s per step) are faster channels-as-batch.
 */
export function filterGradByPatchRows(padded: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number]): tf.Tensor4D {
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
