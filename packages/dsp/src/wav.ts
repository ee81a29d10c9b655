import * as wavefileModule from "wavefile";
import { InvalidArgumentError, WavFormatError } from "./errors.js";

// wavefile ships CommonJS for Node (named exports on `default`) and an ES module for bundlers (named exports).
const WaveFile =
  (wavefileModule as unknown as { WaveFile?: typeof wavefileModule.WaveFile }).WaveFile ??
  (wavefileModule as unknown as { default: typeof wavefileModule }).default.WaveFile;

/** Decoded audio: mono float samples in [-1, 1] at `sampleRate`. */
export interface MonoAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** What the file held before mixdown. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitDepth: number;
  encoding: "pcm" | "float";
  frames: number;
}

export interface DecodedWav extends MonoAudio {
  info: WavInfo;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Decodes a WAV file held in memory and mixes it down to mono (the mean of the channels).
 * PCM is scaled as soundfile does: value / 2^(bits-1) (8-bit is unsigned, centred on 128); float is taken as is.
 * `source` names the file in errors.
 */
export function decodeWav(bytes: Uint8Array, source = "<buffer>"): DecodedWav {
  if (bytes.length === 0) throw new WavFormatError(source, "a WAV file", "an empty file (0 bytes)");
  if (bytes.length < 12) throw new WavFormatError(source, "a WAV file", `only ${bytes.length} bytes`);
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0);
  const wave = String.fromCharCode(bytes[8] ?? 0, bytes[9] ?? 0, bytes[10] ?? 0, bytes[11] ?? 0);
  if ((magic !== "RIFF" && magic !== "RIFX") || wave !== "WAVE") {
    throw new WavFormatError(source, "a RIFF/WAVE header", `${JSON.stringify(magic)}/${JSON.stringify(wave)}`);
  }
  let file: InstanceType<typeof WaveFile>;
  try {
    file = new WaveFile(bytes);
  } catch (error) {
    throw new WavFormatError(
      source,
      "a readable WAV file",
      `a file wavefile cannot parse (${(error as Error).message})`,
    );
  }
  const fmt = file.fmt as {
    audioFormat: number;
    numChannels: number;
    sampleRate: number;
    bitsPerSample: number;
    subformat?: number[];
  };
  const data = file.data as { chunkSize: number; samples: Uint8Array };
  if (!fmt || fmt.numChannels === 0) throw new WavFormatError(source, "a 'fmt ' chunk", "none");
  let format = fmt.audioFormat;
  if (format === WAVE_FORMAT_EXTENSIBLE) format = fmt.subformat?.[0] ?? 0;
  if (format !== WAVE_FORMAT_PCM && format !== WAVE_FORMAT_IEEE_FLOAT) {
    throw new WavFormatError(source, "PCM (format 1) or IEEE float (format 3) audio", `format tag ${fmt.audioFormat}`);
  }
  const bits = fmt.bitsPerSample;
  const isFloat = format === WAVE_FORMAT_IEEE_FLOAT;
  if (isFloat ? bits !== 32 && bits !== 64 : ![8, 16, 24, 32].includes(bits)) {
    throw new WavFormatError(
      source,
      "8/16/24/32-bit PCM or 32/64-bit float",
      `${bits}-bit ${isFloat ? "float" : "PCM"}`,
    );
  }
  if (!(fmt.sampleRate > 0)) throw new WavFormatError(source, "a positive sample rate", String(fmt.sampleRate));
  if (!data || data.samples === undefined) throw new WavFormatError(source, "a 'data' chunk", "none");
  if (data.samples.length < data.chunkSize) {
    throw new WavFormatError(
      source,
      `a 'data' chunk of ${data.chunkSize} bytes`,
      `only ${data.samples.length} bytes (the file is truncated)`,
    );
  }
  const channels = fmt.numChannels;
  const bytesPerSample = bits / 8;
  const frames = Math.floor(data.samples.length / (bytesPerSample * channels));
  if (frames === 0) throw new WavFormatError(source, "at least one audio frame", "an empty 'data' chunk");
  const view = new DataView(data.samples.buffer, data.samples.byteOffset, frames * bytesPerSample * channels);
  const littleEndian = magic === "RIFF";
  const read = sampleReader(view, bits, isFloat, littleEndian);
  const samples = new Float32Array(frames);
  const inverseChannels = 1 / channels;
  let offset = 0;
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, offset += bytesPerSample) sum += read(offset);
    samples[i] = channels === 1 ? sum : sum * inverseChannels;
  }
  return {
    samples,
    sampleRate: fmt.sampleRate,
    info: { sampleRate: fmt.sampleRate, channels, bitDepth: bits, encoding: isFloat ? "float" : "pcm", frames },
  };
}

function sampleReader(view: DataView, bits: number, isFloat: boolean, le: boolean): (offset: number) => number {
  if (isFloat) return bits === 32 ? (o) => view.getFloat32(o, le) : (o) => view.getFloat64(o, le);
  switch (bits) {
    case 8:
      return (o) => (view.getUint8(o) - 128) / 128;
    case 16:
      return (o) => view.getInt16(o, le) / 32768;
    case 24:
      return le
        ? (o) => ((view.getInt8(o + 2) << 16) | (view.getUint8(o + 1) << 8) | view.getUint8(o)) / 8388608
        : (o) => ((view.getInt8(o) << 16) | (view.getUint8(o + 1) << 8) | view.getUint8(o + 2)) / 8388608;
    default:
      return (o) => view.getInt32(o, le) / 2147483648;
  }
}

export type WavBitDepth = 16 | 24 | 32 | "32f";

/**
 * Encodes mono float samples as a WAV file. PCM is written from clamped, rounded values (wavefile's own
 * float->int path truncates and mis-reads exponent notation), 32f as IEEE float.
 */
export function encodeWav(samples: Float32Array, sampleRate: number, bitDepth: WavBitDepth = 16): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new InvalidArgumentError("encodeWav(sampleRate)", "a positive integer", sampleRate);
  }
  const file = new WaveFile();
  if (bitDepth === "32f") {
    file.fromScratch(
      1,
      sampleRate,
      "32f",
      Float32Array.from(samples, (x) => (Number.isFinite(x) ? x : 0)),
    );
    return file.toBuffer();
  }
  const scale = 2 ** (bitDepth - 1);
  const max = scale - 1;
  const ints = bitDepth === 16 ? new Int16Array(samples.length) : new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] ?? 0;
    const v = Math.round((Number.isFinite(x) ? x : 0) * scale);
    ints[i] = v > max ? max : v < -scale ? -scale : v;
  }
  file.fromScratch(1, sampleRate, String(bitDepth), ints);
  return file.toBuffer();
}
