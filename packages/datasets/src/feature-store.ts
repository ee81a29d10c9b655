import { closeSync, openSync } from "node:fs";
import { join, resolve } from "node:path";
import { featureBins, type FeatureSpec, Mulberry32, type Spectrogram, silenceFrame, silenceValue } from "@vox/dsp";
import { type CacheIndex, type CachedUtterance, indexPath, readCacheIndex } from "./cache-index.js";
import { DatasetError, FeatureCacheError, SpeakerError } from "./errors.js";
import { readFramesInto } from "./feature-file.js";
import { SpeakerMap } from "./speaker-map.js";
import { splitBySentence } from "./split.js";

export interface FeatureStoreOptions {
  /** Frames per training crop (256 for the seed preset). */
  cropFrames: number;
  /** Fraction of distinct sentences held out for validation. Default 0.1. */
  validationFraction?: number;
  /** Seeds the split and the sampler. Default 0. */
  seed?: number;
  /** Seeds the split instead of `seed` (the sampler keeps `seed`): runs of other seeds on one split. */
  splitSeed?: number;
  /** Least training audio a speaker must have, in frames. Default: one crop. */
  minSpeakerFrames?: number;
}

/** A batch in the layout a model's NHWC input wants: `features` is [batch, bins, cropFrames], frequency-major. */
export interface FeatureBatch {
  features: Float32Array;
  batchSize: number;
  bins: number;
  frames: number;
  /** Speaker label of each item (the speaker map's index). */
  labels: Int32Array;
  utterances: CachedUtterance[];
}

/**
 * Random fixed-length crops from a feature cache, read from disk as they are needed (a crop is one contiguous read;
 * nothing but the index stays in memory, so VCTK-sized caches are fine).
 *
 * Crop policy: an utterance at least `cropFrames` long gives a window at a uniform random start. A shorter one is
 * placed at a uniform random offset inside the crop and the rest is filled with the FeatureSpec's silence value
 * (`silenceValue(spec)`: what analysis gives for digital silence), never with 0 of some other scale, and never always
 * at the start (the seed's output was silent for its first half; padding is a suspect).
 *
 * Batches are speaker-balanced: each item picks a speaker uniformly, then one of that speaker's training utterances
 * uniformly. The whole sequence is fixed by `seed`; `rngState` can be saved and restored to resume it.
 */
export class FeatureStore {
  readonly spec: FeatureSpec;
  readonly speakerMap: SpeakerMap;
  readonly bins: number;
  readonly cropFrames: number;
  /** The feature value padding uses. */
  readonly silence: number;
  /** Silence row by row (`silenceFrame(spec)`): world features have a different silence in each row. */
  readonly silenceFrame: Float32Array;
  readonly train: readonly CachedUtterance[];
  readonly validation: readonly CachedUtterance[];
  private readonly bySpeaker: CachedUtterance[][];
  private readonly rng: Mulberry32;

  private constructor(
    readonly cacheDir: string,
    readonly index: CacheIndex,
    options: FeatureStoreOptions,
  ) {
    this.spec = index.featureSpec;
    this.speakerMap = SpeakerMap.fromJSON(index.speakers, `${indexPath(cacheDir)}: speakers`);
    this.bins = featureBins(this.spec);
    this.cropFrames = options.cropFrames;
    this.silence = silenceValue(this.spec);
    this.silenceFrame = silenceFrame(this.spec);
    const split = splitBySentence(
      index.utterances,
      options.validationFraction ?? 0.1,
      options.splitSeed ?? options.seed ?? 0,
    );
    this.train = split.train;
    this.validation = split.validation;
    this.bySpeaker = this.speakerMap.speakers.map(() => []);
    for (const utterance of this.train) this.bySpeaker[this.speakerMap.index(utterance.speaker)]?.push(utterance);
    this.rng = new Mulberry32(options.seed ?? 0);
  }

