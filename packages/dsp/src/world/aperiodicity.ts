import { InvalidArgumentError, requireInteger, requireNumber } from "../errors.js";
import type { Spectrogram } from "../spectrogram.js";
import { envelopeFftSize, windowedSegment } from "./envelope.js";
import { assertFinite } from "./f0.js";
import { nextPowerOfTwo, realFft } from "./real-fft.js";
import { dcCorrection, linearSmoothing } from "./spectral-smoothing.js";

/** Band centres are this far apart, from this frequency up (D4C's bands). */
export const APERIODICITY_BAND_SPACING = 3000;
/** Coded aperiodicity is pinned to this at 0 Hz (fully periodic) and to 0 dB at Nyquist. */
const LOWEST_DB = -60;
/** The least a band can be coded (a perfectly periodic band). */
const FLOOR_DB = -60;

/** Band aperiodicities D4C estimates at `sampleRate`: centres 3, 6, ... kHz up to 15 kHz, below Nyquist - 3 kHz. */
export function defaultAperiodicityBands(sampleRate: number): number {
  return Math.max(1, Math.floor(Math.min(15000, sampleRate / 2 - APERIODICITY_BAND_SPACING) / APERIODICITY_BAND_SPACING));
}

export interface AperiodicityOptions {
  /** Milliseconds between frames. Default 5. */
  framePeriod?: number;
  /** Lowest F0 the analysis expects. Default 71. */
  f0Floor?: number;
  /** Bins of the result: fftSize / 2 + 1. Default the envelope's FFT size, so both line up. */
  fftSize?: number;
  /** Bands estimated (centres 3 kHz apart). Default {@link defaultAperiodicityBands}. */
  bands?: number;
}

/**
 * Band aperiodicity (dB, `bands` rows x frames; 0 dB = noise, -60 dB = perfectly periodic) after Morise's D4C
 * (2016): per voiced frame, the group delay of windows a quarter period either side of the frame centre is
 * averaged (the temporally static group delay, which cancels the periodic part's movement), smoothed over F0/2
 * and made zero-mean over F0; in each band, a Nuttall window 6 kHz wide cuts it out, and the share of its
 * energy (seen as a waveform) outside its strongest components measures how aperiodic the band is. Unvoiced
 * frames are coded 0 dB (all noise).
 */
