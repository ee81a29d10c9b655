export {
  AudioFileError,
  CorpusLayoutError,
  DatasetError,
  FeatureCacheError,
  SpeakerError,
} from "./errors.js";
export {
  audioExtensions,
  audioStem,
  type Corpus,
  type CorpusLayout,
  type CorpusSplit,
  type CorpusSplitChoice,
  corpusLayouts,
  corpusSplits,
  listAudioRecursive,
  type Utterance,
} from "./corpus.js";
export { type DetectedCorpus, detectCorpus, type ReadCorpusOptions, readCorpus } from "./detect.js";
export { SpeakerMap } from "./speaker-map.js";
export { conditionAudio, decodeAudioBytes } from "./audio-bytes.js";
export { readAudioFile, readConditionedAudio, requireAudible } from "./audio.js";
export {
  audiblePeakDbfs,
  type LoudnessOptions,
  loudnessGain,
  nonSilentRange,
  peakDbfs,
  type TrimOptions,
} from "./conditioning.js";
export { decodeFloat16, encodeFloat16 } from "./float16.js";
export { type FeatureDtype, readFeatureFileHeader } from "./feature-file.js";
export {
  type CacheIndex,
  type CachedUtterance,
  readCacheIndex,
  type SpeakerStatistics,
} from "./cache-index.js";
export { defaultPreparation, type PreparationSettings } from "./process-utterance.js";
export { type PrepareOptions, type PrepareSummary, prepareFeatures } from "./prepare.js";
export { forEachConcurrently } from "./concurrency.js";
export { type PrepareProgress, stderrProgress, stderrStatus } from "./progress.js";
export { type Split, sentenceKey, splitBySentence } from "./split.js";
export { type FeatureBatch, FeatureStore, type FeatureStoreOptions } from "./feature-store.js";
export { demoCorpusPath } from "./demo.js";
export { type WorkerEntry, workerEntry } from "./worker-pool.js";
