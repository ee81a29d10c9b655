import { decodeWav, type MonoAudio, resample, WavFormatError } from "@vox/dsp";
import { FLACDecoder } from "@wasm-audio-decoders/flac";
import { audiblePeakDbfs, loudnessGain, peakDbfs } from "./conditioning.js";
import { AudioFileError } from "./errors.js";

// Audio from bytes, as vox takes it: no file system here (@vox/datasets/audio), so a page decodes and conditions a
// dropped file exactly as `vox convert` does a file on disk.

/** Mean of the channels: the same mono mix @vox/dsp's WAV decoder makes. */
function mixToMono(channels: Float32Array[], length: number): Float32Array {
  if (channels.length === 1 && channels[0]) return channels[0].subarray(0, length);
  const mono = new Float32Array(length);
  for (const channel of channels) for (let i = 0; i < length; i++) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0);
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) mono[i] = (mono[i] ?? 0) * scale;
  return mono;
}

/**
 * Samples per channel the STREAMINFO block announces (its 36-bit total; 0 when the encoder did not know), or null
 * when the first metadata block is not STREAMINFO. STREAMINFO is the first block after "fLaC": a 4-byte block
 * header, then 34 bytes in which the total is the low 36 bits of bytes 10..17.
 */
function flacTotalSamples(bytes: Uint8Array): number | null {
  if (bytes.length < 8 + 18 || ((bytes[4] ?? 0) & 0x7f) !== 0) return null;
  const at = 8 + 13;
  const high = (bytes[at] ?? 0) & 0x0f;
  const low =
    (((bytes[at + 1] ?? 0) << 24) |
      ((bytes[at + 2] ?? 0) << 16) |
      ((bytes[at + 3] ?? 0) << 8) |
      (bytes[at + 4] ?? 0)) >>>
    0;
  return high * 2 ** 32 + low;
}

async function decodeFlac(bytes: Uint8Array, path: string): Promise<MonoAudio> {
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    // The decoder reports no error for garbage; it decodes nothing. So no samples is the corruption signal.
    const decoded = await decoder.decodeFile(bytes);
    if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) {
      const detail = decoded.errors.length > 0 ? decoded.errors[0]?.message : "no decodable FLAC frames";
      throw new AudioFileError(path, "a FLAC file with audio", detail ?? "no decodable FLAC frames");
    }
    // A cut-off file decodes the frames before the cut without a word: its header says how many there were.
    const announced = flacTotalSamples(bytes);
    if (announced !== null && announced > 0 && decoded.samplesDecoded < announced) {
      throw new AudioFileError(
        path,
        `the ${announced} samples per channel its STREAMINFO announces`,
        `${decoded.samplesDecoded} (${((decoded.samplesDecoded / announced) * 100).toFixed(0)} %): a truncated FLAC file`,
      );
    }
    return { samples: mixToMono(decoded.channelData, decoded.samplesDecoded), sampleRate: decoded.sampleRate };
  } finally {
    decoder.free();
  }
}

/**
 * A WAV or FLAC file's bytes as mono; every failure is an AudioFileError naming `where` (the file). NaN or
 * infinite samples (float WAVs can hold them) are an error naming the time of the first one, never silence.
 */
export async function decodeAudioBytes(bytes: Uint8Array, where: string): Promise<MonoAudio> {
  const audio = await decodeByMagic(bytes, where);
  const { samples, sampleRate } = audio;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i] as number;
    if (!Number.isFinite(v)) {
      throw new AudioFileError(where, "finite samples", `${v} at ${(i / sampleRate).toFixed(3)} s (sample ${i})`);
    }
  }
  return audio;
}

async function decodeByMagic(bytes: Uint8Array, path: string): Promise<MonoAudio> {
  if (bytes.length === 0) throw new AudioFileError(path, "an audio file", "an empty file (0 bytes)");
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === "fLaC") return decodeFlac(bytes, path);
  if (magic === "RIFF" || magic === "RIFX" || magic === "RF64") {
    try {
      return decodeWav(bytes, path);
    } catch (error) {
      if (error instanceof WavFormatError) throw new AudioFileError(path, error.expected, error.found);
      throw error;
    }
  }
  throw new AudioFileError(path, "a WAV (RIFF) or FLAC file", `a file starting with ${JSON.stringify(magic)}`);
}

/**
 * A recording as conversion and copy-synthesis take it: mono, resampled to `sampleRate` and loudness-normalised
 * as `prepare` normalises training data (not trimmed: the output keeps the input's length). `where` names it.
 */
export function conditionAudio(audio: MonoAudio, sampleRate: number, where: string): Float32Array {
  const signal =
    audio.sampleRate === sampleRate ? audio.samples : resample(audio.samples, audio.sampleRate, sampleRate);
  requireAudible(signal, where);
  const gain = loudnessGain(signal);
  return signal.map((v) => v * gain);
}

/**
 * Refuses near-silence (see {@link audiblePeakDbfs}): digital silence, or dither that loudness normalisation would
 * turn into loud noise.
 */
export function requireAudible(signal: Float32Array, path: string): void {
  const peak = peakDbfs(signal);
  if (peak >= audiblePeakDbfs) return;
  throw new AudioFileError(
    path,
    `audible speech (a sample peak above ${audiblePeakDbfs} dBFS)`,
    Number.isFinite(peak) ? `near-silence (peak ${peak.toFixed(1)} dBFS)` : "digital silence",
  );
}