export function bandAperiodicity(
  signal: Float32Array,
  sampleRate: number,
  f0: Float64Array,
  options: AperiodicityOptions = {},
): Spectrogram {
  assertFinite(signal, sampleRate, "aperiodicity(signal)");
  const framePeriod = requireNumber("aperiodicity(options.framePeriod)", options.framePeriod ?? 5, 0.1, 1000);
  const f0Floor = requireNumber("aperiodicity(options.f0Floor)", options.f0Floor ?? 71, 10, sampleRate / 4);
  const maxBands = Math.floor((sampleRate / 2 - 1) / APERIODICITY_BAND_SPACING);
  if (maxBands < 1) throw new InvalidArgumentError("aperiodicity(sampleRate)", "at least 6002 Hz", sampleRate);
  const bands = requireInteger(
    "aperiodicity(options.bands)",
    options.bands ?? defaultAperiodicityBands(sampleRate),
    1,
    maxBands,
  );
  const hop = (sampleRate * framePeriod) / 1000;
  const frames = f0.length;
  const fftSize = 2 ** (1 + Math.floor(Math.log2((4 * sampleRate) / f0Floor + 1)));
  const plan = realFft(fftSize);
  const bins = plan.bins;
  const coded = new Float32Array(bands * frames);
  const work = {
    window: new Float64Array(fftSize),
    segment: new Float64Array(fftSize),
    timed: new Float64Array(fftSize),
    re: new Float64Array(bins),
    im: new Float64Array(bins),
    tr: new Float64Array(bins),
    ti: new Float64Array(bins),
    centroid: new Float64Array(bins),
    staticCentroid: new Float64Array(bins),
    power: new Float64Array(bins),
    delay: new Float64Array(bins),
    smoother: new Float64Array(bins),
  };
  const step = sampleRate / fftSize;
  const bandHalf = Math.floor(APERIODICITY_BAND_SPACING / step);
  const bandLength = 2 * bandHalf + 1;
  const bandWindow = new Float64Array(bandLength);
  for (let j = 0; j < bandLength; j++) {
    const x = (2 * Math.PI * j) / (bandLength - 1);
    bandWindow[j] = 0.355768 - 0.487396 * Math.cos(x) + 0.144232 * Math.cos(2 * x) - 0.012604 * Math.cos(3 * x);
  }
  const bandFft = realFft(nextPowerOfTwo(bandLength));
  const bandInput = new Float64Array(bandFft.size);
  const bandRe = new Float64Array(bandFft.bins);
  const bandIm = new Float64Array(bandFft.bins);
  const sorted = new Float64Array(bandFft.bins);
  const boundary = Math.round((bandFft.size * 8) / bandLength);
  for (let t = 0; t < frames; t++) {
    if (!((f0[t] as number) > 0)) continue; // coded 0 dB: noise
    const current = Math.max(f0[t] as number, f0Floor);
    const centre = (t * hop) / sampleRate;
    // Temporally static centroid: the mean of the centroids a quarter period before and after the centre.
    centroidAt(signal, sampleRate, centre - 0.25 / current, current, work, plan);
    work.staticCentroid.set(work.centroid);
    centroidAt(signal, sampleRate, centre + 0.25 / current, current, work, plan);
    for (let k = 0; k < bins; k++) {
      work.staticCentroid[k] = ((work.staticCentroid[k] as number) + (work.centroid[k] as number)) / 2;
    }
    dcCorrection(work.staticCentroid, current, sampleRate, fftSize);
    smoothedPower(signal, sampleRate, centre, current, work, plan);
    for (let k = 0; k < bins; k++) {
      work.delay[k] = (work.staticCentroid[k] as number) / Math.max(work.power[k] as number, 1e-300);
    }
    linearSmoothing(work.delay, current / 2, sampleRate, fftSize);
    work.smoother.set(work.delay);
    linearSmoothing(work.smoother, current, sampleRate, fftSize);
    for (let k = 0; k < bins; k++) work.delay[k] = (work.delay[k] as number) - (work.smoother[k] as number);
    for (let b = 0; b < bands; b++) {
      const centreBin = Math.round(((b + 1) * APERIODICITY_BAND_SPACING) / step);
      bandInput.fill(0);
      for (let j = 0; j < bandLength; j++) {
        const k = centreBin - bandHalf + j;
        const v = k >= 0 && k < bins ? (work.delay[k] as number) : 0;
        bandInput[j] = v * (bandWindow[j] as number);
      }
      bandFft.forward(bandInput, bandRe, bandIm);
      for (let k = 0; k < bandFft.bins; k++) sorted[k] = (bandRe[k] as number) ** 2 + (bandIm[k] as number) ** 2;
      sorted.sort();
      let total = 0;
      let rest = 0;
      const cut = bandFft.bins - 1 - boundary;
      for (let k = 0; k < bandFft.bins; k++) {
        total += sorted[k] as number;
        if (k < cut) rest += sorted[k] as number;
      }
      const db = total > 0 ? 10 * Math.log10(Math.max(rest / total, 1e-30)) : 0;
      coded[b * frames + t] = Math.min(0, Math.max(FLOOR_DB, db));
    }
  }
  return { data: coded, bins: bands, frames };
}

interface Work {
  window: Float64Array;
  segment: Float64Array;
  timed: Float64Array;
  re: Float64Array;
  im: Float64Array;
  tr: Float64Array;
  ti: Float64Array;
  centroid: Float64Array;
  power: Float64Array;
}

/** Blackman window four periods long, centred on `time`, on the signal; returns the window's length. */
function blackmanSegment(signal: Float32Array, rate: number, time: number, f0: number, work: Work): number {
  const half = Math.round((2 * rate) / f0);
  const length = Math.min(2 * half + 1, work.window.length - 1);
  const h = (length - 1) / 2;
  for (let n = 0; n < length; n++) {
    const x = (2 * Math.PI * n) / (length - 1);
    work.window[n] = 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x);
  }
  windowedSegment(signal, Math.round(time * rate) - h, work.window, length, work.segment);
  return length;
}

/** Re(X) Re(T) + Im(X) Im(T), X the spectrum of the windowed segment and T that of n x segment(n). */
function centroidAt(
  signal: Float32Array,
  rate: number,
  time: number,
  f0: number,
  work: Work,
  plan: ReturnType<typeof realFft>,
): void {
  const length = blackmanSegment(signal, rate, time, f0, work);
  const h = (length - 1) / 2;
  let energy = 0;
  for (let n = 0; n < length; n++) energy += (work.segment[n] as number) ** 2;
  const scale = energy > 0 ? 1 / Math.sqrt(energy) : 0;
  work.timed.fill(0);
  for (let n = 0; n < length; n++) {
    work.segment[n] = (work.segment[n] as number) * scale;
    work.timed[n] = (work.segment[n] as number) * ((n - h) / rate);
  }
  plan.forward(work.segment, work.re, work.im);
  plan.forward(work.timed, work.tr, work.ti);
  for (let k = 0; k < plan.bins; k++) {
    work.centroid[k] =
      (work.re[k] as number) * (work.tr[k] as number) + (work.im[k] as number) * (work.ti[k] as number);
  }
}

