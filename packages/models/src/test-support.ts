import { expect } from "vitest";
import * as tf from "./tfjs.js";

/** Expects the largest difference from `expected` to be under `tolerance` of expected's largest magnitude. */
export function expectRelativelyClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  tolerance: number,
): void {
  expect(actual.length, label).toBe(expected.length);
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    peak = Math.max(peak, Math.abs(expected[i] as number));
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  expect(worst / peak, label).toBeLessThan(tolerance);
}

/**
 * Expects `analytic` (the gradient of the scalar f at t) to match central differences of f at the given flat
 * indices of t (default: first, a few inside, last), to 2 % of max(1, |numeric|). Test-only (as this whole file).
 */
export function expectFiniteDifferences(
  t: tf.Tensor4D,
  analytic: tf.Tensor,
  f: (t: tf.Tensor4D) => tf.Tensor,
  indices: number[] = [0, 5, 17, t.size - 1],
  eps = 1e-2,
): void {
  const values = t.dataSync().slice();
  const grad = analytic.dataSync();
  const at = (v: Float32Array | Int32Array | Uint8Array) =>
    f(tf.tensor(v, t.shape) as tf.Tensor4D).dataSync()[0] as number;
  for (const i of indices) {
    const plus = values.slice();
    const minus = values.slice();
    plus[i] = (plus[i] as number) + eps;
    minus[i] = (minus[i] as number) - eps;
    const numeric = (at(plus) - at(minus)) / (2 * eps);
    expect(Math.abs(numeric - (grad[i] as number)), `index ${i}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
  }
}
