import { describe, expect, it } from "vitest";
import { Mulberry32, mulberry32 } from "./random.js";

describe("Mulberry32", () => {
  it("resumes the exact sequence from a saved state, and matches the function form", () => {
    const a = new Mulberry32(42);
    const f = mulberry32(42);
    for (let i = 0; i < 10; i++) expect(a.next()).toBe(f());
    const saved = a.state;
    const expected = [a.next(), a.next(), a.nextInt(1000)];
    const b = new Mulberry32(0);
    b.state = saved;
    expect([b.next(), b.next(), b.nextInt(1000)]).toEqual(expected);
  });

  it("nextInt is uniform over [0, n)", () => {
    const rng = new Mulberry32(7);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[rng.nextInt(5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});
