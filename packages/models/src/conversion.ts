import {
  analyze,
  type FeatureSpec,
  featureStatistics,
  likeliestSpeaker,
  type ModelFeatureMap,
  type SpeakerFeatureStatistics,
  type Spectrogram,
  silenceFrame,
  synthesize,
} from "@vox/dsp";
import type { GeneratorConfig } from "./config.js";
import { ModelConfigError } from "./errors.js";
import { timeMultiple } from "./generators.js";
import * as tf from "./tfjs.js";

/**
 * The generator's condition input for converting `source` -> `target`: the target's one-hot label, or the source's
 * and the target's side by side (StarGAN-VC2's code; the `stargan` generator's `source-and-target` condition). A
 * source given as weights per speaker (summing to 1) takes that mixture in place of a one-hot source label.
 */
export function conditionVector(
  config: GeneratorConfig,
  source: number | ArrayLike<number>,
  target: number,
): Float32Array {
  const speakers = config.kind === "stargan-vc2" ? config.numSpeakers : config.numLabels;
  const both = config.kind === "stargan-vc2" || (config.kind === "stargan" && config.condition === "source-and-target");
  if (!both) {
    const labels = new Float32Array(config.numLabels);
    labels[target] = 1;
    return labels;
  }
  const code = new Float32Array(2 * speakers);
  if (typeof source === "number") code[source] = 1;
  else {
    if (source.length !== speakers) {
      throw new ModelConfigError("conditionVector(source)", `${speakers} source weights`, `${source.length}`);
    }
    let sum = 0;
    for (let s = 0; s < speakers; s++) {
      const w = source[s] as number;
      if (!(w >= 0 && Number.isFinite(w))) {
        throw new ModelConfigError(`conditionVector(source[${s}])`, "a finite weight >= 0", `${w}`);
      }
      code[s] = w;
      sum += w;
    }
    if (Math.abs(sum - 1) > 1e-3) {
      throw new ModelConfigError("conditionVector(source)", "source weights summing to 1", `a sum of ${sum}`);
    }
  }
  code[speakers + target] = 1;
  return code;
}

/**
 * What conversion calls a generator through: a tfjs generator model, or {@link averagedGenerator} over several.
 */
export interface ConversionGenerator {
  apply(
    inputs: tf.Tensor[],
    kwargs: { training: boolean },
  ): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[];
}

/**
 * Generators of one architecture (runs that differ only in seed) as one: each converts the input and their outputs
 * are averaged, row by row and frame by frame. Independently trained generators err in different places, so their
 * mean keeps what they agree on.
 */
export function averagedGenerator(members: readonly ConversionGenerator[]): ConversionGenerator {
  if (members.length === 0) throw new ModelConfigError("averagedGenerator(members)", "at least one generator", "none");
  return {
    apply: (inputs, kwargs) =>
      tf.tidy(() => tf.addN(members.map((m) => m.apply(inputs, kwargs) as tf.Tensor)).div(members.length)),
  };
}

/**
 * Converts a whole utterance in one pass of the fully convolutional generator: the frames are padded at the end
 * to a multiple of the generator's time factor with the FeatureSpec's silence (one value, or one per row as
 * `silenceFrame(spec)` gives it), and cut back after.
 */
export function convertUtterance(
  generator: ConversionGenerator,
  config: GeneratorConfig,
  features: Spectrogram,
  source: number | ArrayLike<number>,
  target: number,
  silence: number | Float32Array,
): Spectrogram {
  const multiple = timeMultiple(config);
  const frames = Math.max(multiple, Math.ceil(features.frames / multiple) * multiple);
  const padded = new Float32Array(features.bins * frames);
  for (let f = 0; f < features.bins; f++) {
    padded.fill(typeof silence === "number" ? silence : (silence[f] ?? 0), f * frames, (f + 1) * frames);
    padded.set(features.data.subarray(f * features.frames, (f + 1) * features.frames), f * frames);
  }
  const condition = conditionVector(config, source, target);
  // The tensor leaves tidy, not its values: tidy walks a returned typed array element by element.
  const result = tf.tidy(() => {
    const x = tf.tensor4d(padded, [1, features.bins, frames, 1]);
    const c = tf.tensor2d(condition, [1, condition.length]);
    return generator.apply([x, c], { training: false }) as tf.Tensor;
  });
  const output = result.dataSync() as Float32Array;
  result.dispose();
  const data = new Float32Array(features.bins * features.frames);
  for (let f = 0; f < features.bins; f++)
    data.set(output.subarray(f * frames, f * frames + features.frames), f * features.frames);
  return { data, bins: features.bins, frames: features.frames };
}

