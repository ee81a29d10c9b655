export { type AsrCommand, findAsr, parseAsrCommand, pocketsphinx, transcribe } from "./asr.js";
export { type Cepstra, cepstrumAnalysis, melCepstra } from "./cepstrum.js";
export { type DtwResult, dtw, euclidean } from "./dtw.js";
export { type McdResult, mcdConstant, mcdDtw, mcdDtwAudio } from "./mcd.js";
export { cer, editDistance, normalizeText, wer } from "./wer.js";
export {
  type ClassifierOptions,
  DiagonalGmm,
  type FrameMatrix,
  SpeakerClassifier,
  speakerFrames,
} from "./speaker-classifier.js";
export {
  type EvalReport,
  type EvaluateOptions,
  type OutsideReport,
  evaluateRun,
  formatEvalTable,
  type PairScore,
  type SystemName,
  type SystemSummary,
  systems,
} from "./evaluate.js";
export { mcdDtwWorldAudio, worldCepstrumAnalysis, worldMelCepstra } from "./world-cepstrum.js";
export { readTranscripts } from "./transcripts.js";
export { ScoringError } from "./errors.js";
