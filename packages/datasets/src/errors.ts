import { VoxError } from "@vox/dsp/errors";

/**
 * Typed errors of @vox/datasets. Each says what was expected, what was found, and where (a corpus folder, a file,
 * a speaker id or an option), so a researcher can fix the input without reading our source.
 */
export class DatasetError extends VoxError {
  override name = "DatasetError";
}

/** No known corpus layout matches a folder; `reasons` says, per layout, why not. */
export class CorpusLayoutError extends DatasetError {
  override name = "CorpusLayoutError";
  constructor(
    root: string,
    readonly reasons: Record<string, string>,
  ) {
    const why = Object.entries(reasons)
      .map(([layout, reason]) => `${layout}: ${reason}`)
      .join("; ");
    super(root, "a speech corpus in a known layout", `none (${why})`);
  }
}

/** A speaker id that the corpus, cache or speaker map does not have (or has too little audio of). */
export class SpeakerError extends DatasetError {
  override name = "SpeakerError";
}

/** An audio file that cannot be decoded or is unusable (empty, silent, too short). */
export class AudioFileError extends DatasetError {
  override name = "AudioFileError";
}

/** A feature cache that is missing, corrupt, or made with other settings. */
export class FeatureCacheError extends DatasetError {
  override name = "FeatureCacheError";
}
