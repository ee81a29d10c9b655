import { unlinkSync } from "node:fs";
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import {
  type ConversionPostfilter,
  type FeatureNormalization,
  type FeatureSpec,
  featureNormalizations,
  type SpeakerFeatureStatistics,
} from "@vox/dsp";
import { type CachedUtterance, FeatureStore, readCacheIndex } from "@vox/datasets";
import { makeFolder, makeWritableFolder, writeFileAtomic } from "@vox/dsp/node";
import type { ModelConfig } from "@vox/models/config";
import { featureStoreOptions, type TrainConfig, validateTrainConfig } from "./config.js";
import { RunDirectoryError } from "./errors.js";
import { type RunConversion, runConversion } from "./run-conversion.js";

export { type RunConversion, runConversion };

/** A step as its folders and files are named: eight digits, so a listing sorts by step. */
function stepName(step: number): string {
  return String(step).padStart(8, "0");
}

/** The paths of a run folder (DESIGN.md: config.json, checkpoints/, metrics.jsonl, samples/, eval/, report.html). */
export function runPaths(runDir: string) {
  const root = resolve(runDir);
  const checkpoints = join(root, "checkpoints");
  const samplesRoot = join(root, "samples");
  const evalRoot = join(root, "eval");
  return {
    root,
    config: join(root, "config.json"),
    checkpoints,
    checkpoint: (step: number) => join(checkpoints, stepName(step)),
    metrics: join(root, "metrics.jsonl"),
    /** A checkpoint's saved network (model.json, weights.bin, metadata.json). */
    network: (step: number, role: "generator" | "discriminator") => join(checkpoints, stepName(step), role),
    samplesRoot,
    samples: (step: number) => join(samplesRoot, stepName(step)),
    evalRoot,
    /** `vox eval`'s report of a step, and the folder of the WAVs it scored. */
    evalReport: (step: number) => join(evalRoot, `${stepName(step)}.json`),
    evalFiles: (step: number) => join(evalRoot, stepName(step)),
    training: join(root, "training.json"),
    statistics: join(root, "statistics.json"),
    /** Held by the process training the run (see acquireRunLock). */
    lock: join(root, "train.lock"),
  };
}

/** Everything a run was made with: written once when it starts, read back by resume, convert, eval and report. */
export interface RunRecord {
  format: "vox-run";
  version: 1;
  createdAt: string;
  /** The feature cache trained on. */
  data: string;
  config: TrainConfig;
  /** Generator steps the run trains for (from `steps`, or `epochs` over the training utterances). */
  totalSteps: number;
  model: ModelConfig;
  featureSpec: FeatureSpec;
  speakers: string[];
  /** Held-out validation utterances (speaker/id), fixed by the seed. */
  validation: string[];
  versions: Record<string, string>;
}

/**
 * Makes the run folder before any work, or says why it cannot hold a run: a file in the way, a path that cannot be
 * created (under /proc), a folder that cannot be written.
 */
export async function createRunFolder(runDir: string): Promise<void> {
  const { root } = runPaths(runDir);
  try {
    await makeWritableFolder(root);
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    const found = code === "ENOTDIR" ? `a file in the way (${path ?? root})` : `${code ?? String(error)}`;
    throw new RunDirectoryError(root, "a folder a run can be created and written in", found);
  }
}

/**
 * A folder of the run written whole or not at all: `fill` writes into `<folder>.partial/` (a leftover of an
 * earlier kill is removed first), which is renamed to `folder` when complete, replacing an older one. Checkpoints
 * and sample sets are written this way, so a kill at any moment leaves nothing that looks finished.
 */
