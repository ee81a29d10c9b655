import { InvalidArgumentError, requireInteger } from "./errors.js";
import type { MelFilterbank } from "./mel.js";
import type { Spectrogram } from "./spectrogram.js";

export interface MelToLinearOptions {
  /** The exponent the mel spectrogram was made with (2: power, librosa's default; 1: magnitude). */
  power?: number;
  /** Upper bound on projected-gradient iterations. Default 300. */
  maxIterations?: number;
  /** Stop when ||A X - M|| / ||M|| falls below this. Default 1e-6. */
  tolerance?: number;
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
  const maxIterations = requireInteger("melToLinear(options.maxIterations)", options.maxIterations ?? 300, 1);
  const tolerance = options.tolerance ?? 1e-6;
  const frames = mel.frames;
  const target = Float64Array.from(mel.data);
  const targetNorm = Math.sqrt(sumOfSquares(target)) || 1;
  let lipschitz = lipschitzCache.get(filterbank);
  if (lipschitz === undefined) {
    lipschitz = largestEigenvalue(filterbank);
    lipschitzCache.set(filterbank, lipschitz);
  }
  const size = nFreq * frames;
  let x = new Float64Array(size);
  let previous = new Float64Array(size);
  const y = new Float64Array(size);
  const projected = new Float64Array(nMels * frames); // A y
  const gradient = new Float64Array(size); // A^T (A y - M)

  // Start from the back-projection A^T M scaled by 1 / (A^T A 1): exact where M is flat across a band.
  const ones = new Float64Array(nFreq * 1).fill(1);
  const columnGain = new Float64Array(nFreq);
  const bandGain = new Float64Array(nMels);
  multiplyA(filterbank, ones, 1, bandGain);
  multiplyAt(filterbank, bandGain, 1, columnGain);
  multiplyAt(filterbank, target, frames, x);
  for (let k = 0; k < nFreq; k++) {
    const g = columnGain[k] as number;
    for (let t = 0, o = k * frames; t < frames; t++, o++) x[o] = g > 0 ? (x[o] as number) / g : 0;
  }
  previous.set(x);
  let momentum = 1;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const nextMomentum = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
    const beta = (momentum - 1) / nextMomentum;
    for (let i = 0; i < size; i++) y[i] = (x[i] as number) + beta * ((x[i] as number) - (previous[i] as number));
    multiplyA(filterbank, y, frames, projected);
    let residual = 0;
    for (let i = 0; i < projected.length; i++) {
      const r = (projected[i] as number) - (target[i] as number);
      projected[i] = r;
      residual += r * r;
    }
    if (Math.sqrt(residual) / targetNorm < tolerance) {
      // The extrapolated point y can dip below 0 where x sits on the bound: clip it (a negative power's root is NaN).
      for (let i = 0; i < size; i++) x[i] = Math.max(0, y[i] as number);
      break;
    }
    multiplyAt(filterbank, projected, frames, gradient);
    // x_new = max(0, y - grad / L); restart the momentum when it points uphill.
    const swap = previous;
    previous = x;
    x = swap;
    let uphill = 0;
    for (let i = 0; i < size; i++) {
      const v = (y[i] as number) - (gradient[i] as number) / lipschitz;
      const next = v > 0 ? v : 0;
      x[i] = next;
      uphill += ((y[i] as number) - next) * (next - (previous[i] as number));
    }
    momentum = uphill > 0 ? 1 : nextMomentum;
  }
  const out = new Float32Array(size);
  const exponent = 1 / power;
  for (let i = 0; i < size; i++) out[i] = exponent === 0.5 ? Math.sqrt(x[i] as number) : (x[i] as number) ** exponent;
  return { data: out, bins: nFreq, frames };
}

/** The gradient's Lipschitz constant depends on the filterbank alone (200 power iterations: worth keeping). */
const lipschitzCache = new WeakMap<MelFilterbank, number>();

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

/** Largest eigenvalue of A A^T (the gradient's Lipschitz constant) by power iteration, padded 1% for safety. */
function largestEigenvalue(fb: MelFilterbank): number {
  let v = new Float64Array(fb.nMels).fill(1 / Math.sqrt(fb.nMels));
  const u = new Float64Array(fb.nFreq);
  let next = new Float64Array(fb.nMels);
  let eigenvalue = 0;
  for (let i = 0; i < 200; i++) {
    multiplyAt(fb, v, 1, u);
    multiplyA(fb, u, 1, next);
    const norm = Math.sqrt(sumOfSquares(next));
    if (norm === 0) return 1;
    for (let m = 0; m < fb.nMels; m++) next[m] = (next[m] as number) / norm;
    const change = Math.abs(norm - eigenvalue);
    eigenvalue = norm;
    [v, next] = [next, v];
    if (change < 1e-12 * norm) break;
  }
  return eigenvalue * 1.01;
}

function sumOfSquares(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) ** 2;
  return sum;
}