/** One side of a conversion: the speaker's label (the generator's condition) and its feature statistics. */
export interface ConversionVoice {
  label: number;
  /**
   * As a source, weights per run speaker (summing to 1) in place of `label` in a source-and-target condition: a
   * voice from outside the corpus as a mixture of the run's voices rather than the one it sounds likeliest to be.
   */
  labelWeights?: ArrayLike<number>;
  /** Needed for `speaker` normalisation and for world features' F0 transform; null otherwise. */
  statistics: SpeakerFeatureStatistics | null;
}

/**
 * A voice not named as a run speaker (maybe from outside the corpus): its own statistics (its F0 transform and
 * scaling) and, as the generator's source condition, the run speaker under whose statistics (`known`) its frames
 * are likeliest (the first speaker when none are known).
 */
export function outsideVoice(
  features: Spectrogram,
  spec: FeatureSpec,
  speakers: readonly string[],
  known: Readonly<Record<string, SpeakerFeatureStatistics>>,
): ConversionVoice & { speaker: string; statistics: SpeakerFeatureStatistics } {
  const speaker = likeliestSpeaker(features, spec, known) ?? (speakers[0] as string);
  return { speaker, label: speakers.indexOf(speaker), statistics: featureStatistics(spec, [features]) };
}

/**
 * Converts analysed features (every row of the run's FeatureSpec) from `source` to `target`: the rows the
 * networks see, scaled as in training (`map`), through the generator (padded with the scaled silence frame),
 * then back to every row (for world: ln F0 moved by the Gaussian transform, aperiodicity copied).
 */
export function convertFeatures(
  generator: ConversionGenerator,
  config: GeneratorConfig,
  map: ModelFeatureMap,
  features: Spectrogram,
  source: ConversionVoice,
  target: ConversionVoice,
): Spectrogram {
  const input = map.encodeUtterance(features, source.statistics);
  const silence = new Float32Array(map.rows);
  map.encode(silenceFrame(map.spec), 1, source.statistics, silence);
  const output = convertUtterance(generator, config, input, source.labelWeights ?? source.label, target.label, silence);
  return map.decode(output, features, source.statistics, target.statistics);
}

/** Who is converted to whom in {@link convertRecording}. */
export interface RecordingVoices {
  /** A run speaker named as the source, or null: the recording's own voice, guessed by {@link outsideVoice}. */
  from: (ConversionVoice & { speaker: string }) | null;
  /** The run's speakers in label order and their statistics (for the guess). */
  speakers: readonly string[];
  known: Readonly<Record<string, SpeakerFeatureStatistics>>;
  target: ConversionVoice;
}

/** The parts of one converted recording: its features, the converted features, the audio and the source used. */
export interface ConvertedRecording {
  features: Spectrogram;
  converted: Spectrogram;
  samples: Float32Array;
  source: string;
}

/**
 * A conditioned recording (at the model's rate, loudness-normalised) converted end to end: analysis, the source
 * voice (named or guessed), the generator, synthesis at the input's length. What `vox convert` and the page
 * `vox export-web` writes both run, so the two give the same audio. `onStep` is awaited before each stage (a
 * page redraws its progress there).
 */
export async function convertRecording(
  generator: ConversionGenerator,
  config: GeneratorConfig,
  map: ModelFeatureMap,
  signal: Float32Array,
  voices: RecordingVoices,
  synthesis: { nIter?: number; momentum?: number } = {},
  onStep: (stage: "analyse" | "convert" | "synthesise") => void | Promise<void> = () => {},
): Promise<ConvertedRecording> {
  const spec = map.spec;
  await onStep("analyse");
  const features = analyze(signal, spec);
  const source = voices.from ?? outsideVoice(features, spec, voices.speakers, voices.known);
  await onStep("convert");
  const converted = convertFeatures(generator, config, map, features, source, voices.target);
  await onStep("synthesise");
  const { nIter, momentum } = synthesis;
  const samples = synthesize(converted, spec, {
    ...(nIter !== undefined ? { nIter } : {}),
    ...(momentum !== undefined ? { momentum } : {}),
    length: signal.length,
  });
  return { features, converted, samples, source: source.speaker };
}
