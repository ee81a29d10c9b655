import { InvalidArgumentError } from "./errors.js";
import { type FeatureSpec, featureBins, type WorldFeatureLayout, worldFeatureLayout } from "./feature-spec.js";
import {
  pooledRowStatistics,
  type RowStatistics,
  type SpeakerFeatureStatistics,
  transformLogF0,
  UNVOICED_LOG_F0,
} from "./feature-statistics.js";
import type { Spectrogram } from "./spectrogram.js";

/**
 * How feature rows are scaled before the networks see them: `none` (as analysed: the unit-scale spectrograms of
 * the linear and mel presets), `global` (each row to zero mean and unit variance over all training speakers) or
 * `speaker` (each row by its own speaker's statistics: the input by the source's, the output back by the
 * target's, so an untrained identity generator already is the mean/variance shift).
 */
export const featureNormalizations = ["none", "global", "speaker"] as const;
export type FeatureNormalization = (typeof featureNormalizations)[number];

/** Rows of features the networks see under `spec`: the mel-cepstrum of world features, every row otherwise. */
export function modelFeatureRows(spec: FeatureSpec): number {
  return spec.kind === "world" ? worldFeatureLayout(spec).mcepRows : featureBins(spec);
}

/**
 * The generator's last activation for features of `spec` scaled by `normalization`: a sigmoid for unit-scale
 * spectrograms as analysed, none (linear) for normalised rows and mel-cepstra, which are unbounded.
 */
export function generatorOutput(spec: FeatureSpec, normalization: FeatureNormalization): "sigmoid" | "linear" {
  return normalization === "none" && spec.kind !== "world" ? "sigmoid" : "linear";
}

/**
 * What conversion does to the generator's output rows before synthesis, one or two steps joined by "+":
 * `global-variance` (Toda et al.'s global variance compensation, per utterance: each row's spread over the
 * utterance set to what the mean/variance shift would give it, the source utterance's spread times
 * sigma_tgt / sigma_src, keeping the generator's mean and shape; world: c1 and up, c0 left alone; networks trained
 * with L1 losses over-smooth, and this undoes the lost spread at some cost in MCD) and `source-energy` (world: the
 * converted c0, the frame energy, replaced by the source's under the per-speaker mean/variance shift, so the
 * loudness contour, where the syllables are, comes from the source, as WORLD-based VC commonly copies c0) and
 * `source-detail` (world: each mel-cepstral row from c1 up kept as the generator's contour smoothed over
 * {@link DETAIL_TAPS} frames plus the source's own frame-to-frame detail about its smoothed contour, scaled by
 * sigma_tgt / sigma_src: the generator works on time steps four frames apart, and the fast transitions between
 * sounds come from the source as the energy contour does).
 */
export const conversionPostfilters = [
  "none",
  "global-variance",
  "source-energy",
  "global-variance+source-energy",
  "aperiodicity",
  "source-energy+aperiodicity",
  "source-energy+source-detail",
] as const;
export type ConversionPostfilter = (typeof conversionPostfilters)[number];

/**
 * The `aperiodicity` postfilter: on the source's voiced frames each aperiodicity band (dB) moved by the Gaussian
 * transform between the voices' voiced-frame statistics, kept within [-60, 0] dB, instead of copied: a noisy
 * recording's aperiodic high band would otherwise come out as loud noise under a target envelope that is strong
 * there. Unvoiced frames are all noise whatever their code; in place, before ln F0 is transformed.
 */
function transformVoicedAperiodicity(
  data: Float32Array,
  frames: number,
  layout: WorldFeatureLayout,
  source: RowStatistics,
  target: RowStatistics,
): void {
  for (let band = 0; band < layout.aperiodicityRows; band++) {
    const from = source.mean[band] as number;
    const to = target.mean[band] as number;
    const scale = (target.std[band] as number) / (source.std[band] as number);
    const row = (layout.aperiodicity + band) * frames;
    for (let t = 0; t < frames; t++) {
      if ((data[layout.logF0 * frames + t] as number) <= UNVOICED_LOG_F0) continue;
      const moved = ((data[row + t] as number) - from) * scale + to;
      data[row + t] = Math.min(0, Math.max(-60, moved));
    }
  }
}

/**
 * A postfilter over the converted rows [first, end) of `data` (the generator's, unscaled, rows of `frames`), given
 * the source's features in the same layout and both voices' statistics; in place.
 */
type RowPostfilter = (
  data: Float32Array,
  source: Float32Array,
  frames: number,
  first: number,
  end: number,
  sourceStats: SpeakerFeatureStatistics,
  targetStats: SpeakerFeatureStatistics,
) => void;

