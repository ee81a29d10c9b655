/**
 * An F0 estimator of RAPT's design (Talkin 1995, "A robust algorithm for pitch tracking"), written from the paper
 * for the copy-synthesis experiments (experiments/rapt-voicing.ts), not yet part of @vox/dsp: per 5 ms frame the
 * normalised cross-correlation (NCCF) over a 7.5 ms window at every lag between the F0 range's periods, first on
 * the signal decimated to 4 kHz, its peaks refined at the full rate; the candidates and an unvoiced state joined by
 * dynamic programming, whose costs favour strong correlations at short lags, penalise F0 jumps (octave jumps a
 * little less than their size) and make voicing onsets cheap where the energy rises and offsets where it falls.
 * With `spectral: true` the paper's spectral-stationarity term joins the transition costs: 0.2 / (d - 0.8), d the
 * Itakura distance between 12th-order LPC spectra of 30 ms windows 20 ms apart, so voicing changes cost least where
 * the spectrum changes; without it only the energy ratio moves them.
 */
import { resample } from "@vox/dsp";

export interface NccfF0Options {
  framePeriod: number;
  f0Floor: number;
  f0Ceil: number;
  /** Add the spectral-stationarity term to the voicing transition costs. */
  spectral?: boolean;
  /** Added to the unvoiced state's local cost (the paper's VO_BIAS, SPTK's `pitch -t`): below 0 voices less. Default 0. */
  voiceBias?: number;
}

/** The paper's parameter values (its Table I), where this simplified version uses them. */
const WINDOW_SECONDS = 0.0075;
const CANDIDATE_THRESHOLD = 0.3;
const MAX_CANDIDATES = 20;
/** The paper's 0.3 put ked's F0 an octave high on 9 % of its frames (against SPTK's RAPT); 0.1, 5 %. */
const LAG_WEIGHT = 0.1;
const FREQUENCY_WEIGHT = 0.02;
const TRANSITION_COST = 0.005;
const TRANSITION_AMPLITUDE = 0.5;
const TRANSITION_SPECTRAL = 0.5;
const LPC_ORDER = 12;
const DOUBLING_COST = 0.35;
const COARSE_RATE = 4000;
/** How far below the loudest frame's power the NCCF's ballast lies (quiet frames correlate less). */
const BALLAST_DB = 35;

/**
 * NCCF of `x` at lag `lag` over `n` samples from `start` (mean of the span removed); `ballast` (a power per sample)
 * is added under the root so that quiet frames correlate less (background noise is not a voice).
 */
function nccf(x: Float32Array, start: number, n: number, lag: number, mean: number, ballast: number): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let j = 0; j < n; j++) {
    const i = start + j;
    const a = (i >= 0 && i < x.length ? (x[i] as number) : 0) - mean;
    const k = i + lag;
    const b = (k >= 0 && k < x.length ? (x[k] as number) : 0) - mean;
    xy += a * b;
    xx += a * a;
    yy += b * b;
  }
  return xx > 0 && yy > 0 ? xy / (Math.sqrt(xx * yy) + n * ballast) : 0;
}

function spanMean(x: Float32Array, start: number, length: number): number {
  let sum = 0;
  for (let i = Math.max(0, start); i < Math.min(x.length, start + length); i++) sum += x[i] as number;
  return sum / Math.max(1, length);
}

/** RMS of `x` under a Hann window `length` long centred on `centre`. */
function windowedRms(x: Float32Array, centre: number, length: number): number {
  let sum = 0;
  let weight = 0;
  for (let j = 0; j < length; j++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (j + 0.5)) / length);
    const i = centre - (length >> 1) + j;
    const v = i >= 0 && i < x.length ? (x[i] as number) : 0;
    sum += w * v * v;
    weight += w;
  }
  return Math.sqrt(sum / weight);
}

/** Autocorrelation r[0..order] of `x` under a Hann window `length` long centred on `centre`. */
function windowedAutocorrelation(x: Float32Array, centre: number, length: number, order: number): Float64Array {
  const frame = new Float64Array(length);
  for (let j = 0; j < length; j++) {
    const i = centre - (length >> 1) + j;
    frame[j] =
      (i >= 0 && i < x.length ? (x[i] as number) : 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * (j + 0.5)) / length));
  }
  const r = new Float64Array(order + 1);
  for (let k = 0; k <= order; k++) {
    let sum = 0;
    for (let j = 0; j + k < length; j++) sum += (frame[j] as number) * (frame[j + k] as number);
    r[k] = sum;
  }
  r[0] = (r[0] as number) * (1 + 1e-9) + 1e-12; // a hair of white noise keeps silence invertible
  return r;
}

