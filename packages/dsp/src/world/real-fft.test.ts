import { describe, expect, it } from "vitest";
import { Mulberry32 } from "../random.js";
import { RealFft } from "./real-fft.js";

/** The inverse DFT of a Hermitian half spectrum, term by term. */
function directInverse(re: Float64Array, im: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const half = k <= n / 2 ? k : n - k;
      const r = re[half] as number;
      // X[0] and X[n/2] are real in a real signal's spectrum; the rest of the circle is the conjugate half.
      const i = half === 0 || half === n / 2 ? 0 : k <= n / 2 ? (im[half] as number) : -(im[half] as number);
      const angle = (2 * Math.PI * k * t) / n;
      sum += r * Math.cos(angle) - i * Math.sin(angle);
    }
    out[t] = sum / n;
  }
  return out;
}

describe("RealFft", () => {
  it("inverse (one half-size complex transform) equals the direct inverse DFT and undoes forward", () => {
    const random = new Mulberry32(7);
    for (const n of [2, 4, 8, 64, 1024]) {
      const plan = new RealFft(n);
      const re = new Float64Array(n / 2 + 1).map(() => random.next() - 0.5);
      const im = new Float64Array(n / 2 + 1).map(() => random.next() - 0.5);
      const out = new Float64Array(n);
      plan.inverse(re, im, out);
      const expected = directInverse(re, im, n);
      for (let t = 0; t < n; t++) expect(out[t] as number).toBeCloseTo(expected[t] as number, 12);
      const signal = new Float64Array(n).map(() => random.next() - 0.5);
      plan.forward(signal, re, im);
      plan.inverse(re, im, out);
      for (let t = 0; t < n; t++) expect(out[t] as number).toBeCloseTo(signal[t] as number, 12);
    }
  });
});
