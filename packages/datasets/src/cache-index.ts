import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type FeatureSpec, validateFeatureSpec } from "@vox/dsp";
import { writeFileAtomic } from "@vox/dsp/node";
import type { CorpusLayout, CorpusSplitChoice } from "./corpus.js";
import { FeatureCacheError } from "./errors.js";
import type { PreparationSettings } from "./process-utterance.js";

export const indexFileName = "index.json";

/** One prepared utterance. `file` is relative to the cache folder. */
export interface CachedUtterance {
  speaker: string;
  id: string;
  source: string;
  /** Source file size and modification time: a re-run reprocesses the file when either changed. */
  size: number;
  mtimeMs: number;
  file: string;
  frames: number;
  seconds: number;
  transcript?: string;
}

/** Per-bin feature statistics of one speaker (for normalisation), with how much audio they cover. */
export interface SpeakerStatistics {
  utterances: number;
  frames: number;
  seconds: number;
  mean: number[];
  std: number[];
}

export interface CacheIndex {
  format: "vox-feature-cache";
  version: 1;
  /** false while a preparation is running or after one was interrupted; the entries present are usable. */
  complete: boolean;
  updatedAt: string;
  featureSpec: FeatureSpec;
  preparation: PreparationSettings;
  /** Where the features came from; `split`: the published split read (absent in caches made before splits). */
  corpus: { layout: CorpusLayout; root: string; split?: CorpusSplitChoice };
  /** The speaker map: sorted ids, label = position. */
  speakers: string[];
  utterances: CachedUtterance[];
  speakerStatistics: Record<string, SpeakerStatistics>;
  failures: { path: string; error: string }[];
}

export function indexPath(cacheDir: string): string {
  return join(cacheDir, indexFileName);
}

/** The index of the cache at `cacheDir`, or undefined when there is none; a damaged index is an error. */
export async function readCacheIndex(cacheDir: string): Promise<CacheIndex | undefined> {
  const path = indexPath(cacheDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  let value: Partial<CacheIndex>;
  try {
    value = JSON.parse(text) as Partial<CacheIndex>;
  } catch (error) {
    throw new FeatureCacheError(
      path,
      "JSON",
      `unparsable text (${(error as Error).message})`,
      "delete the cache and prepare again",
    );
  }
  if (value.format !== "vox-feature-cache" || value.version !== 1) {
    throw new FeatureCacheError(
      path,
      "a vox feature cache index (format vox-feature-cache, version 1)",
      `format ${JSON.stringify(value.format)}, version ${JSON.stringify(value.version)}`,
    );
  }
  for (const field of ["speakers", "utterances", "failures"] as const) {
    if (!Array.isArray(value[field])) throw new FeatureCacheError(`${path}: ${field}`, "an array", typeof value[field]);
  }
  value.featureSpec = validateFeatureSpec(value.featureSpec, `${path}: featureSpec`);
  return value as CacheIndex;
}

export async function writeCacheIndex(cacheDir: string, index: CacheIndex): Promise<void> {
  // Compact: a VCTK-sized index has ~44 000 entries.
  await writeFileAtomic(
    indexPath(cacheDir),
    JSON.stringify({ ...index, featureSpec: validateFeatureSpec(index.featureSpec) }),
  );
}
