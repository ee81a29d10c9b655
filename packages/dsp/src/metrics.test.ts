import { describe, expect, it } from "vitest";
import { spectralConvergence } from "./metrics.js";

describe("spectralConvergence", () => {
  it("is 0 for identical spectra and ||A - B|| / ||A|| otherwise", () => {
    const a = Float32Array.from([3, 4, 0]);
    expect(spectralConvergence(a, a)).toBe(0);
    expect(spectralConvergence(a, Float32Array.from([0, 0, 0]))).toBeCloseTo(1, 12);
    expect(spectralConvergence(a, Float32Array.from([3, 4, 5]))).toBeCloseTo(1, 12);
    expect(spectralConvergence(a, Float32Array.from([3, 5, 0]))).toBeCloseTo(1 / 5, 6);
    expect(() => spectralConvergence(a, new Float32Array(2))).toThrow(
      /spectralConvergence\(estimate\): expected 3 values/,
    );
  });
});
