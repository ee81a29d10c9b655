import { InvalidArgumentError } from "./errors.js";
import { type FeatureSpec, featureBins, worldFeatureLayout } from "./feature-spec.js";
import type { Spectrogram } from "./spectrogram.js";

/** Mean and standard deviation of each feature row over `frames` frames. */
export interface RowStatistics {
  frames: number;
  mean: number[];
  std: number[];
}

/** Gaussian statistics of ln F0 over voiced frames (world features only). */
export interface LogF0Statistics {
  frames: number;
  mean: number;
  std: number;
}

/**
 * What the mean/variance shift, the F0 transform and speaker normalisation need of one speaker: every row's
 * statistics over all frames, and for world features ln F0 over voiced frames.
 */
export interface SpeakerFeatureStatistics {
  utterances: number;
  rows: RowStatistics;
  logF0: LogF0Statistics | null;
  /**
   * world only: the aperiodicity rows (dB) over voiced frames, for the `aperiodicity` postfilter's Gaussian
   * transform; absent in statistics written before it (such runs copy the source's aperiodicity).
   */
  voicedAperiodicity?: RowStatistics | null;
}

/** ln F0 of a voice is > 2 (7 Hz); world features code unvoiced frames as 0, and anything <= 1 counts as unvoiced. */
export const UNVOICED_LOG_F0 = 1;

/** A floor on standard deviations: a constant row (a padded band, silence) must not divide by zero. */
const MIN_STD = 1e-4;

/** Mean and standard deviation from a sum and a sum of squares over `n` values (std floored at MIN_STD). */
function gaussian(sum: number, squares: number, n: number): { mean: number; std: number } {
  const mean = sum / Math.max(1, n);
  return { mean, std: Math.max(MIN_STD, Math.sqrt(Math.max(0, squares / Math.max(1, n) - mean * mean))) };
}

/** Sums feature rows (and voiced ln F0 for world specs) over utterances, in float64; `result()` gives statistics. */
export class FeatureStatisticsAccumulator {
  private readonly sum: Float64Array;
  private readonly squares: Float64Array;
  private frames = 0;
  private utterances = 0;
  private f0Sum = 0;
  private f0Squares = 0;
  private f0Frames = 0;
  private readonly logF0Row: number | null;
  /** world: the first aperiodicity row, and voiced-frame sums of each aperiodicity row. */
  private readonly apRow: number;
  private readonly apSum: Float64Array;
  private readonly apSquares: Float64Array;

  constructor(readonly spec: FeatureSpec) {
    const rows = featureBins(spec);
    this.sum = new Float64Array(rows);
    this.squares = new Float64Array(rows);
    const layout = spec.kind === "world" ? worldFeatureLayout(spec) : null;
    this.logF0Row = layout ? layout.logF0 : null;
    this.apRow = layout ? layout.aperiodicity : 0;
    this.apSum = new Float64Array(layout ? layout.aperiodicityRows : 0);
    this.apSquares = new Float64Array(this.apSum.length);
  }

  add(features: Spectrogram): this {
    if (features.bins !== this.sum.length) {
      throw new InvalidArgumentError("FeatureStatisticsAccumulator.add", `${this.sum.length} rows`, features.bins);
    }
    const { data, frames } = features;
    for (let row = 0; row < features.bins; row++) {
      let s = 0;
      let q = 0;
      for (let t = row * frames; t < (row + 1) * frames; t++) {
        const v = data[t] as number;
        s += v;
        q += v * v;
      }
      this.sum[row] = (this.sum[row] as number) + s;
      this.squares[row] = (this.squares[row] as number) + q;
    }
    if (this.logF0Row !== null) {
      for (let t = this.logF0Row * frames; t < (this.logF0Row + 1) * frames; t++) {
        const v = data[t] as number;
        if (v <= UNVOICED_LOG_F0) continue;
        this.f0Sum += v;
        this.f0Squares += v * v;
        this.f0Frames++;
        const frame = t - this.logF0Row * frames;
        for (let band = 0; band < this.apSum.length; band++) {
          const ap = data[(this.apRow + band) * frames + frame] as number;
          this.apSum[band] = (this.apSum[band] as number) + ap;
          this.apSquares[band] = (this.apSquares[band] as number) + ap * ap;
        }
      }
    }
    this.frames += frames;
    this.utterances++;
    return this;
  }

