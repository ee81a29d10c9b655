import { readdir } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { EvalReport } from "@vox/eval";
import {
  listCheckpoints,
  listEvalReports,
  listSampleSteps,
  type MetricsLine,
  networkParameterCount,
  type RunRecord,
  readEvalReport,
  readMetrics,
  readRunRecord,
  readTrainingSummary,
  runPaths,
  type TrainingSummary,
  trainingSeconds as runTrainingSeconds,
} from "@vox/train/run";

/** Everything the experiment record shows, read from the run folder alone (through @vox/train/run). */
export interface RunSummary {
  root: string;
  name: string;
  record: RunRecord;
  metrics: MetricsLine[];
  training: TrainingSummary | null;
  parameters: { generator: number | null; discriminator: number | null };
  checkpoint: number | null;
  samples: { step: number; files: string[] } | null;
  evaluation: EvalReport | null;
}

export async function collectRun(runDir: string): Promise<RunSummary> {
  const root = resolve(runDir);
  const paths = runPaths(root);
  const record = await readRunRecord(root);
  const metrics = await readMetrics(root);
  const training = await readTrainingSummary(root);
  const last = (await listCheckpoints(root)).at(-1);
  const parameters = {
    generator: last === undefined ? null : await networkParameterCount(root, last, "generator"),
    discriminator: last === undefined ? null : await networkParameterCount(root, last, "discriminator"),
  };
  const sampleStep = (await listSampleSteps(root)).at(-1);
  const samples =
    sampleStep === undefined
      ? null
      : {
          step: sampleStep,
          files: (await readdir(paths.samples(sampleStep)))
            .sort()
            .map((f) => relative(root, join(paths.samples(sampleStep), f))),
        };
  const evalStep = (await listEvalReports(root)).at(-1);
  const evaluation = evalStep === undefined ? null : await readEvalReport<EvalReport>(root, evalStep);
  return {
    root,
    // The folder and its parent ("demo/run", "runs/vctk"): run folders are often named just "run".
    name: `${basename(dirname(root))}/${basename(root)}`,
    record,
    metrics,
    training,
    parameters,
    checkpoint: last ?? null,
    samples,
    evaluation,
  };
}

/** Training seconds: the finished run's record, else the last metrics line. */
export function trainingSeconds(run: RunSummary): number | null {
  return runTrainingSeconds(run.training, run.metrics);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "-";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}
