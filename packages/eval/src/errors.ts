import { VoxError } from "@vox/dsp/errors";

/** Typed errors of @vox/eval: a run, a transcript file or a recordings folder that cannot be scored, and where. */
export class ScoringError extends VoxError {
  override name = "ScoringError";
}
