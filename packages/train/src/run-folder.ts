/**
 * @vox/train/run: the run folder, read and written only here (config.json, statistics.json, metrics.jsonl,
 * checkpoints/, samples/, eval/, training.json), without TensorFlow (nothing here loads tfjs): what eval, the
 * CLI's report and convert read a run through. Loading a checkpoint's networks is @vox/train's own
 * (loadCheckpoint) or @vox/models' (loadModel on {@link runPaths}' `network`).
 */
export { RunDirectoryError } from "./errors.js";
export {
  listCheckpoints,
  listEvalReports,
  listSampleSteps,
  type MetricsLine,
  networkParameterCount,
  openRunConversion,
  openRunFeatures,
  readEnsembleMember,
  readEvalReport,
  readMetrics,
  readRunRecord,
  readRunStatistics,
  readTrainingSummary,
  type RunConversion,
  type RunFeatures,
  type RunRecord,
  type RunStatistics,
  runConversion,
  runPaths,
  type TrainingSummary,
  trainingSeconds,
  writeEvalReport,
} from "./run-directory.js";
