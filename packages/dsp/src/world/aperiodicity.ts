import { InvalidArgumentError, requireInteger, requireNumber } from "../errors.js";
import type { Spectrogram } from "../spectrogram.js";
import { envelopeFftSize } from "./envelope.js";
import { assertFinite } from "./f0.js";
import { nextPowerOfTwo, realFft } from "./real-fft.js";

/** Band centres are this far apart, from this frequency up (D4C's spacing). */
export const APERIODICITY_BAND_SPACING = 3000;
/** Decoded aperiodicity is pinned to this at 0 Hz (fully periodic) and to 0 dB at Nyquist. */
const LOWEST_DB = -60;
/** The least a band can be coded (a perfectly periodic band). */
const FLOOR_DB = -60;

/** Band aperiodicities estimated at `sampleRate`: centres 3, 6, ... kHz up to 15 kHz, below Nyquist - 3 kHz. */
export function defaultAperiodicityBands(sampleRate: number): number {
  return Math.max(
    1,
    Math.floor(Math.min(15000, sampleRate / 2 - APERIODICITY_BAND_SPACING) / APERIODICITY_BAND_SPACING),
  );
}

export interface AperiodicityOptions {
  /** Milliseconds between frames. Default 5. */
  framePeriod?: number;
  /** Lowest F0 the analysis expects. Default 71. */
  f0Floor?: number;
  /** Bins of the result: fftSize / 2 + 1. Default the envelope's FFT size, so both line up. */
  fftSize?: number;
  /** Bands estimated (centres `bandSpacing` apart, each as wide). Default {@link defaultAperiodicityBands}. */
  bands?: number;
  /** Hz between band centres, the first at this frequency. Default 3000 (D4C's). */
  bandSpacing?: number;
}

/** Half-width of the sinc interpolator that reads the signal one (fractional) period later. */
const SINC_HALF = 8;

/**
 * Band aperiodicity (dB, `bands` rows x frames; 0 dB = noise, -60 dB = perfectly periodic): the share of a
 * band's power that does not repeat from one period to the next. The signal is band-passed (zero-phase, 3 kHz
 * wide around each centre); in each voiced frame, the Hann-weighted normalised correlation r between the band
 * over three periods and the same band one period (1 / F0, sinc-interpolated) later gives the periodic share
 * r and the aperiodic share 1 - r, so a harmonic-to-noise ratio of H dB in the band codes as
 * -10 log10(1 + 10^(H/10)) dB. Unvoiced frames are coded 0 dB (all noise).
 *
 * This takes the place of D4C's group-delay measure (Morise 2016): as implemented here from the paper, that
 * measure saturated at -3 dB for a pulse train with 20 dB of white noise, so voiced speech came out as half noise.
 */
export function bandAperiodicity(
  signal: Float32Array,
  sampleRate: number,
  f0: Float64Array,
  options: AperiodicityOptions = {},
): Spectrogram {
  assertFinite(signal, sampleRate, "aperiodicity(signal)");
  const framePeriod = requireNumber("aperiodicity(options.framePeriod)", options.framePeriod ?? 5, 0.1, 1000);
  const spacing = requireNumber(
    "aperiodicity(options.bandSpacing)",
    options.bandSpacing ?? APERIODICITY_BAND_SPACING,
    100,
  );
  const maxBands = Math.floor((sampleRate / 2 - 1) / spacing);
  if (maxBands < 1)
    throw new InvalidArgumentError("aperiodicity(sampleRate)", `at least ${2 * spacing + 2} Hz`, sampleRate);
  const bands = requireInteger(
    "aperiodicity(options.bands)",
    options.bands ?? defaultAperiodicityBands(sampleRate),
    1,
    maxBands,
  );
  const hop = (sampleRate * framePeriod) / 1000;
  const frames = f0.length;
  const coded = new Float32Array(bands * frames);
  const sinc = sincTable();
  for (let b = 0; b < bands; b++) {
    const centre = (b + 1) * spacing;
    const band = bandPass(signal, sampleRate, centre - spacing / 2, centre + spacing / 2);
    for (let t = 0; t < frames; t++) {
      const current = f0[t] as number;
      if (!(current > 0)) continue; // 0 dB: noise
      const r = bestPeriodCorrelation(band, Math.round(t * hop), sampleRate / current, sinc);
      coded[b * frames + t] = Math.max(FLOOR_DB, Math.min(0, 10 * Math.log10(Math.max(1 - r, 1e-6))));
    }
  }
  return { data: coded, bins: bands, frames };
}

