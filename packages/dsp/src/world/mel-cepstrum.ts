import { InvalidArgumentError, requireInteger, requireNumber } from "../errors.js";
import type { Spectrogram } from "../spectrogram.js";
import { POWER_FLOOR } from "./envelope.js";
import { RowsTimesBlock } from "../wasm/rows-times-block.js";
import { realFft } from "./real-fft.js";

/**
 * Frequency transformation of a cepstrum (SPTK's `freqt`, Oppenheim's recursion): c1 of order m1 with warping
 * 0 to order m2 with all-pass warping alpha, where log H(z) = sum_m c(m) z^-m and z^-1 is replaced by
 * (z^-1 - alpha) / (1 - alpha z^-1). Negative alpha unwarps.
 */
export function freqt(c1: ArrayLike<number>, order: number, alpha: number): Float64Array {
  const m2 = requireInteger("freqt(order)", order, 0);
  const a = requireNumber("freqt(alpha)", alpha, -0.999, 0.999);
  const b = 1 - a * a;
  const g = new Float64Array(m2 + 1);
  const d = new Float64Array(m2 + 1);
  for (let i = c1.length - 1; i >= 0; i--) {
    d[0] = g[0] as number;
    g[0] = (c1[i] as number) + a * (d[0] as number);
    if (m2 >= 1) {
      d[1] = g[1] as number;
      g[1] = b * (d[0] as number) + a * (d[1] as number);
    }
    for (let j = 2; j <= m2; j++) {
      d[j] = g[j] as number;
      g[j] = (d[j - 1] as number) + a * ((d[j] as number) - (g[j - 1] as number));
    }
  }
  return g;
}

/**
 * SPTK's documented all-pass constants that approximate the mel scale, by sample rate (Hz -> alpha); the fit of
 * {@link melCepstrumAlpha} is checked against them.
 */
export const SPTK_ALPHA_TABLE: Readonly<Record<number, number>> = Object.freeze({
  8000: 0.31,
  10000: 0.35,
  12000: 0.37,
  16000: 0.42,
  22050: 0.45,
  32000: 0.5,
  44100: 0.53,
  48000: 0.55,
});

/**
 * The all-pass constant for a mel-cepstrum at `sampleRate`: SPTK's documented value where its table has the rate
 * (0.42 at 16 kHz), otherwise {@link fitMelAlpha}'s (within 0.015 of every table entry).
 */
export function melCepstrumAlpha(sampleRate: number): number {
  return SPTK_ALPHA_TABLE[sampleRate] ?? fitMelAlpha(sampleRate);
}

/**
 * The all-pass constant whose frequency warping best fits the mel scale at `sampleRate`: least squares over
 * 0..Nyquist against Fant's mel, ln(1 + f / 1000), both normalised to [0, pi]; three decimals.
 */
export function fitMelAlpha(sampleRate: number): number {
  requireNumber("fitMelAlpha(sampleRate)", sampleRate, 1000, 1e6);
  const points = 1000;
  const nyquistMel = Math.log(1 + sampleRate / 2 / 1000);
  let best = 0;
  let bestError = Number.POSITIVE_INFINITY;
  for (let step = 0; step < 1000; step++) {
    const alpha = step / 1000;
    let error = 0;
    for (let i = 1; i <= points; i++) {
      const omega = (Math.PI * i) / points;
      const warped = omega + 2 * Math.atan((alpha * Math.sin(omega)) / (1 - alpha * Math.cos(omega)));
      const mel = (Math.PI * Math.log(1 + ((sampleRate / 2) * i) / points / 1000)) / nyquistMel;
      error += (warped - mel) ** 2;
    }
    if (error < bestError) [best, bestError] = [alpha, error];
  }
  return best;
}

interface MelCepstrumPlan {
  /** (order + 1) x bins: half log power spectrum -> mel-cepstrum. */
  analysis: Float64Array;
  /** bins x (order + 1): mel-cepstrum -> log amplitude spectrum. */
  synthesis: Float64Array;
  /** The analysis matrix as a block product (made on first use). */
  analysisProduct(): RowsTimesBlock;
  /** The synthesis matrix as a block product (made on first use). */
  synthesisProduct(): RowsTimesBlock;
}

