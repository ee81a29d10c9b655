import FFT from "fft.js";

/**
 * One FFT size with its scratch buffers, reused across frames (fft.js style: plan once, run many times). Spectra
 * are half spectra: bins 0..size/2 as separate real and imaginary arrays. Not safe to share between callers that
 * interleave their calls.
 */
export class RealFft {
  readonly size: number;
  readonly bins: number;
  private readonly fft: FFT;
  private readonly complexIn: number[];
  private readonly complexOut: number[];
  private halfState: { half: FFT; halfIn: number[]; halfOut: number[]; cos: Float64Array; sin: Float64Array } | null =
    null;

  constructor(size: number) {
    this.size = size;
    this.bins = size / 2 + 1;
    this.fft = new FFT(size);
    this.complexIn = this.fft.createComplexArray();
    this.complexOut = this.fft.createComplexArray();
  }

  /** The half-size complex transform and its twiddles, made on the first inverse (many plans never invert). */
  private halfPlan(): { half: FFT; halfIn: number[]; halfOut: number[]; cos: Float64Array; sin: Float64Array } {
    if (this.halfState) return this.halfState;
    const m = this.size / 2;
    const half = new FFT(m);
    const cos = new Float64Array(m);
    const sin = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / this.size);
      sin[k] = Math.sin((2 * Math.PI * k) / this.size);
    }
    this.halfState = { half, halfIn: half.createComplexArray(), halfOut: half.createComplexArray(), cos, sin };
    return this.halfState;
  }

  /** Forward transform of `size` real samples into bins 0..size/2 (no scaling). */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    const out = this.complexOut;
    this.fft.realTransform(out, input);
    for (let k = 0; k < this.bins; k++) {
      re[k] = out[2 * k] as number;
      im[k] = out[2 * k + 1] as number;
    }
  }

  /**
   * Inverse of a Hermitian spectrum given by its half (bins 0..size/2) into `size` real samples (divided by size):
   * one complex transform of size/2, the even samples in its real part and the odd ones in its imaginary part.
   */
  inverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    if (this.size < 4) {
      this.fullInverse(re, im, output);
      return;
    }
    const m = this.size / 2;
    const { half, halfIn: input, halfOut: out, cos, sin } = this.halfPlan();
    for (let k = 0; k < m; k++) {
      const ar = re[k] as number;
      const ai = k === 0 ? 0 : (im[k] as number);
      const br = re[m - k] as number;
      const bi = k === 0 ? 0 : -(im[m - k] as number); // conj(X[m - k]); X[0] and X[m] are real
      const evenR = (ar + br) / 2;
      const evenI = (ai + bi) / 2;
      const dr = (ar - br) / 2;
      const di = (ai - bi) / 2;
      // odd part: (X[k] - conj(X[m - k])) / 2 times e^(2 pi i k / size)
      const c = cos[k] as number;
      const s = sin[k] as number;
      const oddR = dr * c - di * s;
      const oddI = dr * s + di * c;
      input[2 * k] = evenR - oddI;
      input[2 * k + 1] = evenI + oddR;
    }
    half.inverseTransform(out, input);
    for (let i = 0; i < m; i++) {
      output[2 * i] = out[2 * i] as number;
      output[2 * i + 1] = out[2 * i + 1] as number;
    }
  }

  /** The same by one complex transform of the whole size (fft.js needs at least 2 points per transform). */
  private fullInverse(re: Float64Array, im: Float64Array, output: Float64Array): void {
    const n = this.size;
    const input = this.complexIn;
    for (let k = 0; k < this.bins; k++) {
      input[2 * k] = re[k] as number;
      input[2 * k + 1] = k === 0 || k === n / 2 ? 0 : (im[k] as number);
    }
    for (let k = this.bins; k < n; k++) {
      input[2 * k] = re[n - k] as number;
      input[2 * k + 1] = -(im[n - k] as number);
    }
    const out = this.complexOut;
    this.fft.inverseTransform(out, input);
    for (let i = 0; i < n; i++) output[i] = out[2 * i] as number;
  }

  /**
   * The real cepstrum of an even real half spectrum (e.g. a log magnitude): the inverse transform of the
   * symmetric spectrum, which is real and even; `cepstrum` gets `size` values.
   */
  evenInverse(half: Float64Array, cepstrum: Float64Array): void {
    const n = this.size;
    for (let k = 0; k < this.bins; k++) cepstrum[k] = half[k] as number;
    for (let k = this.bins; k < n; k++) cepstrum[k] = half[n - k] as number;
    // The DFT of a real even sequence is real and even; forward and inverse differ only by 1/n.
    const out = this.complexOut;
    this.fft.realTransform(out, cepstrum);
    for (let i = 0; i < n; i++) cepstrum[i] = (out[2 * (i <= n / 2 ? i : n - i)] as number) / n;
  }
}

const plans = new Map<number, RealFft>();

/** A shared plan for `size` (one per size per thread; the analysis functions are not re-entrant). */
export function realFft(size: number): RealFft {
  let plan = plans.get(size);
  if (!plan) {
    plan = new RealFft(size);
    plans.set(size, plan);
  }
  return plan;
}

/** The smallest power of two >= n. */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
