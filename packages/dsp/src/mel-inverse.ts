import { InvalidArgumentError, requireInteger } from "./errors.js";
import type { MelFilterbank } from "./mel.js";
import type { Spectrogram } from "./spectrogram.js";
import { projectedGradientKernel } from "./wasm/projected-gradient.js";

export interface MelToLinearOptions {
  /** The exponent the mel spectrogram was made with (2: power, librosa's default; 1: magnitude). */
  power?: number;
  /** Upper bound on projected-gradient iterations. Default 1000 (few frames need more than 300). */
  maxIterations?: number;
  /**
   * Stop when ||A X - M|| / ||M|| falls below this; a frame leaves the iterations as soon as its own
   * ||A X_t - M_t|| / ||M_t|| does. Default 1e-4
   * (-80 dB): on 40 resynthesised utterances it gave the same MCD as 1e-6 (to 0.001 dB) and the same WER.
   */
  tolerance?: number;
  /** "wasm" (SIMD iterations, the default where WebAssembly SIMD runs) or "js". */
  engine?: "wasm" | "js";
}

/**
 * mel -> linear STFT magnitude, as librosa's `mel_to_stft`: for every frame, the non-negative X minimising
 * ||A X - M||^2 (A the filterbank, M the mel frames), then X^(1/power). librosa runs L-BFGS-B with x >= 0;
 * this runs accelerated projected gradient (FISTA with adaptive restart) on all frames at once, which reaches
 * the same optimum. X is not unique where bands overlap few bins, so compare A X with M, not X with a reference.
 */
export function melToLinear(
  mel: Spectrogram,
  filterbank: MelFilterbank,
  options: MelToLinearOptions = {},
): Spectrogram {
  const { nMels, nFreq } = filterbank;
  if (mel.bins !== nMels) throw new InvalidArgumentError("melToLinear(mel.bins)", `${nMels} mel bands`, mel.bins);
  const power = options.power ?? 2;
  if (!(power > 0)) throw new InvalidArgumentError("melToLinear(options.power)", "a positive number", power);
  const maxIterations = requireInteger("melToLinear(options.maxIterations)", options.maxIterations ?? 1000, 1);
  const tolerance = options.tolerance ?? 1e-4;
  const frames = mel.frames;
  const target = Float64Array.from(mel.data);
  const size = nFreq * frames;
  const x = new Float64Array(size);
  // Start from the back-projection A^T M scaled by 1 / (A^T A 1): exact where M is flat across a band. (Starting
  // from the minimum-norm solution, exact wherever it is non-negative, fits M as well but resynthesised 0.7 dB
  // worse in MCD on the demo corpus: among the many X with A X = M, it fills the valleys between harmonics.)
  const { columnGain } = columnGains(filterbank);
  multiplyAt(filterbank, target, frames, x);
  for (let k = 0; k < nFreq; k++) {
    const g = columnGain[k] as number;
    for (let t = 0, o = k * frames; t < frames; t++, o++) x[o] = g > 0 ? (x[o] as number) / g : 0;
  }
  projectedGradient(filterbank, x, target, frames, maxIterations, tolerance, options.engine ?? "wasm");
  const out = new Float32Array(size);
  const exponent = 1 / power;
  for (let i = 0; i < size; i++) {
    const v = Math.max(0, x[i] as number);
    out[i] = exponent === 0.5 ? Math.sqrt(v) : v ** exponent;
  }
  return { data: out, bins: nFreq, frames };
}

/**
 * Accelerated projected gradient (FISTA with adaptive restart) on min ||A X - M||^2, X >= 0, `frames` frames at
 * once, from X as given (updated in place). A frame is finished when ||A X_t - M_t|| is at most `tolerance` x
 * ||M_t|| (so ||A X - M|| is at most `tolerance` x ||M|| once all are) and leaves the working set: frames
 * converge at very different rates, and the quiet ones must meet the tolerance of their own level.
 */
