import { mkdir, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { type FeatureSpec, featureBins, validateFeatureSpec } from "@vox/dsp";
import {
  type CacheIndex,
  type CachedUtterance,
  readCacheIndex,
  type SpeakerStatistics,
  writeCacheIndex,
} from "./cache-index.js";
import { forEachConcurrently } from "./concurrency.js";
import type { Corpus, Utterance } from "./corpus.js";
import { readCorpus } from "./detect.js";
import { DatasetError, FeatureCacheError } from "./errors.js";
import { featureFileSize, readFeatureFileHeader } from "./feature-file.js";
import type { WorkerOutcome } from "./prepare-worker.js";
import prepareInWorker from "./prepare-worker.js";
import { defaultPreparation, type PreparationSettings, type UtteranceTask } from "./process-utterance.js";
import type { PrepareProgress } from "./progress.js";
import { createWorkerPool } from "./worker-pool.js";

export interface PrepareOptions extends Partial<PreparationSettings> {
  /** Worker threads; 0 processes in this thread. Default: available cores, at most 4. */
  workers?: number;
  /** Called as files finish (and once more with `final` at the end). */
  onProgress?: (progress: PrepareProgress, final?: boolean) => void;
  /** Replace a cache made with another FeatureSpec or other settings instead of refusing. */
  overwrite?: boolean;
  /** Stops handing out new files; files in flight finish, the index is written, and the summary says so. */
  signal?: AbortSignal;
}

export interface PrepareSummary {
  cacheDir: string;
  /** Utterances (re)computed by this run. */
  processed: number;
  /** Utterances already in the cache and unchanged. */
  reused: number;
  /** Entries dropped because their source is no longer in the corpus. */
  removed: number;
  failures: { path: string; error: string }[];
  /** false when the run was stopped early (`signal`); a re-run finishes it. */
  complete: boolean;
  elapsedSeconds: number;
  /** Seconds of source audio processed by this run. */
  audioSeconds: number;
  index: CacheIndex;
}

/** How often the index is rewritten during a run: an interrupted run keeps everything finished up to then. */
const indexWriteIntervalMs = 2000;

function sameSettings(a: PreparationSettings, b: PreparationSettings): string | undefined {
  for (const key of Object.keys(defaultPreparation) as (keyof PreparationSettings)[]) {
    if (a[key] !== b[key]) return `${key} ${JSON.stringify(b[key])} (cache) vs ${JSON.stringify(a[key])} (asked)`;
  }
  return undefined;
}

function featureFileName(utterance: Utterance): string {
  return join("features", utterance.speaker, `${utterance.id}.vxf`);
}

/** Is the cached entry for this utterance still valid (same source bytes, feature file complete)? */
async function reusable(
  entry: CachedUtterance | undefined,
  cacheDir: string,
  dtype: PreparationSettings["dtype"],
  bins: number,
  size: number,
  mtimeMs: number,
): Promise<boolean> {
  if (!entry || entry.size !== size || entry.mtimeMs !== mtimeMs) return false;
  const info = await stat(join(cacheDir, entry.file)).catch(() => undefined);
  return info?.size === featureFileSize(dtype, bins, entry.frames);
}

/** Per-speaker per-bin mean and standard deviation, from the feature files' stored sums. */
function speakerStatistics(cacheDir: string, utterances: CachedUtterance[]): Record<string, SpeakerStatistics> {
  const sums = new Map<string, { sum: Float64Array; squares: Float64Array; stats: SpeakerStatistics }>();
  for (const entry of utterances) {
    const header = readFeatureFileHeader(join(cacheDir, entry.file));
    let speaker = sums.get(entry.speaker);
    if (!speaker) {
      speaker = {
        sum: new Float64Array(header.bins),
        squares: new Float64Array(header.bins),
        stats: { utterances: 0, frames: 0, seconds: 0, mean: [], std: [] },
      };
      sums.set(entry.speaker, speaker);
    }
    for (let f = 0; f < header.bins; f++) {
      speaker.sum[f] = (speaker.sum[f] ?? 0) + (header.sum[f] ?? 0);
      speaker.squares[f] = (speaker.squares[f] ?? 0) + (header.sumOfSquares[f] ?? 0);
    }
    speaker.stats.utterances++;
    speaker.stats.frames += entry.frames;
    speaker.stats.seconds += entry.seconds;
  }
  const result: Record<string, SpeakerStatistics> = {};
  for (const [id, { sum, squares, stats }] of sums) {
    const mean = Array.from(sum, (s) => s / stats.frames);
    const std = Array.from(squares, (q, f) => Math.sqrt(Math.max(0, q / stats.frames - (mean[f] ?? 0) ** 2)));
    result[id] = { ...stats, seconds: Number(stats.seconds.toFixed(3)), mean, std };
  }
  return result;
}

/**
 * Turns a corpus into a feature cache: decode, mono, resample, trim silence, normalise loudness, analyse with
 * `spec`, one feature file per utterance plus `index.json` (FeatureSpec, settings, speaker map, entries, per-speaker
 * statistics). Incremental: unchanged files are reused. A file that fails is reported in `failures` and skipped.
 * The index is rewritten every 2 s, so a killed run leaves a valid cache of what it finished.
 */
export async function prepareFeatures(
  corpus: Corpus | string,
  featureSpec: FeatureSpec,
  cacheDir: string,
  options: PrepareOptions = {},
): Promise<PrepareSummary> {
  const started = performance.now();
  const spec = validateFeatureSpec(featureSpec, "featureSpec");
  const source = typeof corpus === "string" ? await readCorpus(corpus) : corpus;
  const settings: PreparationSettings = {
    dtype: options.dtype ?? defaultPreparation.dtype,
    trimTopDb: options.trimTopDb === undefined ? defaultPreparation.trimTopDb : options.trimTopDb,
    loudnessDb: options.loudnessDb === undefined ? defaultPreparation.loudnessDb : options.loudnessDb,
    minSeconds: options.minSeconds ?? defaultPreparation.minSeconds,
  };
  if (settings.dtype !== "float32" && settings.dtype !== "float16") {
    throw new DatasetError("dtype", '"float32" or "float16"', JSON.stringify(settings.dtype));
  }
  const workers = options.workers ?? Math.min(4, availableParallelism());
  if (!Number.isInteger(workers) || workers < 0) throw new DatasetError("workers", "an integer >= 0", String(workers));
  const root = resolve(cacheDir);
  await mkdir(root, { recursive: true });

  const previous = await readCacheIndex(root);
  if (previous && !options.overwrite) {
    const specDiff = JSON.stringify(previous.featureSpec) !== JSON.stringify(spec);
    const settingsDiff = sameSettings(settings, previous.preparation);
    if (specDiff || settingsDiff) {
      throw new FeatureCacheError(
        root,
        "a cache made with the same FeatureSpec and preparation settings",
        specDiff ? "another FeatureSpec" : (settingsDiff ?? ""),
        "choose another output folder, or overwrite",
      );
    }
  }
  const bins = featureBins(spec);
  const old = new Map<string, CachedUtterance>();
  if (previous && !options.overwrite)
    for (const entry of previous.utterances) old.set(`${entry.speaker}/${entry.id}`, entry);

  const entries = new Map<string, CachedUtterance>();
  const tasks: { utterance: Utterance; size: number; mtimeMs: number; task: UtteranceTask }[] = [];
  const failures: { path: string; error: string }[] = [];
  for (const utterance of source.utterances) {
    const key = `${utterance.speaker}/${utterance.id}`;
    const info = await stat(utterance.path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      failures.push({
        path: utterance.path,
        error: `${utterance.path}: expected a readable file, found ${info.code ?? info.message}`,
      });
      continue;
    }
    const entry = old.get(key);
    if (
      entry &&
      entry.source === utterance.path &&
      (await reusable(entry, root, settings.dtype, bins, info.size, info.mtimeMs))
    ) {
      entries.set(key, { ...entry, ...(utterance.transcript ? { transcript: utterance.transcript } : {}) });
      continue;
    }
    const file = featureFileName(utterance);
    tasks.push({
      utterance,
      size: info.size,
      mtimeMs: info.mtimeMs,
      task: { source: utterance.path, output: join(root, file), spec, settings },
    });
  }
  const reused = entries.size;
  const removed =
    previous && !options.overwrite
      ? [...old.keys()].filter((key) => !source.utterances.some((u) => `${u.speaker}/${u.id}` === key)).length
      : 0;

  const index = (complete: boolean): CacheIndex => ({
    format: "vox-feature-cache",
    version: 1,
    complete,
    updatedAt: new Date().toISOString(),
    featureSpec: spec,
    preparation: settings,
    corpus: { layout: source.layout, root: source.root, split: source.split ?? "all" },
    speakers: [...source.speakers],
    utterances: source.utterances.flatMap((u) => entries.get(`${u.speaker}/${u.id}`) ?? []),
    speakerStatistics: {},
    failures,
  });

  let processed = 0;
  let audioSeconds = 0;
  let lastWrite = performance.now();
  let writing: Promise<void> = Promise.resolve();
  const progress = (): PrepareProgress => ({
    done: reused + processed + failures.length,
    total: source.utterances.length,
    failed: failures.length,
    audioSeconds,
    elapsedSeconds: (performance.now() - started) / 1000,
  });
  const finish = (job: (typeof tasks)[number], outcome: WorkerOutcome): void => {
    if (outcome.ok) {
      const { utterance } = job;
      entries.set(`${utterance.speaker}/${utterance.id}`, {
        speaker: utterance.speaker,
        id: utterance.id,
        source: utterance.path,
        size: job.size,
        mtimeMs: job.mtimeMs,
        file: featureFileName(utterance),
        frames: outcome.frames,
        seconds: Number(outcome.seconds.toFixed(4)),
        ...(utterance.transcript ? { transcript: utterance.transcript } : {}),
      });
      processed++;
      audioSeconds += outcome.sourceSeconds;
    } else {
      failures.push({ path: job.utterance.path, error: outcome.error });
    }
    options.onProgress?.(progress());
    if (performance.now() - lastWrite > indexWriteIntervalMs) {
      lastWrite = performance.now();
      const snapshot = index(false);
      writing = writing.then(() => writeCacheIndex(root, snapshot));
    }
  };

  await writeCacheIndex(root, index(false));
  let stopped = false;
  if (workers === 0) {
    for (const job of tasks) {
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      finish(job, await prepareInWorker(job.task));
    }
  } else if (tasks.length > 0) {
    const pool = createWorkerPool(
      new URL(`./prepare-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
      Math.min(workers, tasks.length),
    );
    try {
      const finished = await forEachConcurrently(
        tasks,
        workers,
        async (job) => finish(job, (await pool.run(job.task)) as WorkerOutcome),
        () => options.signal?.aborted === true,
      );
      stopped = !finished;
    } finally {
      await pool.destroy();
    }
  }
  await writing;
  const final = index(!stopped);
  final.speakerStatistics = speakerStatistics(root, final.utterances);
  await writeCacheIndex(root, final);
  options.onProgress?.(progress(), true);
  return {
    cacheDir: root,
    processed,
    reused,
    removed,
    failures,
    complete: !stopped,
    elapsedSeconds: (performance.now() - started) / 1000,
    audioSeconds,
    index: final,
  };
}
