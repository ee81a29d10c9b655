import { describe, expect, it } from "vitest";
import { resample } from "./resample.js";

function tone(hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate),
  );
}

/** Amplitude of the `hz` component over the middle of `x` (edges skipped), by correlation. */
function amplitudeAt(x: Float32Array, hz: number, rate: number): number {
  const start = Math.floor(x.length / 4);
  const end = Math.floor((3 * x.length) / 4);
  let re = 0;
  let im = 0;
  for (let i = start; i < end; i++) {
    re += (x[i] as number) * Math.cos((2 * Math.PI * hz * i) / rate);
    im += (x[i] as number) * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (end - start);
}

function rms(x: Float32Array): number {
  const start = Math.floor(x.length / 4);
  const end = Math.floor((3 * x.length) / 4);
  let sum = 0;
  for (let i = start; i < end; i++) sum += (x[i] as number) ** 2;
  return Math.sqrt(sum / (end - start));
}

describe("resample", () => {
  it("keeps a 7 kHz tone at 7 kHz going 48 kHz -> 16 kHz", () => {
    const y = resample(tone(7000, 48000, 0.5), 48000, 16000);
    expect(y.length).toBe(8000);
    expect(amplitudeAt(y, 7000, 16000)).toBeGreaterThan(0.5 * 10 ** (-1 / 20)); // within 1 dB
    // All its energy is in that one tone: nothing else (ringing, spurious components) above -60 dB.
    expect(Math.abs(rms(y) - amplitudeAt(y, 7000, 16000) / Math.SQRT2)).toBeLessThan(0.5e-3);
  });

  it("removes content above the new Nyquist instead of folding it back (9 kHz and 15 kHz at 48 kHz -> 16 kHz)", () => {
    for (const hz of [9000, 15000]) {
      const y = resample(tone(hz, 48000, 0.5), 48000, 16000);
      const aliasHz = 16000 - hz > 0 ? 16000 - hz : hz - 16000; // where it would land: 7 kHz and 1 kHz
      expect(amplitudeAt(y, Math.abs(aliasHz), 16000), `${hz} Hz alias`).toBeLessThan(0.5e-3); // < -60 dB
      expect(rms(y), `${hz} Hz residue`).toBeLessThan(0.5e-3);
    }
  });

  it("handles 44.1 kHz -> 16 kHz and upsampling 16 kHz -> 22.05 kHz, preserving in-band tones and length", () => {
    const down = resample(tone(3000, 44100, 0.3), 44100, 16000);
    expect(down.length).toBe(Math.ceil((13230 * 16000) / 44100));
    expect(amplitudeAt(down, 3000, 16000)).toBeCloseTo(0.5, 2);
    const up = resample(tone(440, 16000, 0.3), 16000, 22050);
    expect(up.length).toBe(Math.ceil((4800 * 22050) / 16000));
    expect(amplitudeAt(up, 440, 22050)).toBeCloseTo(0.5, 2);
    // An awkward ratio (more than the tabulated phases) computes taps per sample and agrees.
    const odd = resample(tone(440, 16000, 0.1), 16000, 44101);
    expect(amplitudeAt(odd, 440, 44101)).toBeCloseTo(0.5, 2);
  });

  it("returns a copy for equal rates and rejects bad rates by name", () => {
    const x = tone(100, 8000, 0.01);
    const y = resample(x, 8000, 8000);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
    expect(() => resample(x, 0, 16000)).toThrow(/resample\(fromRate\): expected a positive integer, found 0/);
    expect(() => resample(x, 16000, 22050.5)).toThrow(/toRate/);
  });
});
