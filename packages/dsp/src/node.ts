/**
 * Node-only helpers (file system); the main entry stays usable in a browser.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
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

/**
 * `mkdir -p`, one component at a time: Node's recursive mkdir never returns for a path the kernel refuses to
 * create (it retries `/proc/x` forever); here that is the kernel's error (ENOENT), and a component that exists as
 * a file is ENOTDIR naming it.
 */
export async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(path); ; ) {
    // ENOTDIR: a component above is a file; walking up finds and names it.
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
      throw error;
    });
    if (found) {
      if (!found.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: "ENOTDIR", path: at });
      }
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
}

/**
 * {@link makeFolder}, then a probe file written and removed there: afterwards the folder exists and takes files,
 * or Node's error (its `code`, and for ENOTDIR the `path` of the file in the way) says why not.
 */
export async function makeWritableFolder(path: string): Promise<void> {
  await makeFolder(path);
  const probe = join(path, `.vox-write-probe-${process.pid}`);
  await writeFile(probe, "");
  await rm(probe);
}

/** Writes bytes atomically (temp file + rename), creating the folder: a crash never leaves half a file. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await makeFolder(dirname(path));
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
