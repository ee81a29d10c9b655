import { type Cepstra, melCepstra } from "./cepstrum.js";
import { dtw, euclidean } from "./dtw.js";

/** (10 / ln 10) sqrt(2): the constant of mel-cepstral distortion in dB. */
export const mcdConstant = (10 / Math.log(10)) * Math.SQRT2;

export interface McdResult {
  /** Mean mel-cepstral distortion over the aligned frame pairs, dB. */
  mcd: number;
  /** Aligned frame pairs. */
  pairs: number;
}

/**
 * Mel-cepstral distortion after DTW alignment: frames are aligned by Euclidean distance over c1..cD (c0, the
 * frame energy, excluded, as is the common convention), then MCD = (10 / ln 10) sqrt(2 sum_{d=1..D} (c_d - c'_d)^2)
 * is averaged over the path.
 */
export function mcdDtw(converted: Cepstra, reference: Cepstra): McdResult {
  if (converted.order !== reference.order) {
    throw new RangeError(`mcdDtw: expected cepstra of the same order, found ${converted.order} and ${reference.order}`);
  }
  const dim = converted.order + 1;
  const distance = euclidean(dim, 1);
  const { path } = dtw(converted.data, reference.data, dim, distance);
  let sum = 0;
  for (const [i, j] of path) sum += mcdConstant * distance(converted.data, i, reference.data, j);
  return { mcd: sum / path.length, pairs: path.length };
}

/** MCD-DTW between two signals, each analysed by `analysis` (default `melCepstra`, which resamples to 16 kHz). */
export function mcdDtwAudio(
  converted: Float32Array,
  reference: Float32Array,
  sampleRate: number,
  referenceRate = sampleRate,
  analysis: (signal: Float32Array, sampleRate: number) => Cepstra = melCepstra,
): McdResult {
  return mcdDtw(analysis(converted, sampleRate), analysis(reference, referenceRate));
}