/** Power spectrum of a Hann window four periods long, leak below F0 folded back, smoothed over F0. */
function smoothedPower(
  signal: Float32Array,
  rate: number,
  time: number,
  f0: number,
  work: Work,
  plan: ReturnType<typeof realFft>,
): void {
  const half = Math.round((2 * rate) / f0);
  const length = Math.min(2 * half + 1, work.window.length - 1);
  for (let n = 0; n < length; n++) work.window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 1)) / (length + 1));
  windowedSegment(signal, Math.round(time * rate) - (length - 1) / 2, work.window, length, work.segment);
  let energy = 0;
  for (let n = 0; n < length; n++) energy += (work.segment[n] as number) ** 2;
  const scale = energy > 0 ? 1 / energy : 0;
  plan.forward(work.segment, work.re, work.im);
  for (let k = 0; k < plan.bins; k++) {
    work.power[k] = ((work.re[k] as number) ** 2 + (work.im[k] as number) ** 2) * scale;
  }
  dcCorrection(work.power, f0, rate, plan.size);
  linearSmoothing(work.power, f0, rate, plan.size);
}

/**
 * Per-bin aperiodicity (amplitude ratio in [0, 1]; its square is the noise share of the power) from band
 * aperiodicities in dB: linear in dB between -60 dB at 0 Hz, each band's value at its centre, and 0 dB at
 * Nyquist. `fftSize / 2 + 1` bins x frames, as the envelope.
 */
export function decodeAperiodicity(coded: Spectrogram, sampleRate: number, fftSize: number): Spectrogram {
  const bins = fftSize / 2 + 1;
  const { frames } = coded;
  const out = new Float32Array(bins * frames);
  const points = [0];
  for (let b = 0; b < coded.bins; b++) points.push((b + 1) * APERIODICITY_BAND_SPACING);
  points.push(sampleRate / 2);
  const values = new Float64Array(points.length);
  for (let t = 0; t < frames; t++) {
    values[0] = LOWEST_DB;
    for (let b = 0; b < coded.bins; b++) values[b + 1] = Math.min(0, coded.data[b * frames + t] as number);
    values[points.length - 1] = 0;
    let segment = 0;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / fftSize;
      while (segment + 2 < points.length && f > (points[segment + 1] as number)) segment++;
      const a = points[segment] as number;
      const b = points[segment + 1] as number;
      const w = Math.min(1, Math.max(0, (f - a) / (b - a)));
      const db = (values[segment] as number) * (1 - w) + (values[segment + 1] as number) * w;
      out[k * frames + t] = 10 ** (db / 20);
    }
  }
  return { data: out, bins, frames };
}

/** Band aperiodicities (dB) read back from per-bin aperiodicity at the band centres; inverts decodeAperiodicity. */
export function codeAperiodicity(aperiodicity: Spectrogram, sampleRate: number, bands: number): Spectrogram {
  const { frames } = aperiodicity;
  const fftSize = 2 * (aperiodicity.bins - 1);
  const out = new Float32Array(bands * frames);
  for (let b = 0; b < bands; b++) {
    const position = ((b + 1) * APERIODICITY_BAND_SPACING * fftSize) / sampleRate;
    const k = Math.floor(position);
    const w = position - k;
    for (let t = 0; t < frames; t++) {
      const a = 20 * Math.log10(Math.max(aperiodicity.data[k * frames + t] as number, 1e-30));
      const c = 20 * Math.log10(Math.max(aperiodicity.data[Math.min(k + 1, aperiodicity.bins - 1) * frames + t] as number, 1e-30));
      out[b * frames + t] = a * (1 - w) + c * w;
    }
  }
  return { data: out, bins: bands, frames };
}

/** Per-bin aperiodicity (D4C's bands decoded onto the envelope's bins): {@link bandAperiodicity} then decode. */
export function aperiodicity(
  signal: Float32Array,
  sampleRate: number,
  f0: Float64Array,
  options: AperiodicityOptions = {},
): Spectrogram {
  const fftSize = options.fftSize ?? envelopeFftSize(sampleRate, options.f0Floor ?? 71);
  return decodeAperiodicity(bandAperiodicity(signal, sampleRate, f0, options), sampleRate, fftSize);
}
