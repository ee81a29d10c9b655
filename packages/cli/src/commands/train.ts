import type { StarGanTrainer, TrainConfig } from "@vox/train";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { note, numberOption, output } from "../io.js";

export interface TrainFlags {
  data?: string;
  preset?: string;
  run?: string;
  resume?: string;
  config?: string;
  set?: string[];
  steps?: number;
  backend?: string;
  dryRun?: boolean;
  json?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `vox train`: its options, each number parsed once as the command line is read. */
export function addTrainCommand(vox: Command): void {
  vox
    .command("train")
    .addHelpText(
      "after",
      `\nExamples:\n  $ vox train --data data/vctk --preset tiny-cepstral --run runs/vctk --steps 2000 --set lambda.identity=5\n  $ vox train --data data/vctk --preset stargan-vc --run runs/vc --dry-run\n  $ vox train --resume runs/vctk --steps 4000`,
    )
    .description("train a StarGAN on a feature cache (or resume a run)")
    .option("--data <cache>", "feature cache from vox prepare")
    .option(
      "--preset <name>",
      "seed-31f31449, stargan-2018, stargan-vc, stargan-vc2, tiny, tiny-vc2, temporal or tiny-cepstral",
      "tiny",
    )
    .option("--run <dir>", "run folder to create")
    .option("--resume <dir>", "continue a run from its newest checkpoint")
    .option("--config <file>", "JSON TrainConfig fields over the preset's")
    .option("--set <path=value>", "override a config field (repeatable), e.g. --set lambda.identity=5", collect)
    .option("--steps <n>", "generator steps", numberOption("--steps", { integer: true, min: 1 }))
    .option("--backend <name>", "tensorflow-gpu, tensorflow, wasm or cpu")
    .option("--dry-run", "print the resolved config (and, with --data, the model and total steps) and exit")
    .option("--json", "print the result as JSON")
    .action((flags: TrainFlags) => trainCommand(flags));
}

export async function trainCommand(flags: TrainFlags): Promise<void> {
  const { abortOnSignals, parseOverrides, resolveTrainConfig, StarGanTrainer, stderrTrainProgress } = await import(
    "@vox/train"
  );
  const overrides = parseOverrides(flags.set ?? []);
  if (flags.steps !== undefined) overrides.steps = flags.steps;
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
  const { openTrainingData, readRunRecord, resolveTrainConfig, resumedConfig, totalStepsOf } = await import(
    "@vox/train"
  );
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
