import { describe, expect, it } from "vitest";
import { decodeFloat16, encodeFloat16, fromFloat16Bits, toFloat16Bits } from "./float16.js";

describe("float16", () => {
  it("encodes known values exactly as IEEE half precision", () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to infinity
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -14, 0x0400], // smallest normal
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    for (const [value, bits] of cases) {
      expect(toFloat16Bits(value), String(value)).toBe(bits);
      if (Number.isFinite(value) && value < 65504.5) expect(fromFloat16Bits(bits)).toBeCloseTo(value, 3);
    }
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it("round-trips [0, 1] features within half a unit in the last place", () => {
    const values = new Float32Array(10_000).map((_, i) => (i * 0.6180339) % 1);
    const back = decodeFloat16(encodeFloat16(values));
    for (let i = 0; i < values.length; i++) {
      const v = values[i] ?? 0;
      expect(Math.abs((back[i] ?? 0) - v)).toBeLessThanOrEqual(Math.max(2 ** -25, v * 2 ** -11));
    }
  });
});