/** Frames of the Hann window that separates a row's contour from its frame-to-frame detail (`source-detail`). */
const DETAIL_TAPS = 9;

/** `values[at, at + frames)` smoothed by `window` (its weights renormalised where it overhangs an edge) into `out`. */
function smoothRow(values: Float32Array, at: number, frames: number, window: Float64Array, out: Float64Array): void {
  const half = (window.length - 1) / 2;
  for (let t = 0; t < frames; t++) {
    let sum = 0;
    let weight = 0;
    for (let k = Math.max(0, half - t); k < window.length && t + k - half < frames; k++) {
      sum += (window[k] as number) * (values[at + t + k - half] as number);
      weight += window[k] as number;
    }
    out[t] = sum / weight;
  }
}

/**
 * `source-detail`: each row smoothed over {@link DETAIL_TAPS} frames plus the source row's departure from its own
 * smoothed contour times sigma_t / sigma_s.
 */
const sourceDetailPostfilter: RowPostfilter = (data, source, frames, first, end, sourceStats, targetStats) => {
  const window = new Float64Array(DETAIL_TAPS);
  for (let k = 0; k < DETAIL_TAPS; k++) window[k] = Math.sin((Math.PI * (k + 1)) / (DETAIL_TAPS + 1)) ** 2;
  const converted = new Float64Array(frames);
  const own = new Float64Array(frames);
  for (let row = first; row < end; row++) {
    const at = row * frames;
    const scale = (targetStats.rows.std[row] as number) / (sourceStats.rows.std[row] as number);
    smoothRow(data, at, frames, window, converted);
    smoothRow(source, at, frames, window, own);
    for (let t = 0; t < frames; t++) {
      data[at + t] = (converted[t] as number) + ((source[at + t] as number) - (own[t] as number)) * scale;
    }
  }
};

/** `global-variance`: each row's spread over the frames set to the source row's times sigma_t / sigma_s. */
const globalVariancePostfilter: RowPostfilter = (data, source, frames, first, end, sourceStats, targetStats) => {
  const spread = (values: Float32Array, at: number): [number, number] => {
    let sum = 0;
    let squares = 0;
    for (let t = at; t < at + frames; t++) {
      const v = values[t] as number;
      sum += v;
      squares += v * v;
    }
    const mean = sum / frames;
    return [mean, Math.sqrt(Math.max(0, squares / frames - mean * mean))];
  };
  for (let row = first; row < end; row++) {
    const at = row * frames;
    const [mean, std] = spread(data, at);
    const [, sourceStd] = spread(source, at);
    if (std < 1e-9) continue;
    const scale = (sourceStd * (targetStats.rows.std[row] as number)) / (sourceStats.rows.std[row] as number) / std;
    for (let t = at; t < at + frames; t++) data[t] = mean + ((data[t] as number) - mean) * scale;
  }
};

/**
 * The features the networks see and how conversion puts them back. linear and mel: every row. world: the
 * mel-cepstral rows only (the envelope); conversion moves ln F0 by the Gaussian transform and copies the
 * aperiodicity from the source, as the StarGAN-VC papers do.
 */
export class ModelFeatureMap {
  /** Rows the networks see. */
  readonly rows: number;
  /** First feature row the networks see. */
  readonly first: number;
  private readonly pooled: RowStatistics;
  /** The postfilter's steps. */
  private readonly globalVariance: boolean;
  private readonly sourceEnergy: boolean;
  private readonly aperiodicity: boolean;
  private readonly sourceDetail: boolean;

  constructor(
    readonly spec: FeatureSpec,
    readonly normalization: FeatureNormalization,
    speakers: readonly SpeakerFeatureStatistics[],
    readonly postfilter: ConversionPostfilter = "none",
  ) {
    const steps = postfilter.split("+");
    this.globalVariance = steps.includes("global-variance");
    this.sourceEnergy = steps.includes("source-energy");
    this.aperiodicity = steps.includes("aperiodicity");
    this.sourceDetail = steps.includes("source-detail");
    this.first = spec.kind === "world" ? worldFeatureLayout(spec).mcep : 0;
    this.rows = modelFeatureRows(spec);
    this.pooled = pooledRowStatistics(speakers);
    if (normalization !== "none" && speakers.length === 0) {
      throw new InvalidArgumentError(
        "ModelFeatureMap",
        `speaker statistics for ${normalization} normalisation`,
        "none",
      );
    }
  }

  /** True when the networks' outputs are unbounded (normalised or world rows), false for [0, 1] spectrograms. */
  get linearOutput(): boolean {
    return generatorOutput(this.spec, this.normalization) === "linear";
  }

