import { DatasetError } from "@vox/datasets";
import { DspError } from "@vox/dsp";
import { ModelError } from "@vox/models";
import { TrainError } from "@vox/train";

/** A mistake in what the user asked for (a missing run, an unknown speaker, a bad path): exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** Errors the user can fix from the message alone: typed errors of every vox package, and the CLI's own. */
export function isUserError(error: unknown): boolean {
  return (
    error instanceof CliError ||
    error instanceof DatasetError ||
    error instanceof DspError ||
    error instanceof TrainError ||
    error instanceof ModelError ||
    (error instanceof Error && /^\S+: expected /.test(error.message))
  );
}

/** Exit code of an error: 1 for user errors, 2 for internal ones. */
export function exitCode(error: unknown): 1 | 2 {
  return isUserError(error) ? 1 : 2;
}
