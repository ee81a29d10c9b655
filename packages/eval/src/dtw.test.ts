import { describe, expect, it } from "vitest";
import { dtw } from "./dtw.js";

describe("dtw", () => {
  const abs = (a: Float32Array, i: number, b: Float32Array, j: number) => Math.abs((a[i] ?? 0) - (b[j] ?? 0));

  it("aligns a sequence with its time-stretched copy at zero cost", () => {
    const a = new Float32Array([0, 1, 2, 3]);
    const b = new Float32Array([0, 0, 1, 2, 2, 3]);
    const { cost, path } = dtw(a, b, 1, abs);
    expect(cost).toBe(0);
    expect(path).toEqual([
      [0, 0],
      [0, 1],
      [1, 2],
      [2, 3],
      [2, 4],
      [3, 5],
    ]);
  });

  it("finds the hand-computed optimum of a small example", () => {
    // Cost matrix |a_i - b_j| for a = [1, 3, 4], b = [1, 4]: [[0, 3], [2, 1], [3, 0]]; best path 0 + 1 + 0 = 1.
    const { cost, path } = dtw(new Float32Array([1, 3, 4]), new Float32Array([1, 4]), 1, abs);
    expect(cost).toBe(1);
    expect(path).toEqual([
      [0, 0],
      [1, 1],
      [2, 1],
    ]);
  });

  it("uses vectors of `dim` values and rejects ragged input", () => {
    const a = new Float32Array([0, 0, 3, 4]);
    const b = new Float32Array([0, 0, 3, 4]);
    expect(dtw(a, b, 2).cost).toBe(0);
    expect(dtw(new Float32Array([0, 0]), new Float32Array([3, 4]), 2).cost).toBe(5);
    expect(() => dtw(new Float32Array(3), b, 2)).toThrow(/2-value frames/);
  });
});
