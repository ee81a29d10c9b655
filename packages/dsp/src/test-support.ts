// Shared by the tests of @vox/dsp (not part of the package's build).
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { decodeWav } from "./wav.js";

export const fixturesDir = new URL("../fixtures/", import.meta.url);

export interface Reference {
  generator: string;
  signal: number[];
  stft: {
    nFft: number;
    hop: number;
    winLength: number;
    padMode: "constant" | "reflect";
    bins: number;
    frames: number;
    re: number[];
    im: number[];
  }[];
  melFilterbank: {
    sampleRate: number;
    nFft: number;
    nMels: number;
    fmin: number;
    fmax: number;
    scale: "slaney" | "htk";
    norm: "slaney" | "none";
    rows: number[];
    weights: number[];
  }[];
  melSpectrogram: {
    offset: number;
    length: number;
    nFft: number;
    hop: number;
    nMels: number;
    fmin: number;
    fmax: number;
    bins: number;
    frames: number;
    values: number[];
  };
  db: { powerToDb: number[]; powerToDbNoTop: number[]; amplitudeToDbRefMax: number[]; magnitude: number[] };
  melToLinear: { residualNorms: number[]; melNorms: number[] };
  griffinLim: { nFft: number; hop: number; nIter: number; momentum: number; torchaudioSpectralConvergence: number[] };
}

let cached: Reference | undefined;
/** Reference values made by tools/make-dsp-fixtures.py with torchaudio / numpy / scipy. */
export function reference(): Reference {
  cached ??= JSON.parse(readFileSync(new URL("reference.json", fixturesDir), "utf8")) as Reference;
  return cached;
}

/** The shipped speech sample (espeak-ng, 16 kHz), decoded. */
export function speechSample(): Float32Array {
  return decodeWav(readFileSync(new URL("speech-16k.wav", fixturesDir)), "speech-16k.wav").samples;
}

/**
 * Element-wise closeness relative to each reference value, with a floor of `rtol` x 1e-3 x the array's peak so
 * values many orders below the peak (float32 round-off territory) are compared on an absolute scale.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-4,
  label = "values",
): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let peak = 0;
  for (let i = 0; i < expected.length; i++) peak = Math.max(peak, Math.abs(expected[i] as number));
  const floor = peak * 1e-3;
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const error = Math.abs((actual[i] as number) - e) / (Math.abs(e) + floor);
    if (!(error <= worst)) {
      worst = error;
      worstIndex = i;
    }
  }
  expect(worst, `${label}: worst relative error at index ${worstIndex}`).toBeLessThanOrEqual(rtol);
}
