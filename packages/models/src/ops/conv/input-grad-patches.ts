/** The input gradient of a weight-bound convolution as a patch product and col2im (chosen in route.ts). */
import * as tf from "@tensorflow/tfjs";
import { type ConvGeometry, resolve } from "./geometry.js";
import { interleavePhases } from "./phases.js";

/** The forward convolution and the filter gradient, for this route's own gradient. */
export interface SecondOrder {
  forward(x: tf.Tensor4D, w: tf.Tensor4D, geometry: ConvGeometry): tf.Tensor4D;
  filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, geometry: ConvGeometry, kernel: [number, number]): tf.Tensor4D;
}

/**
 * The input gradient of a weight-bound convolution (see {@link isWeightBound}): patch gradients
 * [P, kh kw cin] = dy [P, cout] w^T, computed transposed as one 1x1 convolution with the filter as the *input*
 * (w [kh kw cin, cout] x dy^T [cout, P]: no filter-sized transpose, copy or XNNPACK packing, which cost more than
 * the product itself), then col2im: each tap's [n, qh, qw, cin] block added at its place, one grid per stride
 * phase, phases interleaved. Measured on wasm at batch 1: the seed D's 4x4/2 512 -> 1024 level 0.49 s with tfjs's
 * Conv2DBackpropInput, 0.04 s for the product; 1024 -> 2048: 0.39 and 0.06 s.
 * Its gradient (second order: WGAN-GP) is the forward conv in dy and the filter gradient in w, as for tfjs's
 * Conv2DBackpropInput (gradients.ts): `secondOrder` brings them from route.ts.
 */
export function inputGradByPatches(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  geometry: ConvGeometry,
  outSize: [number, number],
  secondOrder: SecondOrder,
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
        return [
          secondOrder.forward(upstream, savedW, geometry),
          secondOrder.filterGrad(upstream, savedDy, geometry, [kh, kw]),
        ];
      },
    };
  });
  return op(dy, filter) as tf.Tensor4D;
}