/** FFT size of the band-pass's pieces (a shared plan) and the context each piece carries on either side. */
const BAND_PASS_FFT = 1 << 16;
const BAND_PASS_CONTEXT = 4096;

/**
 * Zero-phase band-pass of the whole signal by FFT: unit gain in [low, high], raised-cosine edges 200 Hz wide.
 * Long signals go through in pieces of 2^16 points with 4096 samples (256 ms at 16 kHz) of context either side,
 * of which only the middle is kept (the response of 200 Hz edges has decayed by then: coded aperiodicity moves by
 * under 0.002 dB on the speech fixture), and one shared plan replaces a private 2^20-point plan built per call.
 */
function bandPass(signal: Float32Array, sampleRate: number, low: number, high: number): Float64Array {
  const n = signal.length;
  if (n + 2 * SINC_HALF + 1 <= BAND_PASS_FFT) {
    return filterPiece(signal, 0, n, nextPowerOfTwo(n + 2 * SINC_HALF + 1), sampleRate, low, high).subarray(0, n);
  }
  const out = new Float64Array(n);
  const keep = BAND_PASS_FFT - 2 * BAND_PASS_CONTEXT;
  for (let first = 0; first < n; first += keep) {
    const from = Math.max(0, first - BAND_PASS_CONTEXT);
    const to = Math.min(n, from + BAND_PASS_FFT);
    const piece = filterPiece(signal, from, to, BAND_PASS_FFT, sampleRate, low, high);
    const end = Math.min(n, first + keep);
    out.set(piece.subarray(first - from, end - from), first);
  }
  return out;
}

/** signal[from..to) zero-padded to `size` points, band-passed in the frequency domain (see bandPass). */
function filterPiece(
  signal: Float32Array,
  from: number,
  to: number,
  size: number,
  sampleRate: number,
  low: number,
  high: number,
): Float64Array {
  const plan = realFft(size);
  const x = new Float64Array(size);
  for (let i = from; i < to; i++) x[i - from] = signal[i] as number;
  const re = new Float64Array(plan.bins);
  const im = new Float64Array(plan.bins);
  plan.forward(x, re, im);
  const edge = 100;
  for (let k = 0; k < plan.bins; k++) {
    const f = (k * sampleRate) / size;
    let gain = 0;
    if (f >= low + edge && f <= high - edge) gain = 1;
    else if (f > low - edge && f < low + edge) gain = 0.5 - 0.5 * Math.cos((Math.PI * (f - low + edge)) / (2 * edge));
    else if (f > high - edge && f < high + edge)
      gain = 0.5 + 0.5 * Math.cos((Math.PI * (f - high + edge)) / (2 * edge));
    re[k] = (re[k] as number) * gain;
    im[k] = (im[k] as number) * gain;
  }
  plan.inverse(re, im, x);
  return x;
}

/** Hann-windowed sinc taps at 1/64-sample steps (the interpolator reading x(n + lag)). */
let sincCache: Float64Array | null = null;
const SINC_STEPS = 64;
function sincTable(): Float64Array {
  if (sincCache) return sincCache;
  const taps = 2 * SINC_HALF;
  const table = new Float64Array((SINC_STEPS + 1) * taps);
  for (let s = 0; s <= SINC_STEPS; s++) {
    const fraction = s / SINC_STEPS;
    for (let j = 0; j < taps; j++) {
      const x = j - SINC_HALF + 1 - fraction; // distance from tap j to the read position
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const hann = 0.5 + 0.5 * Math.cos((Math.PI * x) / SINC_HALF);
      table[s * taps + j] = Math.abs(x) < SINC_HALF ? sinc * hann : 0;
    }
  }
  sincCache = table;
  return table;
}

