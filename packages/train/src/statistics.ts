import type { FeatureStore } from "@vox/datasets";
import { type FeatureNormalization, FeatureStatisticsAccumulator, type FeatureSpec } from "@vox/dsp";
import type { RunStatistics } from "./run-directory.js";

/** The normalisation a run uses: the config's, or by default none for linear/mel and global for world features. */
export function resolveNormalization(configured: FeatureNormalization | null, spec: FeatureSpec): FeatureNormalization {
  return configured ?? (spec.kind === "world" ? "global" : "none");
}

/** Per-speaker statistics of every training utterance in `store` (held-out sentences excluded). */
export function trainingStatistics(store: FeatureStore, normalization: FeatureNormalization): RunStatistics {
  const speakers: RunStatistics["speakers"] = {};
  store.speakerMap.speakers.forEach((speaker, label) => {
    const accumulator = new FeatureStatisticsAccumulator(store.spec);
    for (const utterance of store.utterancesOf(label)) accumulator.add(store.readUtterance(utterance));
    speakers[speaker] = accumulator.result();
  });
  return { format: "vox-statistics", version: 1, normalization, speakers };
}
