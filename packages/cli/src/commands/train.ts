import {
  abortOnSignals,
  openTrainingData,
  parseOverrides,
  readRunRecord,
  resolveTrainConfig,
  resumedConfig,
  StarGanTrainer,
  stderrTrainProgress,
  type TrainConfig,
  totalStepsOf,
} from "@vox/train";
import { CliError } from "../errors.js";
import { note, output, numberFlag } from "../io.js";

export interface TrainFlags {
  data?: string;
  preset?: string;
  run?: string;
  resume?: string;
  config?: string;
  set?: string[];
  steps?: string;
  backend?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function trainCommand(flags: TrainFlags): Promise<void> {
  const overrides = parseOverrides(flags.set ?? []);
  if (flags.steps !== undefined) overrides.steps = numberFlag("--steps", flags.steps, { integer: true, min: 1 });
  if (flags.backend !== undefined) overrides.backend = flags.backend;
  if (flags.dryRun) return dryRun(flags, overrides);
  let trainer: StarGanTrainer;
  if (flags.resume) {
    trainer = await StarGanTrainer.resume(flags.resume, overrides);
  } else {
    if (!flags.data || !flags.run) {
      throw new CliError(
        "vox train",
        "--data <cache> and --run <dir> (or --resume <dir>)",
        flags.data ? "no --run" : "no --data",
      );
    }
    const config = await resolveTrainConfig({
      preset: flags.preset ?? "tiny",
      ...(flags.config ? { configFile: flags.config } : {}),
      overrides,
    });
    trainer = await StarGanTrainer.create(flags.run, flags.data, config);
  }
  note(
    `train: ${trainer.config.preset} on ${trainer.backend}, ${trainer.store.speakerMap.size} speakers, step ${trainer.step} of ${trainer.record.totalSteps} -> ${trainer.runDir}`,
  );
  const { signal, dispose } = abortOnSignals();
  try {
    const result = await trainer.train({ signal, onProgress: flags.json ? undefined : stderrTrainProgress() });
    output(
      flags.json === true,
      { run: trainer.runDir, ...result },
      `${trainer.runDir}: ${result.stopped === "done" ? "finished" : "stopped"} at step ${result.step}/${result.totalSteps} after ${result.elapsedSeconds.toFixed(1)} s of training${result.stopped === "signal" ? ` (resume: vox train --resume ${trainer.runDir})` : ""}`,
    );
  } finally {
    dispose();
    trainer.dispose();
  }
}

/**
 * `--dry-run`: the config the run would train with (the preset's defaults, --config, --set and --steps merged and
 * validated; for --resume the run's own with the overrides, as a resume checks them) and, given the data, the
 * model and total steps, from the same code training uses. Reads the cache's index only; writes nothing.
 */
async function dryRun(flags: TrainFlags, overrides: Record<string, unknown>): Promise<void> {
  let config: TrainConfig;
  let totalSteps: number | null = null;
  let data = flags.data;
  if (flags.resume) {
    const record = await readRunRecord(flags.resume);
    ({ config, totalSteps } = resumedConfig(record, overrides));
    data = record.data;
  } else {
    config = await resolveTrainConfig({
      preset: flags.preset ?? "tiny",
      ...(flags.config ? { configFile: flags.config } : {}),
      overrides,
    });
  }
  let resolved: Record<string, unknown> = { config };
  if (data) {
    const { store, model } = await openTrainingData(data, config);
    resolved = {
      ...resolved,
      data,
      speakers: [...store.speakerMap.speakers],
      totalSteps: totalSteps ?? totalStepsOf(config, store.train.length),
      model,
    };
  }
  // The config is the point of a dry run: JSON either way (--json only drops the trailing note).
  output(true, resolved, "");
  if (!flags.json) note("train --dry-run: nothing was written; drop --dry-run to train");
}