const plans = new Map<string, MelCepstrumPlan>();

/**
 * Both directions as matrices, built once per (fftSize, order, alpha) from freqt of unit vectors: the analysis
 * takes log|X| = log(P)/2 to its one-sided cepstrum (c(0) = c_r(0), c(m) = 2 c_r(m), c_r the real cepstrum) and
 * warps it; the synthesis unwarps to fftSize/2 coefficients and sums the cosine series.
 */
function melCepstrumPlan(fftSize: number, order: number, alpha: number): MelCepstrumPlan {
  const key = `${fftSize}/${order}/${alpha}`;
  let plan = plans.get(key);
  if (plan) return plan;
  const bins = fftSize / 2 + 1;
  const half = fftSize / 2;
  // warp[m][n]: coefficient m of freqt(unit vector n) to order `order`.
  const warp = new Float64Array((order + 1) * (half + 1));
  const unit = new Float64Array(half + 1);
  for (let n = 0; n <= half; n++) {
    unit.fill(0);
    unit[n] = 1;
    const column = freqt(unit, order, alpha);
    for (let m = 0; m <= order; m++) warp[m * (half + 1) + n] = column[m] as number;
  }
  // oneSided[n][k]: cepstrum coefficient n of the log amplitude (half spectrum, bin k), SPTK's one-sided form.
  const analysis = new Float64Array((order + 1) * bins);
  for (let n = 0; n <= half; n++) {
    const scale = n === 0 || n === half ? 1 : 2;
    for (let k = 0; k < bins; k++) {
      const weight = k === 0 || k === half ? 1 : 2;
      const cn = (scale * weight * Math.cos((2 * Math.PI * n * k) / fftSize)) / fftSize; // d c(n) / d logA(k)
      for (let m = 0; m <= order; m++) {
        analysis[m * bins + k] = (analysis[m * bins + k] as number) + (warp[m * (half + 1) + n] as number) * cn;
      }
    }
  }
  const synthesis = new Float64Array(bins * (order + 1));
  for (let m = 0; m <= order; m++) {
    const unitMcep = new Float64Array(order + 1);
    unitMcep[m] = 1;
    const c = freqt(unitMcep, half, -alpha);
    for (let k = 0; k < bins; k++) {
      let s = 0;
      for (let n = 0; n <= half; n++) s += (c[n] as number) * Math.cos((2 * Math.PI * n * k) / fftSize);
      synthesis[k * (order + 1) + m] = s;
    }
  }
  let analysisProduct: RowsTimesBlock | null = null;
  let synthesisProduct: RowsTimesBlock | null = null;
  plan = {
    analysis,
    synthesis,
    analysisProduct: () => {
      analysisProduct ??= new RowsTimesBlock(analysis, order + 1, bins, FRAME_BLOCK);
      return analysisProduct;
    },
    synthesisProduct: () => {
      synthesisProduct ??= new RowsTimesBlock(synthesis, bins, order + 1, FRAME_BLOCK);
      return synthesisProduct;
    },
  };
  plans.set(key, plan);
  return plan;
}

/** Frames per block of the mel-cepstrum products (a block of 513 log bins stays in cache). */
const FRAME_BLOCK = 64;

/**
 * Mel-cepstrum (order + 1 rows c(0)..c(order) x frames) of a power envelope (fftSize/2 + 1 bins x frames), in
 * SPTK's convention: log |H(e^jw)| = sum_m c~(m) cos(m w~) with w~ the all-pass-warped frequency, i.e. the
 * cepstrum of log(P)/2 passed through freqt. Same as SPTK `freqt -a 0 -A alpha` on that cepstrum.
 */
