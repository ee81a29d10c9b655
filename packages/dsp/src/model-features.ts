import { InvalidArgumentError } from "./errors.js";
import { type FeatureSpec, featureBins, worldFeatureLayout } from "./feature-spec.js";
import {
  pooledRowStatistics,
  type RowStatistics,
  type SpeakerFeatureStatistics,
  transformLogF0,
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

  constructor(
    readonly spec: FeatureSpec,
    readonly normalization: FeatureNormalization,
    speakers: readonly SpeakerFeatureStatistics[],
  ) {
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
    return this.normalization !== "none" || this.spec.kind === "world";
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
