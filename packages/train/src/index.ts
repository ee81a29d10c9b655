export { NonFiniteLossError, TrainConfigError, TrainError } from "./errors.js";
export {
  type OptimizerConfig,
  parseOverrides,
  presetTrainDefaults,
  type ResolveOptions,
  resolveTrainConfig,
  type TrainConfig,
  trainConfigSchema,
  validateTrainConfig,
} from "./config.js";
export * as losses from "./losses.js";
export { Optimizer, type OptimizerState } from "./optimizers.js";
export { loadCheckpoint, saveCheckpoint, type TrainingState } from "./checkpoint.js";
// The run folder: the TensorFlow-free part, also @vox/train/run.
export * from "./run-folder.js";
export { resolveNormalization, runModelConfig, trainingStatistics } from "./statistics.js";
export { sampleTargets, sampleUtterances, writeSamples } from "./samples.js";
export { formatProgress, stderrTrainProgress, type TrainProgress } from "./progress.js";
export { abortOnSignals } from "./signals.js";
export {
  openTrainingData,
  resumedConfig,
  StarGanTrainer,
  totalStepsOf,
  type TrainOptions,
  type TrainResult,
} from "./trainer.js";
export {
  demoRecipe,
  ensembleRecipe,
  longerRecipe,
  memberSeeds,
  type Recipe,
  type RecipeName,
  recipes,
} from "./recipes.js";
