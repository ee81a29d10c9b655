// The errors subpath alone (no DSP code): `vox --help` and `--version` stay instant.
import { VoxError } from "@vox/dsp/errors";

/**
 * A mistake in what the user asked for (a missing run, an unknown speaker, a bad path, a flag's value): exit
 * code 1. Its message starts with where (the flag, the path): `--steps: expected an integer >= 1, found "x"`.
 */
export class CliError extends VoxError {
  override name = "CliError";
}

/**
 * Errors the user can fix from the message alone: every vox package's errors extend @vox/dsp's VoxError (each
 * says where, what was expected and what was found); anything else is a bug.
 */
export function isUserError(error: unknown): boolean {
  return error instanceof VoxError;
}

/** Exit code of an error: 1 for user errors, 2 for internal ones. */
export async function exitCode(error: unknown): Promise<1 | 2> {
  return isUserError(error) ? 1 : 2;
}