  result(): SpeakerFeatureStatistics {
    const rows = [...this.sum].map((sum, row) => gaussian(sum, this.squares[row] as number, this.frames));
    const logF0 =
      this.logF0Row !== null && this.f0Frames > 0
        ? { frames: this.f0Frames, ...gaussian(this.f0Sum, this.f0Squares, this.f0Frames) }
        : null;
    const bands = [...this.apSum].map((sum, band) => gaussian(sum, this.apSquares[band] as number, this.f0Frames));
    const voicedAperiodicity =
      this.logF0Row !== null && this.f0Frames > 0
        ? { frames: this.f0Frames, mean: bands.map((b) => b.mean), std: bands.map((b) => b.std) }
        : null;
    return {
      utterances: this.utterances,
      rows: { frames: this.frames, mean: rows.map((r) => r.mean), std: rows.map((r) => r.std) },
      logF0,
      ...(this.logF0Row !== null ? { voicedAperiodicity } : {}),
    };
  }
}

/** Statistics of the given utterances (an outside voice's own, for its F0 transform and normalisation). */
export function featureStatistics(spec: FeatureSpec, utterances: Iterable<Spectrogram>): SpeakerFeatureStatistics {
  const accumulator = new FeatureStatisticsAccumulator(spec);
  for (const features of utterances) accumulator.add(features);
  return accumulator.result();
}

/** The statistics of all speakers' frames pooled (each speaker weighted by its frames). */
export function pooledRowStatistics(speakers: Iterable<SpeakerFeatureStatistics>): RowStatistics {
  let frames = 0;
  let sum: number[] = [];
  let squares: number[] = [];
  for (const { rows } of speakers) {
    if (sum.length === 0) {
      sum = rows.mean.map(() => 0);
      squares = rows.mean.map(() => 0);
    }
    rows.mean.forEach((m, row) => {
      const s = rows.std[row] as number;
      sum[row] = (sum[row] as number) + m * rows.frames;
      squares[row] = (squares[row] as number) + (s * s + m * m) * rows.frames;
    });
    frames += rows.frames;
  }
  const rows = sum.map((total, row) => gaussian(total, squares[row] as number, frames));
  const mean = rows.map((r) => r.mean);
  const std = rows.map((r) => r.std);
  return { frames, mean, std };
}

/**
 * The Gaussian F0 transform of the StarGAN-VC papers: on voiced frames ln F0 -> (ln F0 - mu_src) / sigma_src *
 * sigma_tgt + mu_tgt; unvoiced frames stay 0. In place on `row` (one row of ln F0).
 */
export function transformLogF0(row: Float32Array, source: LogF0Statistics, target: LogF0Statistics): void {
  const scale = target.std / source.std;
  for (let t = 0; t < row.length; t++) {
    const v = row[t] as number;
    if (v > UNVOICED_LOG_F0) row[t] = (v - source.mean) * scale + target.mean;
  }
}

/** Rows [first, first + count) of `features` moved from the source's per-row Gaussian to the target's, in place. */
function shiftRows(
  data: Float32Array,
  frames: number,
  first: number,
  count: number,
  source: RowStatistics,
  target: RowStatistics,
): void {
  for (let row = first; row < first + count; row++) {
    const scale = (target.std[row] as number) / (source.std[row] as number);
    const from = source.mean[row] as number;
    const to = target.mean[row] as number;
    for (let t = row * frames; t < (row + 1) * frames; t++) data[t] = ((data[t] as number) - from) * scale + to;
  }
}

/**
 * The no-learning baseline: every feature row moved from the source speaker's mean and standard deviation to the
 * target's ((x - mu_src) / sigma_src * sigma_tgt + mu_tgt). linear/mel: every band (clipped to [0, 1] on the unit
 * scale); world: every mel-cepstral row, ln F0 by the Gaussian transform on voiced frames (unchanged when either
 * voice has none), aperiodicity copied.
 */