export async function writeFolderAtomic(folder: string, fill: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${folder}.partial`;
  await rm(partial, { recursive: true, force: true });
  await makeFolder(partial);
  await fill(partial);
  await rm(folder, { recursive: true, force: true });
  await rename(partial, folder);
}

export async function writeRunRecord(runDir: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(runPaths(runDir).config, `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * The parsed JSON of a run file; `missing` is returned when it does not exist (a clear error when not given), and
 * an unreadable or unparsable file is an error naming it.
 */
async function readRunJson<T>(path: string, what: string, missing?: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && missing !== undefined) return missing;
    throw new RunDirectoryError(path, what, code === "ENOENT" ? "no such file" : String(code));
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new RunDirectoryError(path, "JSON", `unparsable text (${(error as Error).message})`);
  }
}

export async function readRunRecord(runDir: string): Promise<RunRecord> {
  const path = runPaths(runDir).config;
  const record = await readRunJson<RunRecord>(path, "a vox run's config.json");
  if (record.format !== "vox-run" || record.version !== 1) {
    throw new RunDirectoryError(path, "format vox-run version 1", `${JSON.stringify(record.format)} ${record.version}`);
  }
  record.config = validateTrainConfig(record.config, path);
  return record;
}

/** One line of metrics.jsonl. */
export interface MetricsLine {
  step: number;
  /** Training seconds so far, across resumes. */
  elapsedSeconds: number;
  stepsPerSecond: number;
  learningRate: { generator: number; discriminator: number };
  losses: Record<string, number>;
  wallTime: string;
}

export async function appendMetrics(runDir: string, lines: MetricsLine[]): Promise<void> {
  if (lines.length === 0) return;
  await mkdir(runPaths(runDir).root, { recursive: true });
  await appendFile(runPaths(runDir).metrics, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
}

export async function readMetrics(runDir: string): Promise<MetricsLine[]> {
  const text = await readFile(runPaths(runDir).metrics, "utf8").catch(() => "");
  const lines: MetricsLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line) as MetricsLine);
    } catch {
      // A line cut short by a kill, or one damaged by hand: skipped, every parseable line around it kept.
    }
  }
  return lines;
}

/** Keeps metrics up to `step` (a resume redoes the steps after its checkpoint; their old lines go). */
export async function truncateMetrics(runDir: string, step: number): Promise<void> {
  const kept = (await readMetrics(runDir)).filter((line) => line.step <= step);
  await writeFile(runPaths(runDir).metrics, kept.map((line) => `${JSON.stringify(line)}\n`).join(""));
}

/**
 * The feature statistics of a run's training utterances, per speaker, and the normalisation the networks were
 * trained with: what conversion needs besides the generator (scaling, the F0 transform, the mean/variance
 * baseline). Runs made before this file existed have none: their networks saw unscaled unit-scale features.
 */
export interface RunStatistics {
  format: "vox-statistics";
  version: 1;
  normalization: FeatureNormalization;
  speakers: Record<string, SpeakerFeatureStatistics>;
}

export async function writeRunStatistics(runDir: string, statistics: RunStatistics): Promise<void> {
  await writeFileAtomic(runPaths(runDir).statistics, `${JSON.stringify(statistics)}\n`);
}

/** The run's statistics; null for a run made before they were saved. */
export async function readRunStatistics(runDir: string): Promise<RunStatistics | null> {
  const path = runPaths(runDir).statistics;
  const value = await readRunJson<RunStatistics | null>(path, "the run's statistics.json", null);
  if (value === null) return null;
  if (value.format !== "vox-statistics" || value.version !== 1) {
    throw new RunDirectoryError(path, "format vox-statistics version 1", JSON.stringify(value.format));
  }
  if (!(featureNormalizations as readonly string[]).includes(value.normalization)) {
    throw new RunDirectoryError(
      `${path}.normalization`,
      `one of ${featureNormalizations.join(", ")}`,
      JSON.stringify(value.normalization),
    );
  }
  return value;
}

/** {@link runConversion} of the run in `runDir` (postfilter: the run's, unless given). */
export async function openRunConversion(
  runDir: string,
  record: Pick<RunRecord, "featureSpec" | "speakers" | "config">,
  postfilter?: ConversionPostfilter,
): Promise<RunConversion> {
  return runConversion(
    record.featureSpec,
    record.speakers,
    await readRunStatistics(runDir),
    postfilter ?? record.config.postfilter,
  );
}