export function melCepstrum(envelope: Spectrogram, order: number, alpha: number): Spectrogram {
  requireInteger("melCepstrum(order)", order, 0, envelope.bins - 1);
  requireNumber("melCepstrum(alpha)", alpha, -0.999, 0.999);
  const fftSize = 2 * (envelope.bins - 1);
  if ((fftSize & (fftSize - 1)) !== 0 || fftSize < 4) {
    throw new InvalidArgumentError(
      "melCepstrum(envelope.bins)",
      "fftSize / 2 + 1 with fftSize a power of two",
      envelope.bins,
    );
  }
  const plan = melCepstrumPlan(fftSize, order, alpha);
  const { bins, frames } = envelope;
  const out = new Float32Array((order + 1) * frames);
  // Frames a block at a time: the envelope is frequency-major (a frame's bins lie `frames` apart), so each
  // block's log amplitudes are gathered along rows into frame-major vectors, then multiplied by the analysis
  // matrix in one kernel call.
  const product = plan.analysisProduct();
  const logBlock = product.input;
  const data = envelope.data;
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    const width = Math.min(FRAME_BLOCK, frames - t0);
    for (let k = 0; k < bins; k++) {
      const from = k * frames + t0;
      for (let j = 0; j < width; j++)
        logBlock[j * bins + k] = Math.log(Math.max(data[from + j] as number, POWER_FLOOR)) / 2;
    }
    const result = product.run(width);
    for (let m = 0; m <= order; m++) {
      const to = m * frames + t0;
      for (let j = 0; j < width; j++) out[to + j] = result[m * width + j] as number;
    }
  }
  return { data: out, bins: order + 1, frames };
}

/** The power envelope (fftSize/2 + 1 bins x frames) of a mel-cepstrum: the inverse of {@link melCepstrum} (SPTK `mgc2sp -g 0`). */
export function melCepstrumToEnvelope(mcep: Spectrogram, fftSize: number, alpha: number): Spectrogram {
  if ((fftSize & (fftSize - 1)) !== 0 || fftSize < 2 * mcep.bins) {
    throw new InvalidArgumentError(
      "melCepstrumToEnvelope(fftSize)",
      `a power of two >= 2 x (order + 1) = ${2 * mcep.bins}`,
      fftSize,
    );
  }
  requireNumber("melCepstrumToEnvelope(alpha)", alpha, -0.999, 0.999);
  const order = mcep.bins - 1;
  const plan = melCepstrumPlan(fftSize, order, alpha);
  const bins = fftSize / 2 + 1;
  const { frames } = mcep;
  const out = new Float32Array(bins * frames);
  // A block of frames at a time: their coefficients as frame-major vectors, times the synthesis matrix in one
  // kernel call, written along the frequency-major output's rows.
  const product = plan.synthesisProduct();
  const block = product.input;
  const data = mcep.data;
  const columns = order + 1;
  for (let t0 = 0; t0 < frames; t0 += FRAME_BLOCK) {
    const width = Math.min(FRAME_BLOCK, frames - t0);
    for (let m = 0; m <= order; m++) {
      const from = m * frames + t0;
      for (let j = 0; j < width; j++) block[j * columns + m] = data[from + j] as number;
    }
    const result = product.run(width);
    for (let k = 0; k < bins; k++) {
      const to = k * frames + t0;
      const at = k * width;
      for (let j = 0; j < width; j++) out[to + j] = Math.exp(2 * (result[at + j] as number));
    }
  }
  return { data: out, bins, frames };
}

/** The cepstrum (SPTK's one-sided form, fftSize/2 + 1 coefficients) of one log-amplitude half spectrum. */
export function cepstrumOfLogAmplitude(logAmplitude: Float64Array): Float64Array {
  const fftSize = 2 * (logAmplitude.length - 1);
  const plan = realFft(fftSize);
  const full = new Float64Array(fftSize);
  plan.evenInverse(logAmplitude, full);
  const c = new Float64Array(fftSize / 2 + 1);
  for (let n = 0; n <= fftSize / 2; n++) c[n] = (full[n] as number) * (n === 0 || n === fftSize / 2 ? 1 : 2);
  return c;
}
