import type { FeatureStore } from "@vox/datasets";
import {
  type FeatureNormalization,
  FeatureStatisticsAccumulator,
  type FeatureSpec,
  generatorOutput,
  modelFeatureRows,
} from "@vox/dsp";
import { type ModelConfig, presetConfig, validateModelConfig } from "@vox/models";
import { deepMerge, type TrainConfig } from "./config.js";
import { TrainConfigError } from "./errors.js";
import type { RunStatistics } from "./run-directory.js";

/** The normalisation a run uses: the config's, or by default none for linear/mel and global for world features. */
export function resolveNormalization(configured: FeatureNormalization | null, spec: FeatureSpec): FeatureNormalization {
  return configured ?? (spec.kind === "world" ? "global" : "none");
}

/**
 * The model a run of `config` builds for features of `spec` and `speakers` speakers: its preset sized to the rows
 * the networks see, the labels (config.numLabels, at least one per speaker), the crop, and the output activation
 * its normalisation needs.
 */
export function runModelConfig(config: TrainConfig, spec: FeatureSpec, speakers: number): ModelConfig {
  if (config.numLabels !== null && config.numLabels < speakers) {
    throw new TrainConfigError("config", [
      `numLabels: expected at least the corpus' ${speakers} speakers (one label each), found ${config.numLabels}`,
    ]);
  }
  const preset = presetConfig(config.preset, {
    numLabels: config.numLabels ?? speakers,
    bins: modelFeatureRows(spec),
    frames: config.cropFrames,
    output: generatorOutput(spec, resolveNormalization(config.normalization, spec)),
  });
  if (Object.keys(config.model).length === 0) return preset;
  return validateModelConfig(deepMerge(preset, config.model), "config.model");
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