/** A run's feature cache as its training split it: the store, and its utterances held out and trained on. */
export interface RunFeatures {
  store: FeatureStore;
  /** Every utterance of the cache. */
  utterances: CachedUtterance[];
  /** The run's validation split (record.validation), in cache order. */
  heldOut: CachedUtterance[];
  /** The rest: the utterances the run trained on. */
  training: CachedUtterance[];
}

/**
 * The run's feature cache (record.data) opened with the run's crop, validation fraction and seed, its utterances
 * split as training split them: what eval and the experiments convert and classify.
 */
export async function openRunFeatures(record: Pick<RunRecord, "data" | "config" | "validation">): Promise<RunFeatures> {
  const index = await readCacheIndex(record.data);
  if (!index) throw new RunDirectoryError(record.data, "the run's feature cache (its index.json)", "none");
  const store = await FeatureStore.open(record.data, { ...featureStoreOptions(record.config), minSpeakerFrames: 1 });
  const held = new Set(record.validation);
  const isHeld = (u: CachedUtterance) => held.has(`${u.speaker}/${u.id}`);
  return {
    store,
    utterances: index.utterances,
    heldOut: index.utterances.filter(isHeld),
    training: index.utterances.filter((u) => !isHeld(u)),
  };
}

/**
 * The record of `memberDir`, a run to convert beside `record`'s as one ensemble (averagedGenerator): runs of one
 * recipe that differ in seed alone. Their features, speakers, validation sentences (splitSeed), normalisation and
 * generator must be `record`'s; anything else is an error naming the member's config.json and the field.
 */
export async function readEnsembleMember(
  record: Pick<RunRecord, "featureSpec" | "speakers" | "validation" | "config" | "model">,
  memberDir: string,
): Promise<RunRecord> {
  const member = await readRunRecord(memberDir);
  const fields: [string, unknown, unknown][] = [
    ["featureSpec", record.featureSpec, member.featureSpec],
    ["speakers", record.speakers, member.speakers],
    ["validation", record.validation, member.validation],
    ["normalization", record.config.normalization, member.config.normalization],
    ["model.generator", record.model.generator, member.model.generator],
  ];
  for (const [field, expected, found] of fields) {
    if (JSON.stringify(expected) !== JSON.stringify(found)) {
      throw new RunDirectoryError(
        `${runPaths(memberDir).config}: ${field}`,
        `the first run's (an ensemble's runs differ in seed alone): ${JSON.stringify(expected)}`,
        JSON.stringify(found),
      );
    }
  }
  return member;
}

/** The lock of a run being trained: released by `release()` (a killed process leaves a stale one behind). */
export interface RunLock {
  release(): void;
}

interface LockFile {
  pid: number;
  host: string;
  since: string;
}

/** True when a process of this id runs on this machine (EPERM: it runs, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the run's lock (train.lock: pid, host, since), so two trainers never write one run. A lock held by a
 * live process refuses with its pid; one left by a process that is gone (kill -9, a crash) is taken over and
 * `log` says so. Another host's lock is honoured: its process cannot be checked from here.
 */
