import { melFilterbank, resample, StftPlan } from "@vox/dsp";

/**
 * The analysis behind every score here, independent of any model's FeatureSpec (so runs with different features
 * are scored alike): 16 kHz, 64 ms Hann windows (n_fft 1024) every 16 ms (hop 256), 40 slaney mel bands 0-8 kHz.
 */
export const cepstrumAnalysis = Object.freeze({ sampleRate: 16000, nFft: 1024, hop: 256, nMels: 40, order: 24 });

/** Frames of cepstra, frame-major: coefficient d of frame t at `data[t * (order + 1) + d]`, c0 included. */
export interface Cepstra {
  data: Float32Array;
  frames: number;
  /** Coefficients per frame beyond c0. */
  order: number;
}

let plan: StftPlan | undefined;
let bank: ReturnType<typeof melFilterbank> | undefined;

/**
 * Mel-cepstra c0..c24 of a signal: per frame, the cepstrum of the natural-log mel amplitude (0.5 ln of the mel
 * power, floored at 1e-10) on the mel axis, c_d = (1/M) sum_m ln|X_m| cos(pi d (m + 1/2) / M), so that
 * ln|X(w)| ~ c0 + 2 sum_d c_d cos(d w) as for SPTK's mel-cepstra; MCD on these lands in the usual range (a few dB
 * between speakers), where an orthonormal MFCC DCT would inflate it about 9 times. Audio at another rate is
 * resampled first.
 */
export function melCepstra(signal: Float32Array, sampleRate: number): Cepstra {
  const { nFft, hop, nMels, order } = cepstrumAnalysis;
  const audio =
    sampleRate === cepstrumAnalysis.sampleRate ? signal : resample(signal, sampleRate, cepstrumAnalysis.sampleRate);
  plan ??= new StftPlan({ nFft, hop });
  bank ??= melFilterbank({ sampleRate: cepstrumAnalysis.sampleRate, nFft, nMels, fmin: 0, fmax: 8000 });
  const power = plan.filteredPower(audio.length > 0 ? audio : new Float32Array(1), bank);
  const frames = power.frames;
  const width = order + 1;
  const out = new Float32Array(frames * width);
  const logs = new Float64Array(nMels);
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < nMels; m++) logs[m] = 0.5 * Math.log(Math.max(1e-10, power.data[m * frames + t] ?? 0));
    for (let d = 0; d < width; d++) {
      let sum = 0;
      for (let m = 0; m < nMels; m++) sum += (logs[m] ?? 0) * Math.cos((Math.PI * d * (m + 0.5)) / nMels);
      out[t * width + d] = sum / nMels;
    }
  }
  return { data: out, frames, order };
}