function projectedGradient(
  filterbank: MelFilterbank,
  start: Float64Array,
  target: Float64Array,
  frames: number,
  maxIterations: number,
  tolerance: number,
  engine: "wasm" | "js",
): void {
  const { nMels, nFreq } = filterbank;
  const { step } = columnGains(filterbank);
  if (
    engine === "wasm" &&
    projectedGradientKernel(filterbank, start, target, frames, step, tolerance ** 2, maxIterations) !== null
  ) {
    return;
  }
  // The kernel's iterations (wasm/mel-inverse-kernels.c) in float64; the kernel also keeps its working count
  // even, so the two retire frames on slightly different iterations.
  let frameStop = new Float64Array(frames); // (tolerance ||M_t||)^2
  for (let m = 0; m < nMels; m++)
    for (let t = 0; t < frames; t++) frameStop[t] += (target[m * frames + t] as number) ** 2;
  for (let t = 0; t < frames; t++) frameStop[t] *= tolerance ** 2;
  let active = frames;
  let x = Float64Array.from(start);
  let previous = Float64Array.from(start);
  let y = new Float64Array(nFreq * frames);
  let projected = new Float64Array(nMels * frames); // A y - M
  let work = Float64Array.from(target);
  let map = Int32Array.from({ length: frames }, (_, t) => t);
  const gradient = new Float64Array(nFreq * frames); // A^T (A y - M)
  const frameResidual = new Float64Array(frames);
  const retire = (t: number, from: Float64Array, n: number): void => {
    for (let k = 0; k < nFreq; k++) start[k * frames + (map[t] as number)] = Math.max(0, from[k * n + t] as number);
  };
  let momentum = 1;
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    const size = nFreq * active;
    const nextMomentum = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
    const beta = (momentum - 1) / nextMomentum;
    for (let i = 0; i < size; i++) y[i] = (x[i] as number) + beta * ((x[i] as number) - (previous[i] as number));
    multiplyA(filterbank, y, active, projected);
    frameResidual.fill(0, 0, active);
    for (let m = 0; m < nMels; m++)
      for (let t = 0, o = m * active; t < active; t++, o++) {
        const r = (projected[o] as number) - (work[o] as number);
        projected[o] = r;
        frameResidual[t] += r * r;
      }
    let done = 0;
    for (let t = 0; t < active; t++) if ((frameResidual[t] as number) <= (frameStop[t] as number)) done++;
    if (done === active) break;
    if (done >= 2 && done * 16 >= active) {
      const keep: number[] = [];
      for (let t = 0; t < active; t++) {
        if ((frameResidual[t] as number) <= (frameStop[t] as number)) retire(t, y, active);
        else keep.push(t);
      }
      x = compactColumns(x, nFreq, active, keep);
      previous = compactColumns(previous, nFreq, active, keep);
      y = compactColumns(y, nFreq, active, keep);
      projected = compactColumns(projected, nMels, active, keep);
      work = compactColumns(work, nMels, active, keep);
      map = Int32Array.from(keep, (t) => map[t] as number);
      frameStop = Float64Array.from(keep, (t) => frameStop[t] as number);
      active = keep.length;
    }
    multiplyAt(filterbank, projected, active, gradient);
    // x_new = max(0, y - grad / L); restart the momentum when it points uphill.
    const swap = previous;
    previous = x;
    x = swap;
    let uphill = 0;
    for (let k = 0; k < nFreq; k++) {
      const rate = step[k] as number;
      for (let i = k * active; i < (k + 1) * active; i++) {
        const v = (y[i] as number) - (gradient[i] as number) * rate;
        const next = v > 0 ? v : 0;
        x[i] = next;
        uphill += ((y[i] as number) - next) * (next - (previous[i] as number));
      }
    }
    momentum = uphill > 0 ? 1 : nextMomentum;
  }
  // The working frames: at max(0, y) when all were finished (y can dip below 0 where x sits on the bound, and a
  // negative power's root is NaN), at x when the iterations ran out.
  const last = iteration < maxIterations ? y : x;
  for (let t = 0; t < active; t++) retire(t, last, active);
}

/** The columns `keep` of a rows x frames block, as a rows x keep.length block. */
function compactColumns(block: Float64Array, rows: number, frames: number, keep: number[]): Float64Array<ArrayBuffer> {
  const out = new Float64Array(rows * keep.length);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < keep.length; j++) out[r * keep.length + j] = block[r * frames + (keep[j] as number)] as number;
  return out;
}

/**
 * (A^T A 1)_k per bin, which scales the back-projection start, and its reciprocal, the per-bin step sizes: a
 * diagonal majoriser of A^T A (diag(B 1) - B is diagonally dominant for a non-negative B), so the scaled step
 * keeps the descent guarantee. One global 1 / lambda_max would be set by the narrow low bands, whose slaney
 * weights are largest, and crawl everywhere above them. Depends on the filterbank alone: computed once.
 */
const gainCache = new WeakMap<MelFilterbank, { columnGain: Float64Array; step: Float64Array }>();
function columnGains(fb: MelFilterbank): { columnGain: Float64Array; step: Float64Array } {
  let gains = gainCache.get(fb);
  if (gains) return gains;
  const bandGain = new Float64Array(fb.nMels);
  const columnGain = new Float64Array(fb.nFreq);
  multiplyA(fb, new Float64Array(fb.nFreq).fill(1), 1, bandGain);
  multiplyAt(fb, bandGain, 1, columnGain);
  gains = { columnGain, step: columnGain.map((g) => (g > 0 ? 1 / g : 0)) };
  gainCache.set(fb, gains);
  return gains;
}

/** out[m, t] = sum_k A[m, k] x[k, t] over each row's non-zero span. */
function multiplyA(fb: MelFilterbank, x: Float64Array, frames: number, out: Float64Array): void {
  out.fill(0);
  for (let m = 0; m < fb.nMels; m++) {
    const row = m * frames;
    for (let k = fb.start[m] as number; k < (fb.end[m] as number); k++) {
      const w = fb.weights[m * fb.nFreq + k] as number;
      const column = k * frames;
      for (let t = 0; t < frames; t++) out[row + t] += w * (x[column + t] as number);
    }
  }
}

/** out[k, t] = sum_m A[m, k] r[m, t]. */
function multiplyAt(fb: MelFilterbank, r: Float64Array, frames: number, out: Float64Array): void {
  out.fill(0);
  for (let m = 0; m < fb.nMels; m++) {
    const row = m * frames;
    for (let k = fb.start[m] as number; k < (fb.end[m] as number); k++) {
      const w = fb.weights[m * fb.nFreq + k] as number;
      const column = k * frames;
      for (let t = 0; t < frames; t++) out[column + t] += w * (r[row + t] as number);
    }
  }
}
