import { describe, expect, it } from "vitest";
import { loudnessGain, nonSilentRange } from "./conditioning.js";
import { voice } from "./test-support.js";

describe("nonSilentRange", () => {
  it("finds speech between silences to within a frame, and nothing in digital silence", () => {
    const signal = voice({ seconds: 1, silence: 0.5 });
    const [start, end] = nonSilentRange(signal, { topDb: 40, frameLength: 512, hop: 128 });
    expect(Math.abs(start - 8000)).toBeLessThanOrEqual(512);
    expect(Math.abs(end - 24000)).toBeLessThanOrEqual(512);
    expect(nonSilentRange(new Float32Array(5000))).toEqual([0, 0]);
  });

  it("a quiet background above the threshold is kept; below it, trimmed", () => {
    const signal = voice({ seconds: 1, silence: 0.5, amplitude: 0.3 });
    const noisy = signal.map((v, i) => v + 0.003 * Math.sin(i * 1.3));
    expect(nonSilentRange(noisy, { topDb: 60 })).toEqual([0, noisy.length]);
    const [start] = nonSilentRange(noisy, { topDb: 20 });
    expect(start).toBeGreaterThan(7000);
  });
});

describe("loudnessGain", () => {
  it("brings the RMS to the target, unless the peak limit says less", () => {
    const signal = voice({ seconds: 1, amplitude: 0.05 });
    const gain = loudnessGain(signal, { targetDb: -23, peakLimit: 1 });
    let sum = 0;
    for (const v of signal) sum += (v * gain) ** 2;
    expect(20 * Math.log10(Math.sqrt(sum / signal.length))).toBeCloseTo(-23, 5);
    const limited = loudnessGain(signal, { targetDb: 0, peakLimit: 0.5 });
    expect(Math.max(...signal.map((v) => Math.abs(v * limited)))).toBeCloseTo(0.5, 5);
    expect(loudnessGain(new Float32Array(10))).toBe(1);
  });
});
