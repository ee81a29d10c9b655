import { type ConversionPostfilter, type FeatureSpec, ModelFeatureMap, type SpeakerFeatureStatistics } from "@vox/dsp";
import type { RunStatistics } from "./run-directory.js";

// @vox/train/conversion: no file system and no TensorFlow, so a page built by `vox export-web` converts through
// the same feature map as `vox convert` (statistics.json itself is run-directory.ts's to read and write).

/** What converting with a run needs: the feature map the networks were trained through and each speaker's statistics. */
export interface RunConversion {
  map: ModelFeatureMap;
  statistics: RunStatistics | null;
  /** The statistics of a run speaker (null when the run has none). */
  speaker(id: string): SpeakerFeatureStatistics | null;
}

export function runConversion(
  spec: FeatureSpec,
  speakers: readonly string[],
  statistics: RunStatistics | null,
  postfilter: ConversionPostfilter = "none",
): RunConversion {
  const list = statistics ? speakers.map((id) => statistics.speakers[id]).filter((s) => s !== undefined) : [];
  const map = new ModelFeatureMap(spec, statistics?.normalization ?? "none", list, postfilter);
  return { map, statistics, speaker: (id) => statistics?.speakers[id] ?? null };
}
