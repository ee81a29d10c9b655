import { analyze, type FeatureSpec, resample } from "@vox/dsp";
import { writeFileAtomic } from "@vox/dsp/node";
import { readAudioFile, requireAudible } from "./audio.js";
import { loudnessGain, nonSilentRange } from "./conditioning.js";
import { AudioFileError } from "./errors.js";
import { encodeFeatureFile, type FeatureDtype } from "./feature-file.js";

/** How audio is conditioned and stored; part of a cache's identity (a change means new features). */
export interface PreparationSettings {
  dtype: FeatureDtype;
  /** Leading/trailing frames this many dB below the loudest are trimmed; null keeps everything. */
  trimTopDb: number | null;
  /** RMS level after trimming, dBFS; null keeps the recorded level. */
  loudnessDb: number | null;
  /** Shortest usable utterance after trimming, seconds. */
  minSeconds: number;
}

export const defaultPreparation: PreparationSettings = Object.freeze({
  dtype: "float32",
  trimTopDb: 40,
  loudnessDb: -23,
  minSeconds: 0.25,
});

export interface UtteranceTask {
  source: string;
  output: string;
  spec: FeatureSpec;
  settings: PreparationSettings;
}

export interface UtteranceResult {
  frames: number;
  /** Seconds of audio analysed (after trimming). */
  seconds: number;
  /** Seconds in the source file. */
  sourceSeconds: number;
  sourceSampleRate: number;
}

/** Decode -> mono -> resample -> trim -> loudness -> analyse -> write one feature file (atomically). */
export async function processUtterance(task: UtteranceTask): Promise<UtteranceResult> {
  const { spec, settings } = task;
  const audio = await readAudioFile(task.source);
  const sourceSeconds = audio.samples.length / audio.sampleRate;
  let signal =
    audio.sampleRate === spec.sampleRate ? audio.samples : resample(audio.samples, audio.sampleRate, spec.sampleRate);
  requireAudible(signal, task.source);
  if (settings.trimTopDb !== null) {
    const [start, end] = nonSilentRange(signal, { topDb: settings.trimTopDb, frameLength: spec.nFft, hop: spec.hop });
    if (end <= start) throw new AudioFileError(task.source, "audible speech", "digital silence");
    signal = signal.subarray(start, end);
  }
  const seconds = signal.length / spec.sampleRate;
  if (seconds < settings.minSeconds) {
    throw new AudioFileError(
      task.source,
      `at least ${settings.minSeconds} s of audio${settings.trimTopDb !== null ? " after trimming silence" : ""}`,
      `${seconds.toFixed(3)} s`,
    );
  }
  if (settings.loudnessDb !== null) {
    const gain = loudnessGain(signal, { targetDb: settings.loudnessDb });
    const scaled = new Float32Array(signal.length);
    for (let i = 0; i < signal.length; i++) scaled[i] = (signal[i] ?? 0) * gain;
    signal = scaled;
  }
  const features = analyze(signal, spec);
  await writeFileAtomic(task.output, encodeFeatureFile(features, settings.dtype));
  return { frames: features.frames, seconds, sourceSeconds, sourceSampleRate: audio.sampleRate };
}
