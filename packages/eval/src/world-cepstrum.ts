import { f0, melCepstrum, resample, spectralEnvelope } from "@vox/dsp";
import type { Cepstra } from "./cepstrum.js";
import { type McdResult, mcdDtwAudio } from "./mcd.js";

/**
 * The mel-cepstrum the StarGAN-VC papers report MCD on: the source-filter analysis at 16 kHz (5 ms frames, DIO +
 * StoneMask F0, CheapTrick envelope, n_fft 1024), then SPTK's all-pass mel-cepstrum of order 24, alpha 0.42.
 */
export const worldCepstrumAnalysis = Object.freeze({ sampleRate: 16000, framePeriod: 5, order: 24, alpha: 0.42 });

/** Mel-cepstra c0..c24 of a signal from its world analysis (frame-major, as {@link Cepstra}). */
export function worldMelCepstra(signal: Float32Array, sampleRate: number): Cepstra {
  const { framePeriod, order, alpha } = worldCepstrumAnalysis;
  const rate = worldCepstrumAnalysis.sampleRate;
  const audio = sampleRate === rate ? signal : resample(signal, sampleRate, rate);
  const input = audio.length > 0 ? audio : new Float32Array(1);
  const contour = f0(input, rate, { framePeriod });
  const mcep = melCepstrum(spectralEnvelope(input, rate, contour, { framePeriod }), order, alpha);
  const { frames } = mcep;
  const data = new Float32Array(frames * (order + 1));
  for (let d = 0; d <= order; d++)
    for (let t = 0; t < frames; t++) data[t * (order + 1) + d] = mcep.data[d * frames + t] as number;
  return { data, frames, order };
}

/** MCD-DTW (c0 excluded) between two signals on the world mel-cepstrum: the figure the papers quote. */
export function mcdDtwWorldAudio(
  converted: Float32Array,
  reference: Float32Array,
  sampleRate: number,
  referenceRate = sampleRate,
): McdResult {
  return mcdDtwAudio(converted, reference, sampleRate, referenceRate, worldMelCepstra);
}