/** The prediction polynomial a[0..order] (a[0] = 1) of autocorrelation `r`, by Levinson-Durbin. */
function lpc(r: Float64Array, order: number): Float64Array {
  const a = new Float64Array(order + 1);
  a[0] = 1;
  let error = r[0] as number;
  const previous = new Float64Array(order + 1);
  for (let i = 1; i <= order; i++) {
    let acc = r[i] as number;
    for (let j = 1; j < i; j++) acc += (a[j] as number) * (r[i - j] as number);
    const k = -acc / error;
    previous.set(a);
    for (let j = 1; j < i; j++) a[j] = (previous[j] as number) + k * (previous[i - j] as number);
    a[i] = k;
    error *= 1 - k * k;
  }
  return a;
}

/** a' R a for the Toeplitz matrix of autocorrelation `r`. */
function quadratic(a: Float64Array, r: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a.length; j++) sum += (a[i] as number) * (a[j] as number) * (r[Math.abs(i - j)] as number);
  return sum;
}

interface Candidate {
  /** Period in samples at the full rate. */
  lag: number;
  correlation: number;
}

/** The frame's candidates: peaks of the coarse NCCF, each refined at the full rate (parabola through the peak). */
function candidatesAt(
  x: Float32Array,
  coarse: Float32Array,
  rate: number,
  centre: number,
  lags: { min: number; max: number },
  ballast: number,
): Candidate[] {
  const factor = rate / COARSE_RATE;
  const coarseCentre = Math.round(centre / factor);
  const n = Math.round(WINDOW_SECONDS * COARSE_RATE);
  const start = coarseCentre - (n >> 1);
  const minLag = Math.max(1, Math.floor(lags.min / factor));
  const maxLag = Math.ceil(lags.max / factor);
  const mean = spanMean(coarse, start, n + maxLag);
  const values = new Float64Array(maxLag + 2);
  let best = 0;
  for (let k = minLag - 1; k <= maxLag + 1; k++) {
    values[k] = nccf(coarse, start, n, k, mean, ballast);
    if (k >= minLag && k <= maxLag) best = Math.max(best, values[k] as number);
  }
  const peaks: number[] = [];
  for (let k = minLag; k <= maxLag; k++) {
    const v = values[k] as number;
    if (v >= (values[k - 1] as number) && v > (values[k + 1] as number) && v >= CANDIDATE_THRESHOLD * best && v > 0)
      peaks.push(k);
  }
  peaks.sort((a, b) => (values[b] as number) - (values[a] as number));
  const fineN = Math.round(WINDOW_SECONDS * rate);
  const fineStart = centre - (fineN >> 1);
  const fineMean = spanMean(x, fineStart, fineN + lags.max);
  const result: Candidate[] = [];
  for (const k of peaks.slice(0, MAX_CANDIDATES)) {
    const around = Math.round(k * factor);
    let bestLag = around;
    let bestValue = -2;
    const reach = Math.ceil(factor) + 1;
    const fine = new Map<number, number>();
    for (let l = Math.max(lags.min, around - reach); l <= Math.min(lags.max, around + reach); l++) {
      const v = nccf(x, fineStart, fineN, l, fineMean, ballast);
      fine.set(l, v);
      if (v > bestValue) [bestLag, bestValue] = [l, v];
    }
    if (bestValue <= 0) continue;
    const left = fine.get(bestLag - 1) ?? nccf(x, fineStart, fineN, bestLag - 1, fineMean, ballast);
    const right = fine.get(bestLag + 1) ?? nccf(x, fineStart, fineN, bestLag + 1, fineMean, ballast);
    const curvature = left - 2 * bestValue + right;
    const shift = curvature < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curvature)) : 0;
    result.push({ lag: bestLag + shift, correlation: Math.min(1, bestValue - 0.25 * (left - right) * shift) });
  }
  return result;
}

/** Each frame's candidates (frame t centred on t x framePeriod) and the lag range they were searched in. */
function frameCandidates(
  x: Float32Array,
  rate: number,
  options: NccfF0Options,
): { perFrame: Candidate[][]; lags: { min: number; max: number }; hop: number } {
  const hop = (rate * options.framePeriod) / 1000;
  const frames = 1 + Math.floor(x.length / hop);
  const lags = { min: Math.floor(rate / options.f0Ceil), max: Math.ceil(rate / options.f0Floor) };
  const coarse = resample(x, rate, COARSE_RATE, { zeroCrossings: 16 });
  const rmsLength = Math.round(0.03 * rate);
  // The ballast: a power BALLAST_DB below the loudest frame's, per sample.
  let loudest = 0;
  for (let t = 0; t < frames; t++) loudest = Math.max(loudest, windowedRms(x, Math.round(t * hop), rmsLength));
  const ballast = loudest * loudest * 10 ** (-BALLAST_DB / 10);
  const perFrame: Candidate[][] = [];
  for (let t = 0; t < frames; t++) perFrame.push(candidatesAt(x, coarse, rate, Math.round(t * hop), lags, ballast));
  return { perFrame, lags, hop };
}

