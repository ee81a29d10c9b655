import { requireInteger, requireNumber } from "../errors.js";
import { type FeatureSpec, worldFeatureLayout } from "../feature-spec.js";
import { freqt } from "./mel-cepstrum.js";

/**
 * The matrix of an all-pass frequency warp of a mel-cepstrum: `freqt` by `alpha` is linear in the coefficients, so
 * column j is the warp of the j-th unit vector; (order + 1)^2 values, row-major (warped = M c). All-pass warps
 * compose, so warping a mel-cepstrum of constant a by alpha gives the envelope on the scale of (a + alpha) /
 * (1 + a alpha) read back on a's: every resonance moves by the same warp, as a longer or shorter vocal tract
 * moves formants (positive alpha raises them, as a shorter tract does). Truncated at `order`, so exact only for small alpha.
 */
export function melCepstrumWarpMatrix(order: number, alpha: number): Float64Array {
  const n = requireInteger("melCepstrumWarpMatrix(order)", order, 0) + 1;
  requireNumber("melCepstrumWarpMatrix(alpha)", alpha, -0.999, 0.999);
  const matrix = new Float64Array(n * n);
  const unit = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit.fill(0);
    unit[j] = 1;
    const column = freqt(unit, order, alpha);
    for (let i = 0; i < n; i++) matrix[i * n + j] = column[i] as number;
  }
  return matrix;
}

/**
 * Vocal-tract-length perturbation of "world" feature crops: the mel-cepstral rows of a [rows x frames] crop
 * warped in place by one of `levels` all-pass constants evenly spaced in [-maxAlpha, maxAlpha] (matrices planned
 * once; F0 and aperiodicity untouched). Training on such crops puts voices of other vocal-tract lengths, such as
 * a recording from outside the corpus, in the generator's input distribution.
 */
export class VocalTractWarp {
  /** The all-pass constant of each level, ascending; the middle level is 0 (no warp) when `levels` is odd. */
  readonly alphas: Float64Array;
  private readonly matrices: Float64Array[];
  private readonly rows: number;
  private readonly offset: number;
  private readonly scratch: Float64Array;

  constructor(
    spec: FeatureSpec,
    readonly frames: number,
    readonly maxAlpha: number,
    levels = 21,
  ) {
    const layout = worldFeatureLayout(spec);
    requireInteger("VocalTractWarp(frames)", frames, 1);
    requireNumber("VocalTractWarp(maxAlpha)", maxAlpha, 0, 0.5);
    const count = requireInteger("VocalTractWarp(levels)", levels, 1);
    this.rows = layout.mcepRows;
    this.offset = layout.mcep;
    this.alphas = Float64Array.from({ length: count }, (_, i) =>
      count === 1 ? 0 : -maxAlpha + (2 * maxAlpha * i) / (count - 1),
    );
    this.matrices = Array.from(this.alphas, (alpha) => melCepstrumWarpMatrix(this.rows - 1, alpha));
    this.scratch = new Float64Array(this.rows * frames);
  }

  /** The level of a uniform draw u in [0, 1). */
  levelOf(u: number): number {
    return Math.min(this.alphas.length - 1, Math.floor(u * this.alphas.length));
  }

  /** Warps the mel-cepstral rows of one crop (`crop[offset..]`, row-major, `frames` per row) by level `level`. */
  apply(crop: Float32Array, level: number, offset = 0): void {
    const matrix = this.matrices[level];
    if (!matrix)
      throw new RangeError(`VocalTractWarp.apply(level): expected 0..${this.alphas.length - 1}, found ${level}`);
    const { rows, frames, scratch } = this;
    const base = offset + this.offset * frames;
    scratch.fill(0);
    for (let i = 0; i < rows; i++) {
      const to = i * frames;
      for (let j = 0; j < rows; j++) {
        const m = matrix[i * rows + j] as number;
        if (m === 0) continue;
        const from = base + j * frames;
        for (let f = 0; f < frames; f++) scratch[to + f] = (scratch[to + f] as number) + m * (crop[from + f] as number);
      }
    }
    for (let k = 0; k < rows * frames; k++) crop[base + k] = scratch[k] as number;
  }
}