  private scaling(speaker: SpeakerFeatureStatistics | null): RowStatistics | null {
    if (this.normalization === "none") return null;
    if (this.normalization === "global") return this.pooled;
    if (!speaker) throw new InvalidArgumentError("ModelFeatureMap", "the speaker's statistics", "none");
    return speaker.rows;
  }

  /**
   * `frames` frames of raw features (all rows, frequency-major, rows of `stride` from `column`) -> the networks'
   * rows into `out` at `offset` (rows of `frames`). `speaker` gives the statistics for `speaker` normalisation.
   */
  encode(
    raw: Float32Array,
    frames: number,
    speaker: SpeakerFeatureStatistics | null,
    out: Float32Array,
    offset = 0,
    stride = frames,
    column = 0,
  ): void {
    const scale = this.scaling(speaker);
    for (let row = 0; row < this.rows; row++) {
      const from = (this.first + row) * stride + column;
      const to = offset + row * frames;
      const mean = scale ? (scale.mean[this.first + row] as number) : 0;
      const inverse = scale ? 1 / (scale.std[this.first + row] as number) : 1;
      for (let t = 0; t < frames; t++) out[to + t] = ((raw[from + t] as number) - mean) * inverse;
    }
  }

  /** A whole utterance in the networks' rows. */
  encodeUtterance(features: Spectrogram, speaker: SpeakerFeatureStatistics | null): Spectrogram {
    const data = new Float32Array(this.rows * features.frames);
    this.encode(features.data, features.frames, speaker, data);
    return { data, bins: this.rows, frames: features.frames };
  }

  /**
   * The generator's output for `source` features (rows of `source.frames`) -> full feature rows of the target:
   * unscaled by the target's (or pooled) statistics; for world, ln F0 by the Gaussian transform (kept as it is
   * when either voice has no voiced frames) and the aperiodicity of the source.
   */
  decode(
    output: Spectrogram,
    source: Spectrogram,
    sourceStats: SpeakerFeatureStatistics | null,
    targetStats: SpeakerFeatureStatistics | null,
  ): Spectrogram {
    if (output.bins !== this.rows || output.frames !== source.frames) {
      throw new InvalidArgumentError(
        "ModelFeatureMap.decode",
        `${this.rows} x ${source.frames}`,
        `${output.bins} x ${output.frames}`,
      );
    }
    const { frames } = source;
    const data = source.data.slice();
    const scale = this.scaling(targetStats);
    for (let row = 0; row < this.rows; row++) {
      const mean = scale ? (scale.mean[this.first + row] as number) : 0;
      const std = scale ? (scale.std[this.first + row] as number) : 1;
      const to = (this.first + row) * frames;
      for (let t = 0; t < frames; t++) data[to + t] = (output.data[row * frames + t] as number) * std + mean;
    }
    if (this.globalVariance && sourceStats && targetStats) {
      globalVariancePostfilter(
        data,
        source.data,
        frames,
        this.first + (this.spec.kind === "world" ? 1 : 0),
        this.first + this.rows,
        sourceStats,
        targetStats,
      );
      if (this.spec.unitScale && this.spec.kind !== "world") {
        for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i] as number));
      }
    }
    if (this.sourceDetail && this.spec.kind === "world" && sourceStats && targetStats) {
      sourceDetailPostfilter(
        data,
        source.data,
        frames,
        this.first + 1,
        this.first + this.rows,
        sourceStats,
        targetStats,
      );
    }
    if (this.sourceEnergy && this.spec.kind === "world" && sourceStats && targetStats) {
      const row = this.first;
      const scale = (targetStats.rows.std[row] as number) / (sourceStats.rows.std[row] as number);
      const from = sourceStats.rows.mean[row] as number;
      const to = targetStats.rows.mean[row] as number;
      for (let t = row * frames; t < (row + 1) * frames; t++) {
        data[t] = ((source.data[t] as number) - from) * scale + to;
      }
    }
    const sourceAp = sourceStats?.voicedAperiodicity;
    const targetAp = targetStats?.voicedAperiodicity;
    if (this.aperiodicity && this.spec.kind === "world" && sourceAp && targetAp) {
      transformVoicedAperiodicity(data, frames, worldFeatureLayout(this.spec), sourceAp, targetAp);
    }
    if (this.spec.kind === "world" && sourceStats?.logF0 && targetStats?.logF0) {
      // Without voiced frames on either side there is no Gaussian to move between: the source's F0 stays.
      const layout = worldFeatureLayout(this.spec);
      transformLogF0(
        data.subarray(layout.logF0 * frames, (layout.logF0 + 1) * frames),
        sourceStats.logF0,
        targetStats.logF0,
      );
    }
    return { data, bins: source.bins, frames };
  }
}