/** The strongest candidate per frame: its F0 (Hz) and correlation (0 where a frame has none). */
export function nccfPeaks(
  x: Float32Array,
  rate: number,
  options: NccfF0Options,
): { f0: Float64Array; correlation: Float64Array } {
  const { perFrame } = frameCandidates(x, rate, options);
  const f0 = new Float64Array(perFrame.length);
  const correlation = new Float64Array(perFrame.length);
  perFrame.forEach((candidates, t) => {
    for (const c of candidates) {
      if (c.correlation > (correlation[t] as number)) [f0[t], correlation[t]] = [rate / c.lag, c.correlation];
    }
  });
  return { f0, correlation };
}

/** F0 per frame (Hz, 0 unvoiced), frame t centred on t x framePeriod. */
export function nccfF0(x: Float32Array, rate: number, options: NccfF0Options): Float64Array {
  const { perFrame, lags, hop } = frameCandidates(x, rate, options);
  const frames = perFrame.length;
  const ratio = new Float64Array(frames);
  const rmsLength = Math.round(0.03 * rate);
  const apart = Math.round(0.01 * rate);
  const stationarity = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const centre = Math.round(t * hop);
    const before = windowedRms(x, centre - apart, rmsLength);
    const after = windowedRms(x, centre + apart, rmsLength);
    ratio[t] = before > 0 ? after / before : after > 0 ? 10 : 1;
    if (options.spectral) {
      // Itakura distance of the earlier window's predictor on the later window's spectrum.
      const rAfter = windowedAutocorrelation(x, centre + apart, rmsLength, LPC_ORDER);
      const rBefore = windowedAutocorrelation(x, centre - apart, rmsLength, LPC_ORDER);
      const d = quadratic(lpc(rBefore, LPC_ORDER), rAfter) / quadratic(lpc(rAfter, LPC_ORDER), rAfter);
      stationarity[t] = 0.2 / Math.max(0.2, d - 0.8);
    }
  }
  // Dynamic programming: state 0 unvoiced, state j + 1 candidate j; cost[t][s] and the best predecessor.
  const costs: Float64Array[] = [];
  const back: Int32Array[] = [];
  for (let t = 0; t < frames; t++) {
    const candidates = perFrame[t] as Candidate[];
    const strongest = candidates.reduce((m, c) => Math.max(m, c.correlation), 0);
    const local = new Float64Array(candidates.length + 1);
    local[0] = (options.voiceBias ?? 0) + strongest;
    candidates.forEach((c, j) => {
      local[j + 1] = 1 - c.correlation * (1 - (LAG_WEIGHT * c.lag) / lags.max);
    });
    const cost = new Float64Array(local.length);
    const from = new Int32Array(local.length);
    if (t === 0) {
      cost.set(local);
      costs.push(cost);
      back.push(from);
      continue;
    }
    const previous = perFrame[t - 1] as Candidate[];
    const previousCost = costs[t - 1] as Float64Array;
    const r = Math.max(1e-3, ratio[t] as number);
    const spectral = TRANSITION_SPECTRAL * (stationarity[t] as number);
    const onset = TRANSITION_COST + spectral + TRANSITION_AMPLITUDE / r;
    const offset = TRANSITION_COST + spectral + TRANSITION_AMPLITUDE * r;
    for (let s = 0; s < local.length; s++) {
      let best = Number.POSITIVE_INFINITY;
      let arg = 0;
      for (let p = 0; p < previousCost.length; p++) {
        let transition = 0;
        if (s === 0 && p > 0) transition = offset;
        else if (s > 0 && p === 0) transition = onset;
        else if (s > 0 && p > 0) {
          const delta = Math.abs(Math.log((candidates[s - 1] as Candidate).lag / (previous[p - 1] as Candidate).lag));
          transition = FREQUENCY_WEIGHT * Math.min(delta, DOUBLING_COST + Math.abs(delta - Math.LN2));
        }
        const total = (previousCost[p] as number) + transition;
        if (total < best) [best, arg] = [total, p];
      }
      cost[s] = best + (local[s] as number);
      from[s] = arg;
    }
    costs.push(cost);
    back.push(from);
  }
  const f0 = new Float64Array(frames);
  const last = costs[frames - 1] as Float64Array;
  let state = 0;
  for (let s = 1; s < last.length; s++) if ((last[s] as number) < (last[state] as number)) state = s;
  for (let t = frames - 1; t >= 0; t--) {
    if (state > 0) f0[t] = rate / ((perFrame[t] as Candidate[])[state - 1] as Candidate).lag;
    state = (back[t] as Int32Array)[state] as number;
  }
  return f0;
}
