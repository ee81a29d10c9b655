import { problemList, VoxError } from "@vox/dsp/errors";

/** Typed errors of @vox/train: what was expected, what was found, and where (a config field, a run folder, a step). */
export class TrainError extends VoxError {
  override name = "TrainError";
}

/** A TrainConfig with wrong fields; `problems` lists every one, each naming its field. */
export class TrainConfigError extends TrainError {
  override name = "TrainConfigError";
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(problems[0]?.split(":")[0] ?? source, `a valid training config (${source})`, problemList(problems));
  }
}

/** A loss became NaN or infinite; training stopped and the last good checkpoint is kept. */
export class NonFiniteLossError extends TrainError {
  override name = "NonFiniteLossError";
  constructor(
    readonly step: number,
    readonly loss: string,
    readonly value: number,
    readonly lastCheckpoint: number | null,
  ) {
    const resume =
      lastCheckpoint === null
        ? "No checkpoint was written yet."
        : `The last good checkpoint (step ${lastCheckpoint}) is kept: resume it with a lower learning rate, e.g. \`vox train --resume <run> --set generatorOptimizer.learningRate=...\`.`;
    super(`step ${step}`, "finite losses", `${loss} = ${value}`, resume);
    // Said as what happened, not as expected/found: the run stopped, the user reads on to resume it.
    this.message = `step ${step}: loss ${loss} is ${value}; training stopped. ${resume}`;
  }
}

/** A run folder that cannot be used: missing, already holding another run, or damaged. */
export class RunDirectoryError extends TrainError {
  override name = "RunDirectoryError";
}
