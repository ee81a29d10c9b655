/**
 * Node-only helpers (file system); the main entry stays usable in a browser.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { WavFormatError } from "./errors.js";
import { type DecodedWav, decodeWav, encodeWav, type WavBitDepth } from "./wav.js";

/** Reads and decodes a WAV file to mono; errors name the path. */
export async function readWavFile(path: string): Promise<DecodedWav> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new WavFormatError(
      path,
      "a readable file",
      code === "ENOENT" ? "no such file" : `${code} (${(error as Error).message})`,
    );
  }
  return decodeWav(bytes, path);
}

/** Writes bytes atomically (temp file + rename), creating the folder: a crash never leaves half a file. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

/** Encodes mono samples and writes them as a WAV file. */
export async function writeWavFile(
  path: string,
  samples: Float32Array,
  sampleRate: number,
  bitDepth: WavBitDepth = 16,
): Promise<void> {
  await writeFileAtomic(path, encodeWav(samples, sampleRate, bitDepth));
}