export async function acquireRunLock(runDir: string, log: (line: string) => void): Promise<RunLock> {
  const path = runPaths(runDir).lock;
  const mine: LockFile = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${JSON.stringify(mine)}\n`);
      await handle.close();
      return {
        release: () => {
          try {
            unlinkSync(path);
          } catch {
            // already gone (the run folder was removed): nothing to release
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new RunDirectoryError(
          path,
          "to create the run's lock",
          String((error as NodeJS.ErrnoException).code ?? error),
        );
      }
    }
    const text = await readFile(path, "utf8").catch(() => "");
    let held: LockFile | null = null;
    try {
      held = JSON.parse(text) as LockFile;
    } catch {
      held = null; // a lock cut short while being written: its process never trained
    }
    if (held && typeof held.pid === "number" && (held.host !== mine.host || processAlive(held.pid))) {
      throw new RunDirectoryError(
        runPaths(runDir).root,
        "no other trainer on this run",
        `process ${held.pid} on ${held.host} training it since ${held.since} (${path}); wait for it to stop, or stop it`,
      );
    }
    log(`${path}: taking over the lock of process ${held?.pid ?? "?"}, which is gone`);
    try {
      unlinkSync(path);
    } catch {
      // another trainer took it over first: the next attempt finds its lock
    }
  }
  throw new RunDirectoryError(path, "to take the run's lock", "another trainer taking it at once");
}

/** What a finished run took: written to training.json when the last step is done. */
export interface TrainingSummary {
  steps: number;
  elapsedSeconds: number;
  finishedAt: string;
  backend: string;
}

export async function writeTrainingSummary(runDir: string, summary: TrainingSummary): Promise<void> {
  await writeFileAtomic(runPaths(runDir).training, `${JSON.stringify(summary, null, 2)}\n`);
}

/** The finished run's summary; null while it has not finished (no training.json). */
export async function readTrainingSummary(runDir: string): Promise<TrainingSummary | null> {
  return readRunJson<TrainingSummary | null>(runPaths(runDir).training, "a finished run's training.json", null);
}

/** Training seconds so far: the finished run's summary, else the last metrics line; null before any step. */
export function trainingSeconds(summary: TrainingSummary | null, metrics: readonly MetricsLine[]): number | null {
  return summary?.elapsedSeconds ?? metrics[metrics.length - 1]?.elapsedSeconds ?? null;
}

/** Steps named by a run subfolder's numbered entries (`00000600`, or `00000600.json` with `suffix`), oldest first. */
async function numberedSteps(folder: string, suffix: string, what: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    // No folder yet is none of them; any other failure must not pass for none (a resume would start over and
    // drop the metrics).
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new RunDirectoryError(
        folder,
        `a readable folder of ${what}`,
        (error as NodeJS.ErrnoException).code ?? (error as Error).message,
      );
    }
    return [];
  }
  return names
    .filter((name) => name.endsWith(suffix) && /^\d+$/.test(name.slice(0, name.length - suffix.length)))
    .map((name) => Number(name.slice(0, name.length - suffix.length)))
    .sort((a, b) => a - b);
}

/** Steps of the complete checkpoints of a run, oldest first (half-written `.partial` folders are not listed). */
export function listCheckpoints(runDir: string): Promise<number[]> {
  return numberedSteps(runPaths(runDir).checkpoints, "", "checkpoints");
}

/** Steps with a sample set, oldest first. */
export function listSampleSteps(runDir: string): Promise<number[]> {
  return numberedSteps(runPaths(runDir).samplesRoot, "", "sample sets");
}

/** Steps `vox eval` has reported on, oldest first. */
export function listEvalReports(runDir: string): Promise<number[]> {
  return numberedSteps(runPaths(runDir).evalRoot, ".json", "eval reports");
}

/** Parameters of a checkpoint's network (weights.bin is raw float32; moving statistics included); null if missing. */
export async function networkParameterCount(
  runDir: string,
  step: number,
  role: "generator" | "discriminator",
): Promise<number | null> {
  const info = await stat(join(runPaths(runDir).network(step, role), "weights.bin")).catch(() => undefined);
  return info ? info.size / 4 : null;
}

/** Writes `vox eval`'s report of `step` (atomically: a reader never sees half of one). */
export async function writeEvalReport(runDir: string, step: number, report: unknown): Promise<void> {
  await writeFileAtomic(runPaths(runDir).evalReport(step), `${JSON.stringify(report, null, 2)}\n`);
}

/** The JSON report `vox eval` wrote for `step` (its shape is @vox/eval's EvalReport). */
export function readEvalReport<T>(runDir: string, step: number): Promise<T> {
  return readRunJson<T>(runPaths(runDir).evalReport(step), "a vox eval report");
}
