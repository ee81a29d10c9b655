import { VoxError } from "@vox/dsp/errors";

/** Typed errors of @vox/models: what was expected, what was found, and where. */
export class ModelError extends VoxError {
  override name = "ModelError";
}

/** A backend that was asked for by name and could not be started. */
export class BackendUnavailableError extends ModelError {
  override name = "BackendUnavailableError";
}

/** A model config with a wrong field, or weights that do not fit the model they are loaded into. */
export class ModelConfigError extends ModelError {
  override name = "ModelConfigError";
}
