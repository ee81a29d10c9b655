import { parseOverrides, resolveTrainConfig, StarGanTrainer, abortOnSignals, stderrTrainProgress } from "@vox/train";
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
  json?: boolean;
}

export async function trainCommand(flags: TrainFlags): Promise<void> {
  const overrides = parseOverrides(flags.set ?? []);
  if (flags.steps !== undefined) overrides.steps = numberFlag("--steps", flags.steps, { integer: true, min: 1 });
  if (flags.backend !== undefined) overrides.backend = flags.backend;
  let trainer: StarGanTrainer;
  if (flags.resume) {
    trainer = await StarGanTrainer.resume(flags.resume, overrides);
  } else {
    if (!flags.data || !flags.run) {
      throw new CliError(
        "vox train: expected --data <cache> and --run <dir> (or --resume <dir>), found " +
          (flags.data ? "no --run" : "no --data"),
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
