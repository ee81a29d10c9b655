import { closeSync, openSync, readSync } from "node:fs";
import type { Spectrogram } from "@vox/dsp";
import { FeatureCacheError } from "./errors.js";
import { decodeFloat16, encodeFloat16 } from "./float16.js";

/**
 * One utterance's features on disk, self-describing and readable in pieces:
 *   0  "VOXF"        4 bytes
 *   4  version       uint16 (1)
 *   6  dtype         uint16 (1 float32, 2 float16)
 *   8  bins          uint32
 *  12  frames        uint32
 *  16  reserved      16 bytes of 0
 *  32  sum[bins], sumOfSquares[bins]   float64: per-bin statistics, so speaker statistics never reread the frames
 *  32 + 16 bins      frames x bins values, frame-major: a crop of consecutive frames is one contiguous read
 * Little-endian throughout.
 */
export type FeatureDtype = "float32" | "float16";

export interface FeatureFileHeader {
  dtype: FeatureDtype;
  bins: number;
  frames: number;
  sum: Float64Array;
  sumOfSquares: Float64Array;
}

const magic = 0x46584f56; // "VOXF" read as a little-endian uint32
const headerBytes = 32;

export function dataOffset(bins: number): number {
  return headerBytes + 16 * bins;
}

export function bytesPerValue(dtype: FeatureDtype): number {
  return dtype === "float16" ? 2 : 4;
}

export function featureFileSize(dtype: FeatureDtype, bins: number, frames: number): number {
  return dataOffset(bins) + bins * frames * bytesPerValue(dtype);
}

/** Per-bin sum and sum of squares of a [bins x frames] spectrogram. */
export function binStatistics(features: Spectrogram): { sum: Float64Array; sumOfSquares: Float64Array } {
  const sum = new Float64Array(features.bins);
  const sumOfSquares = new Float64Array(features.bins);
  for (let f = 0; f < features.bins; f++) {
    let s = 0;
    let q = 0;
    const row = features.data.subarray(f * features.frames, (f + 1) * features.frames);
    for (const v of row) {
      s += v;
      q += v * v;
    }
    sum[f] = s;
    sumOfSquares[f] = q;
  }
  return { sum, sumOfSquares };
}

/** The file bytes of a frequency-major spectrogram. */
export function encodeFeatureFile(features: Spectrogram, dtype: FeatureDtype): Uint8Array {
  const { bins, frames } = features;
  const bytes = new Uint8Array(featureFileSize(dtype, bins, frames));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, dtype === "float16" ? 2 : 1, true);
  view.setUint32(8, bins, true);
  view.setUint32(12, frames, true);
  const { sum, sumOfSquares } = binStatistics(features);
  new Float64Array(bytes.buffer, headerBytes, bins).set(sum);
  new Float64Array(bytes.buffer, headerBytes + 8 * bins, bins).set(sumOfSquares);
  // Transpose straight into the file's bytes (float32) or through one scratch array (float16).
  const frameMajor =
    dtype === "float32"
      ? new Float32Array(bytes.buffer, dataOffset(bins), bins * frames)
      : new Float32Array(bins * frames);
  const source = features.data;
  for (let f = 0; f < bins; f++) {
    const row = f * frames;
    for (let t = 0; t < frames; t++) frameMajor[t * bins + f] = source[row + t] as number;
  }
  if (dtype === "float16") encodeFloat16(frameMajor, new Uint16Array(bytes.buffer, dataOffset(bins), bins * frames));
  return bytes;
}

function readExactly(fd: number, length: number, position: number, path: string): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0)
      throw new FeatureCacheError(path, `${length} bytes at offset ${position}`, `only ${done}`, "re-run prepare");
    done += n;
  }
  return buffer;
}

export function readFeatureHeader(fd: number, path: string): FeatureFileHeader {
  const head = readExactly(fd, headerBytes, 0, path);
  const view = new DataView(head.buffer);
  if (view.getUint32(0, true) !== magic || view.getUint16(4, true) !== 1) {
    throw new FeatureCacheError(path, "a vox feature file (VOXF version 1)", "other bytes", "re-run prepare");
  }
  const code = view.getUint16(6, true);
  if (code !== 1 && code !== 2) throw new FeatureCacheError(path, "dtype 1 or 2", String(code));
  const bins = view.getUint32(8, true);
  const frames = view.getUint32(12, true);
  const stats = readExactly(fd, 16 * bins, headerBytes, path);
  return {
    dtype: code === 2 ? "float16" : "float32",
    bins,
    frames,
    sum: new Float64Array(stats.buffer, 0, bins),
    sumOfSquares: new Float64Array(stats.buffer, 8 * bins, bins),
  };
}

/** The header of the feature file at `path`. */
export function readFeatureFileHeader(path: string): FeatureFileHeader {
  const fd = openSync(path, "r");
  try {
    return readFeatureHeader(fd, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Frames [start, start + count) of an open feature file, written frequency-major into `out` (bins rows of `stride`
 * values, starting at column `column`), as a model's [freq, time] input wants them.
 */
export function readFramesInto(
  fd: number,
  path: string,
  header: Pick<FeatureFileHeader, "dtype" | "bins">,
  start: number,
  count: number,
  out: Float32Array,
  stride: number,
  column = 0,
): void {
  const { bins, dtype } = header;
  const size = bytesPerValue(dtype);
  const bytes = readExactly(fd, count * bins * size, dataOffset(bins) + start * bins * size, path);
  const values =
    dtype === "float16"
      ? decodeFloat16(new Uint16Array(bytes.buffer, 0, count * bins))
      : new Float32Array(bytes.buffer, 0, count * bins);
  for (let t = 0; t < count; t++) {
    for (let f = 0; f < bins; f++) out[f * stride + column + t] = values[t * bins + f] ?? 0;
  }
}