/**
 * The largest {@link periodCorrelation} for periods within 3 % of `period`: at 3 kHz a period off by 1 % is a
 * phase error of radians, so the band's own period is searched (whole samples, then a parabola through the
 * best three, then the sinc interpolator there).
 */
function bestPeriodCorrelation(x: Float64Array, centre: number, period: number, sinc: Float64Array): number {
  const low = Math.max(2, Math.floor(period * (1 - PERIOD_SEARCH)));
  const high = Math.ceil(period * (1 + PERIOD_SEARCH));
  let best = low;
  let bestR = Number.NEGATIVE_INFINITY;
  const values = new Float64Array(high - low + 3);
  const window = hannWindow(Math.round(1.5 * period));
  for (let lag = low - 1; lag <= high + 1; lag++) {
    const r = periodCorrelation(x, centre, lag, sinc, period, window);
    values[lag - low + 1] = r;
    if (lag >= low && lag <= high && r > bestR) [best, bestR] = [lag, r];
  }
  const a = values[best - low] as number;
  const b = values[best - low + 1] as number;
  const c = values[best - low + 2] as number;
  const curvature = a - 2 * b + c;
  const shift = curvature < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / curvature)) : 0;
  return Math.max(bestR, periodCorrelation(x, centre, best + shift, sinc, period, window));
}

/** The Hann weights 0.5 - 0.5 cos(2 pi (n + 1) / (2 half + 2)), n = 0..2 half, in a buffer reused across frames. */
let windowBuffer = new Float64Array(0);
function hannWindow(half: number): Float64Array {
  const length = 2 * half + 1;
  if (windowBuffer.length < length) windowBuffer = new Float64Array(2 * length);
  for (let n = 0; n < length; n++) windowBuffer[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 1)) / (2 * half + 2));
  return windowBuffer;
}

/** Periods searched either side of 1 / F0, as a fraction. */
const PERIOD_SEARCH = 0.03;

/**
 * Normalised correlation of x around `centre` (three periods of `span`, Hann-weighted) with x `period` samples
 * later (sinc-interpolated).
 */
function periodCorrelation(
  x: Float64Array,
  centre: number,
  period: number,
  sinc: Float64Array,
  span: number,
  window: Float64Array,
): number {
  let whole = Math.floor(period);
  let step = Math.round((period - whole) * SINC_STEPS);
  if (step === SINC_STEPS) [whole, step] = [whole + 1, 0];
  const taps = 2 * SINC_HALF;
  const half = Math.round(1.5 * span);
  const start = centre - Math.round(span / 2) - half;
  let xy = 0;
  let xx = 0;
  let yy = 0;
  const count = 2 * half + 1;
  if (step === 0 && start >= 0 && start + whole + count <= x.length) {
    // A whole-sample lag inside the signal: no interpolation, no bounds to test.
    const lagged = start + whole;
    for (let n = 0; n < count; n++) {
      const w = window[n] as number;
      const a = x[start + n] as number;
      const b = x[lagged + n] as number;
      const wa = w * a;
      xy += wa * b;
      xx += wa * a;
      yy += w * b * b;
    }
    return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
  }
  for (let n = 0; n <= 2 * half; n++) {
    const i = start + n;
    const w = window[n] as number;
    const a = i >= 0 && i < x.length ? (x[i] as number) : 0;
    let b = 0;
    if (step === 0) {
      const k = i + whole; // a whole-sample lag needs no interpolation
      b = k >= 0 && k < x.length ? (x[k] as number) : 0;
    } else {
      const base = i + whole - SINC_HALF + 1;
      for (let j = 0; j < taps; j++) {
        const k = base + j;
        if (k >= 0 && k < x.length) b += (x[k] as number) * (sinc[step * taps + j] as number);
      }
    }
    xy += w * a * b;
    xx += w * a * a;
    yy += w * b * b;
  }
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
}

/**
 * Per-bin aperiodicity (amplitude ratio in [0, 1]; its square is the noise share of the power) from band
 * aperiodicities in dB: linear in dB between -60 dB at 0 Hz, each band's value at its centre, and 0 dB at
 * Nyquist. `fftSize / 2 + 1` bins x frames, as the envelope.
 */