export function meanVarianceShift(
  features: Spectrogram,
  spec: FeatureSpec,
  source: SpeakerFeatureStatistics,
  target: SpeakerFeatureStatistics,
): Spectrogram {
  const data = features.data.slice();
  const { frames } = features;
  if (spec.kind === "world") {
    const layout = worldFeatureLayout(spec);
    shiftRows(data, frames, layout.mcep, layout.mcepRows, source.rows, target.rows);
    if (source.logF0 && target.logF0) {
      const row = data.subarray(layout.logF0 * frames, (layout.logF0 + 1) * frames);
      transformLogF0(row, source.logF0, target.logF0);
    }
  } else {
    shiftRows(data, frames, 0, features.bins, source.rows, target.rows);
    if (spec.unitScale) for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i] as number));
  }
  return { data, bins: features.bins, frames };
}

/**
 * The speaker whose per-row Gaussians best explain `features`: the summed diagonal-Gaussian log-likelihood of
 * the utterance's frames under each speaker's row statistics (world: the mel-cepstral rows and voiced ln F0).
 * Frames more than `quietDb` (default 40) below the utterance's loudest are left out, so leading and trailing
 * silence (which every speaker shares) does not decide. Returns null when `speakers` is empty.
 */
export function likeliestSpeaker(
  features: Spectrogram,
  spec: FeatureSpec,
  speakers: Readonly<Record<string, SpeakerFeatureStatistics>>,
  options: { quietDb?: number } = {},
): string | null {
  let best: string | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const [id, score] of Object.entries(speakerLikelihoods(features, spec, speakers, options).logLikelihood)) {
    if (score > bestScore) [best, bestScore] = [id, score];
  }
  return best;
}

/**
 * Per speaker, the summed diagonal-Gaussian log-likelihood {@link likeliestSpeaker} ranks them by, and over how
 * many frames (those loud enough to count, the same for every speaker) each is summed.
 */
export function speakerLikelihoods(
  features: Spectrogram,
  spec: FeatureSpec,
  speakers: Readonly<Record<string, SpeakerFeatureStatistics>>,
  options: { quietDb?: number } = {},
): { logLikelihood: Record<string, number>; frames: number } {
  const { data, frames } = features;
  const world = spec.kind === "world" ? worldFeatureLayout(spec) : null;
  const rows = world ? world.mcepRows : features.bins;
  const loudness = frameLoudnessDb(features, spec);
  const loudest = loudness.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const quiet = loudest - (options.quietDb ?? 40);
  let counted = 0;
  for (let t = 0; t < frames; t++) if ((loudness[t] as number) >= quiet) counted++;
  const logLikelihood: Record<string, number> = {};
  for (const [id, stats] of Object.entries(speakers)) {
    let score = 0;
    for (let row = 0; row < rows; row++) {
      const mean = stats.rows.mean[row] as number;
      const std = stats.rows.std[row] as number;
      const logStd = Math.log(std);
      for (let t = 0; t < frames; t++) {
        if ((loudness[t] as number) < quiet) continue;
        const z = ((data[row * frames + t] as number) - mean) / std;
        score -= 0.5 * z * z + logStd;
      }
    }
    if (world && stats.logF0) {
      const { mean, std } = stats.logF0;
      for (let t = 0; t < frames; t++) {
        const v = data[world.logF0 * frames + t] as number;
        if (v <= UNVOICED_LOG_F0 || (loudness[t] as number) < quiet) continue;
        const z = (v - mean) / std;
        score -= 0.5 * z * z + Math.log(std);
      }
    }
    logLikelihood[id] = score;
  }
  return { logLikelihood, frames: counted };
}

/** A loudness in dB per frame: the mean dB over bands (linear/mel), or c0 of the mel-cepstrum in dB (world). */
function frameLoudnessDb(features: Spectrogram, spec: FeatureSpec): Float64Array {
  const { data, frames, bins } = features;
  const out = new Float64Array(frames);
  if (spec.kind === "world") {
    // c0 is half the mean log power (natural log): 20 log10(e) c0 is its level in dB.
    for (let t = 0; t < frames; t++) out[t] = (20 / Math.LN10) * (data[t] as number);
    return out;
  }
  const toDb = spec.unitScale ? -spec.floorDb : 1;
  for (let t = 0; t < frames; t++) {
    let sum = 0;
    for (let row = 0; row < bins; row++) sum += data[row * frames + t] as number;
    out[t] = (sum / bins) * toDb;
  }
  return out;
}
