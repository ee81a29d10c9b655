import { readFile } from "node:fs/promises";
import type { MonoAudio } from "@vox/dsp";
import { conditionAudio, decodeAudioBytes } from "./audio-bytes.js";
import { AudioFileError } from "./errors.js";

export { requireAudible } from "./audio-bytes.js";

/**
 * Reads a WAV or FLAC file as mono; every failure is an AudioFileError naming the path. NaN or infinite samples
 * (float WAVs can hold them) are an error naming the time of the first one, never silence.
 */
export async function readAudioFile(path: string): Promise<MonoAudio> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new AudioFileError(path, "a readable audio file", (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return decodeAudioBytes(bytes, path);
}

/**
 * A recording as conversion and copy-synthesis take it: read as mono (readAudioFile), resampled to `sampleRate`
 * and loudness-normalised as `prepare` normalises training data (not trimmed: the output keeps the input's length).
 */
export async function readConditionedAudio(path: string, sampleRate: number): Promise<Float32Array> {
  return conditionAudio(await readAudioFile(path), sampleRate, path);
}