export function decodeAperiodicity(
  coded: Spectrogram,
  sampleRate: number,
  fftSize: number,
  bandSpacing = APERIODICITY_BAND_SPACING,
): Spectrogram {
  const bins = fftSize / 2 + 1;
  const { frames } = coded;
  const out = new Float32Array(bins * frames);
  const points = [0];
  for (let b = 0; b < coded.bins; b++) points.push((b + 1) * bandSpacing);
  points.push(sampleRate / 2);
  const count = points.length;
  // Each frame's values at the points, as natural-log amplitudes (dB x ln 10 / 20), frame-major.
  const toLog = Math.LN10 / 20;
  const values = new Float64Array(frames * count);
  for (let t = 0; t < frames; t++) {
    values[t * count] = LOWEST_DB * toLog;
    for (let b = 0; b < coded.bins; b++)
      values[t * count + b + 1] = Math.min(0, coded.data[b * frames + t] as number) * toLog;
    values[t * count + count - 1] = 0;
  }
  // Written a row (bin) at a time, contiguous: within a segment the amplitude is geometric in the bin, so each
  // frame's value is the previous bin's times a per-frame ratio, and exp runs once per frame and segment (a
  // power per bin and frame, written a frame apart, made this as slow as the synthesis it feeds).
  const amplitude = new Float64Array(frames);
  const ratio = new Float64Array(frames);
  const binHz = sampleRate / fftSize;
  let segment = -1;
  for (let k = 0; k < bins; k++) {
    const f = k * binHz;
    let next = Math.max(0, segment);
    while (next + 2 < count && f > (points[next + 1] as number)) next++;
    const a = points[next] as number;
    const b = points[next + 1] as number;
    const row = k * frames;
    if (next !== segment) {
      segment = next;
      const w = Math.min(1, Math.max(0, (f - a) / (b - a)));
      const dw = binHz / (b - a);
      for (let t = 0; t < frames; t++) {
        const va = values[t * count + segment] as number;
        const vb = values[t * count + segment + 1] as number;
        amplitude[t] = Math.exp(va * (1 - w) + vb * w);
        ratio[t] = Math.exp((vb - va) * dw);
        out[row + t] = amplitude[t] as number;
      }
      continue;
    }
    for (let t = 0; t < frames; t++) {
      const v = (amplitude[t] as number) * (ratio[t] as number);
      amplitude[t] = v;
      out[row + t] = v;
    }
  }
  return { data: out, bins, frames };
}

/** Band aperiodicities (dB) read back from per-bin aperiodicity at the band centres; inverts decodeAperiodicity. */
export function codeAperiodicity(
  aperiodicity: Spectrogram,
  sampleRate: number,
  bands: number,
  bandSpacing = APERIODICITY_BAND_SPACING,
): Spectrogram {
  const { frames } = aperiodicity;
  const fftSize = 2 * (aperiodicity.bins - 1);
  const out = new Float32Array(bands * frames);
  for (let b = 0; b < bands; b++) {
    const position = ((b + 1) * bandSpacing * fftSize) / sampleRate;
    const k = Math.floor(position);
    const w = position - k;
    for (let t = 0; t < frames; t++) {
      const a = 20 * Math.log10(Math.max(aperiodicity.data[k * frames + t] as number, 1e-30));
      const c =
        20 *
        Math.log10(Math.max(aperiodicity.data[Math.min(k + 1, aperiodicity.bins - 1) * frames + t] as number, 1e-30));
      out[b * frames + t] = a * (1 - w) + c * w;
    }
  }
  return { data: out, bins: bands, frames };
}

/** Per-bin aperiodicity (the bands decoded onto the envelope's bins): {@link bandAperiodicity} then decode. */
export function aperiodicity(
  signal: Float32Array,
  sampleRate: number,
  f0: Float64Array,
  options: AperiodicityOptions = {},
): Spectrogram {
  const fftSize = options.fftSize ?? envelopeFftSize(sampleRate, options.f0Floor ?? 71);
  return decodeAperiodicity(bandAperiodicity(signal, sampleRate, f0, options), sampleRate, fftSize);
}
