import { InvalidArgumentError, requireInteger, requireNumber } from "./errors.js";
import type { Spectrogram } from "./spectrogram.js";

export type MelScale = "slaney" | "htk";
export type MelNorm = "slaney" | "none";

const SLANEY_LINEAR_HZ_PER_MEL = 200 / 3;
const SLANEY_BREAK_HZ = 1000;
const SLANEY_BREAK_MEL = SLANEY_BREAK_HZ / SLANEY_LINEAR_HZ_PER_MEL; // 15
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

/** Hz -> mel: Slaney's (librosa default: linear below 1 kHz, logarithmic above) or HTK's 2595 log10(1 + f/700). */
export function hzToMel(hz: number, scale: MelScale = "slaney"): number {
  if (scale === "htk") return 2595 * Math.log10(1 + hz / 700);
  if (hz < SLANEY_BREAK_HZ) return hz / SLANEY_LINEAR_HZ_PER_MEL;
  return SLANEY_BREAK_MEL + Math.log(hz / SLANEY_BREAK_HZ) / SLANEY_LOG_STEP;
}

/** mel -> Hz, the inverse of {@link hzToMel}. */
export function melToHz(mel: number, scale: MelScale = "slaney"): number {
  if (scale === "htk") return 700 * (10 ** (mel / 2595) - 1);
  if (mel < SLANEY_BREAK_MEL) return mel * SLANEY_LINEAR_HZ_PER_MEL;
  return SLANEY_BREAK_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_BREAK_MEL));
}

export interface MelFilterbankOptions {
  sampleRate: number;
  nFft: number;
  /** Default 128 (librosa). */
  nMels?: number;
  fmin?: number;
  /** Default sampleRate / 2. */
  fmax?: number;
  scale?: MelScale;
  /** 'slaney' divides each triangle by its width in Hz (constant energy per band), librosa's default. */
  norm?: MelNorm;
}

/**
 * A mel filterbank: `nMels` triangles over `nFreq` = nFft/2 + 1 STFT bins, row-major weights (librosa's
 * `filters.mel` layout, [n_mels, 1 + n_fft/2]) with each row's non-zero span kept for sparse products.
 */
export interface MelFilterbank {
  weights: Float32Array;
  nMels: number;
  nFreq: number;
  /** Row m is non-zero only on bins [start[m], end[m]). */
  start: Int32Array;
  end: Int32Array;
}

/** librosa.filters.mel: triangles between mel-spaced edges, weights computed in double precision. */
export function melFilterbank(options: MelFilterbankOptions): MelFilterbank {
  const sampleRate = requireNumber("melFilterbank(options.sampleRate)", options.sampleRate, Number.MIN_VALUE);
  const nFft = requireInteger("melFilterbank(options.nFft)", options.nFft, 2);
  const nMels = requireInteger("melFilterbank(options.nMels)", options.nMels ?? 128, 1);
  const fmin = requireNumber("melFilterbank(options.fmin)", options.fmin ?? 0, 0);
  const fmax = requireNumber("melFilterbank(options.fmax)", options.fmax ?? sampleRate / 2, fmin, sampleRate / 2);
  if (fmax <= fmin) throw new InvalidArgumentError("melFilterbank(options.fmax)", `greater than fmin = ${fmin}`, fmax);
  const scale = options.scale ?? "slaney";
  const norm = options.norm ?? "slaney";
  if (scale !== "slaney" && scale !== "htk") {
    throw new InvalidArgumentError("melFilterbank(options.scale)", '"slaney" or "htk"', scale);
  }
  if (norm !== "slaney" && norm !== "none") {
    throw new InvalidArgumentError("melFilterbank(options.norm)", '"slaney" or "none"', norm);
  }
  const nFreq = Math.floor(nFft / 2) + 1;
  const binHz = new Float64Array(nFreq);
  for (let k = 0; k < nFreq; k++) binHz[k] = (k * sampleRate) / nFft; // = linspace(0, sr/2, nFreq) for even nFft
  const melMin = hzToMel(fmin, scale);
  const melMax = hzToMel(fmax, scale);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1), scale);
  const weights = new Float32Array(nMels * nFreq);
  const start = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const lower = edges[m] as number;
    const centre = edges[m + 1] as number;
    const upper = edges[m + 2] as number;
    const enorm = norm === "slaney" ? 2 / (upper - lower) : 1;
    let first = nFreq;
    let last = 0;
    for (let k = 0; k < nFreq; k++) {
      const hz = binHz[k] as number;
      const rising = (hz - lower) / (centre - lower);
      const falling = (upper - hz) / (upper - centre);
      const w = Math.max(0, Math.min(rising, falling)) * enorm;
      if (w > 0) {
        weights[m * nFreq + k] = w;
        if (k < first) first = k;
        last = k + 1;
      }
    }
    start[m] = first < last ? first : 0;
    end[m] = first < last ? last : 0;
  }
  return { weights, nMels, nFreq, start, end };
}

/**
 * Applies a filterbank to a (power or magnitude) spectrogram: out[m, t] = sum_k W[m, k] S[k, t].
 * The spectrogram must have exactly `nFreq` bins.
 */
export function applyFilterbank(filterbank: MelFilterbank, spectrogram: Spectrogram, out?: Spectrogram): Spectrogram {
  const { weights, nMels, nFreq, start, end } = filterbank;
  if (spectrogram.bins !== nFreq) {
    throw new InvalidArgumentError("applyFilterbank(spectrogram.bins)", `${nFreq} (nFft/2 + 1)`, spectrogram.bins);
  }
  const frames = spectrogram.frames;
  const result = out ?? { data: new Float32Array(nMels * frames), bins: nMels, frames };
  const source = spectrogram.data;
  const target = result.data;
  const row = new Float64Array(frames);
  for (let m = 0; m < nMels; m++) {
    row.fill(0);
    for (let k = start[m] as number; k < (end[m] as number); k++) {
      const w = weights[m * nFreq + k] as number;
      const offset = k * frames;
      for (let t = 0; t < frames; t++) row[t] += w * (source[offset + t] as number);
    }
    target.set(row, m * frames);
  }
  return result;
}