  /** Opens the cache at `cacheDir`; a speaker with too little training audio is an error naming it. */
  static async open(cacheDir: string, options: FeatureStoreOptions): Promise<FeatureStore> {
    const root = resolve(cacheDir);
    if (!Number.isInteger(options.cropFrames) || options.cropFrames < 1) {
      throw new DatasetError("cropFrames", "an integer >= 1", String(options.cropFrames));
    }
    const fraction = options.validationFraction ?? 0.1;
    if (!(fraction >= 0 && fraction < 1))
      throw new DatasetError("validationFraction", "a number in [0, 1)", String(fraction));
    const index = await readCacheIndex(root);
    if (!index) {
      throw new FeatureCacheError(indexPath(root), "a feature cache index", "no such file", "run `vox prepare` first");
    }
    const store = new FeatureStore(root, index, options);
    const minFrames = options.minSpeakerFrames ?? options.cropFrames;
    const frameSeconds = store.spec.hop / store.spec.sampleRate;
    store.bySpeaker.forEach((utterances, label) => {
      const frames = utterances.reduce((total, utterance) => total + utterance.frames, 0);
      if (frames < minFrames) {
        const speaker = store.speakerMap.speaker(label);
        throw new SpeakerError(
          `speaker ${JSON.stringify(speaker)} in ${root}`,
          `at least ${(minFrames * frameSeconds).toFixed(2)} s (${minFrames} frames) of training audio`,
          `${(frames * frameSeconds).toFixed(2)} s in ${utterances.length} utterance(s)`,
          "exclude this speaker or add audio, then prepare again",
        );
      }
    });
    return store;
  }

  /** Training utterances of one speaker label. */
  utterancesOf(label: number): readonly CachedUtterance[] {
    return this.bySpeaker[label] ?? [];
  }

  get rngState(): number {
    return this.rng.state;
  }

  set rngState(state: number) {
    this.rng.state = state >>> 0;
  }

  /**
   * Frames [start, start + count) of `utterance` into `out` (frequency-major rows of `stride`, from `column`).
   * The range must lie inside the utterance.
   */
  readFrames(
    utterance: CachedUtterance,
    start: number,
    count: number,
    out: Float32Array,
    stride: number,
    column = 0,
  ): void {
    if (start < 0 || count < 0 || start + count > utterance.frames) {
      throw new DatasetError(
        `readFrames(${utterance.speaker}/${utterance.id})`,
        `frames within [0, ${utterance.frames})`,
        `[${start}, ${start + count})`,
      );
    }
    const path = join(this.cacheDir, utterance.file);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      throw new FeatureCacheError(
        path,
        "a feature file",
        (error as NodeJS.ErrnoException).code ?? String(error),
        "prepare again",
      );
    }
    try {
      readFramesInto(
        fd,
        path,
        { dtype: this.index.preparation.dtype, bins: this.bins },
        start,
        count,
        out,
        stride,
        column,
      );
    } finally {
      closeSync(fd);
    }
  }

  /** A whole utterance as a [bins x frames] spectrogram. */
  readUtterance(utterance: CachedUtterance): Spectrogram {
    const data = new Float32Array(this.bins * utterance.frames);
    this.readFrames(utterance, 0, utterance.frames, data, utterance.frames);
    return { data, bins: this.bins, frames: utterance.frames };
  }

  /**
   * One crop of `utterance` by the crop policy, into `out` at item `item` (`[item, bins, cropFrames]`), using this
   * store's random sequence.
   */
  cropInto(utterance: CachedUtterance, out: Float32Array, item = 0): void {
    const crop = this.cropFrames;
    const base = item * this.bins * crop;
    const target = out.subarray(base, base + this.bins * crop);
    if (utterance.frames >= crop) {
      const start = this.rng.nextInt(utterance.frames - crop + 1);
      this.readFrames(utterance, start, crop, target, crop);
      return;
    }
    for (let f = 0; f < this.bins; f++) target.fill(this.silenceFrame[f] as number, f * crop, (f + 1) * crop);
    const offset = this.rng.nextInt(crop - utterance.frames + 1);
    this.readFrames(utterance, 0, utterance.frames, target, crop, offset);
  }

  /** A speaker-balanced batch of random crops; `out` is reused when given. */
  sampleBatch(batchSize: number, out?: Float32Array): FeatureBatch {
    const size = batchSize * this.bins * this.cropFrames;
    const features = out && out.length === size ? out : new Float32Array(size);
    const labels = new Int32Array(batchSize);
    const utterances: CachedUtterance[] = [];
    for (let item = 0; item < batchSize; item++) {
      const label = this.rng.nextInt(this.speakerMap.size);
      const pool = this.bySpeaker[label] ?? [];
      const utterance = pool[this.rng.nextInt(pool.length)] as CachedUtterance;
      labels[item] = label;
      utterances.push(utterance);
      this.cropInto(utterance, features, item);
    }
    return { features, batchSize, bins: this.bins, frames: this.cropFrames, labels, utterances };
  }
}
