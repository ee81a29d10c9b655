import { describe, expect, it } from "vitest";
import { withSeededRandom } from "./seeded-random.js";

describe("withSeededRandom", () => {
  it("draws the same sequence for the same seed and a different one for another seed", () => {
    const draw = () => Array.from({ length: 8 }, () => Math.random());
    const a = withSeededRandom(7, draw);
    const b = withSeededRandom(7, draw);
    const c = withSeededRandom(8, draw);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });

  it("puts Math.random back afterwards, even when the build throws", () => {
    const original = Math.random;
    expect(() =>
      withSeededRandom(1, () => {
        throw new Error("build failed");
      }),
    ).toThrow("build failed");
    expect(Math.random).toBe(original);
  });
});
