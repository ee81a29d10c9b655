/** A mistake in what the user asked for (a missing run, an unknown speaker, a bad path): exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/**
 * Errors the user can fix from the message alone: typed errors of every vox package, and the CLI's own. The
 * packages' error classes are imported here, on the error path, so `vox --version` and `--help` load none of
 * them (@vox/models alone brings TensorFlow.js, a second of start-up). An error from a package that is not yet
 * loaded cannot be an instance of its class, and the imports cost nothing once loaded.
 */
export async function isUserError(error: unknown): Promise<boolean> {
  if (error instanceof CliError) return true;
  if (!(error instanceof Error)) return false;
  if (/^\S+: expected /.test(error.message)) return true;
  const [{ DatasetError }, { DspError }, { ModelError }, { TrainError }] = await Promise.all([
    import("@vox/datasets"),
    import("@vox/dsp"),
    import("@vox/models"),
    import("@vox/train"),
  ]);
  return (
    error instanceof DatasetError ||
    error instanceof DspError ||
    error instanceof TrainError ||
    error instanceof ModelError
  );
}

/** Exit code of an error: 1 for user errors, 2 for internal ones. */
export async function exitCode(error: unknown): Promise<1 | 2> {
  return (await isUserError(error)) ? 1 : 2;
}
