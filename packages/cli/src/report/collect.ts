import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { EvalReport } from "@vox/eval";
import type { MetricsLine, RunRecord } from "@vox/train";
import { readMetrics, readRunRecord } from "@vox/train";

/** Everything the experiment record shows, read from the run folder alone. */
export interface RunSummary {
  root: string;
  name: string;
  record: RunRecord;
  metrics: MetricsLine[];
  training: { steps: number; elapsedSeconds: number; finishedAt: string; backend: string } | null;
  parameters: { generator: number | null; discriminator: number | null };
  checkpoint: number | null;
  samples: { step: number; files: string[] } | null;
  evaluation: EvalReport | null;
}

async function numberedEntries(path: string, pattern: RegExp): Promise<string[]> {
  return (await readdir(path).catch(() => [] as string[])).filter((n) => pattern.test(n)).sort();
}

async function weightCount(path: string): Promise<number | null> {
  const info = await stat(path).catch(() => undefined);
  return info ? info.size / 4 : null;
}

export async function collectRun(runDir: string): Promise<RunSummary> {
  const root = resolve(runDir);
  const record = await readRunRecord(root);
  const metrics = await readMetrics(root);
  const training = await readFile(join(root, "training.json"), "utf8")
    .then((text) => JSON.parse(text) as RunSummary["training"])
    .catch(() => null);
  const checkpoints = await numberedEntries(join(root, "checkpoints"), /^\d+$/);
  const last = checkpoints[checkpoints.length - 1];
  // Weight files are raw float32: their size is the parameter count (moving statistics included).
  const parameters = {
    generator: last ? await weightCount(join(root, "checkpoints", last, "generator", "weights.bin")) : null,
    discriminator: last ? await weightCount(join(root, "checkpoints", last, "discriminator", "weights.bin")) : null,
  };
  const sampleSteps = await numberedEntries(join(root, "samples"), /^\d+$/);
  const sampleStep = sampleSteps[sampleSteps.length - 1];
  const samples = sampleStep
    ? {
        step: Number(sampleStep),
        files: (await readdir(join(root, "samples", sampleStep))).sort().map((f) => `samples/${sampleStep}/${f}`),
      }
    : null;
  const evals = await numberedEntries(join(root, "eval"), /^\d+\.json$/);
  const evalFile = evals[evals.length - 1];
  const evaluation = evalFile ? (JSON.parse(await readFile(join(root, "eval", evalFile), "utf8")) as EvalReport) : null;
  return {
    root,
    // The folder and its parent ("demo/run", "runs/vctk"): run folders are often named just "run".
    name: `${basename(dirname(root))}/${basename(root)}`,
    record,
    metrics,
    training,
    parameters,
    checkpoint: last ? Number(last) : null,
    samples,
    evaluation,
  };
}

/** Training seconds: the finished run's record, else the last metrics line. */
export function trainingSeconds(run: RunSummary): number | null {
  return run.training?.elapsedSeconds ?? run.metrics[run.metrics.length - 1]?.elapsedSeconds ?? null;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "-";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}
