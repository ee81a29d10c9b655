export { DspError, type ErrorDetail, InvalidArgumentError, VoxError, WavFormatError } from "./errors.js";
export { type DecodedWav, decodeWav, encodeWav, type MonoAudio, type WavBitDepth, type WavInfo } from "./wav.js";
export { type ResampleOptions, resample } from "./resample.js";
export { hannWindow } from "./window.js";
export type { ComplexSpectrogram, Spectrogram } from "./spectrogram.js";
export {
  frameCount,
  istft,
  type PadMode,
  type ResolvedStftOptions,
  resolveStftOptions,
  StftPlan,
  type StftOptions,
  stft,
  stftMagnitude,
} from "./stft.js";
export {
  applyFilterbank,
  hzToMel,
  type MelFilterbank,
  type MelFilterbankOptions,
  type MelNorm,
  type MelScale,
  melFilterbank,
  melToHz,
} from "./mel.js";
export { melSpectrogram, type MelSpectrogramOptions } from "./mel-spectrogram.js";
export { melToLinear, type MelToLinearOptions } from "./mel-inverse.js";
export {
  amplitudeToDb,
  dbToAmplitude,
  dbToPower,
  dbToUnit,
  type PowerToDbOptions,
  powerToDb,
  unitToDb,
} from "./db.js";
export { type GriffinLimOptions, griffinLim } from "./griffin-lim.js";
export {
  assertSameFeatureSpec,
  type FeatureSpec,
  FeatureSpecError,
  featureBins,
  featureSpecs,
  framesToSeconds,
  mel80FeatureSpec,
  parseFeatureSpec,
  seedFeatureSpec,
  serializeFeatureSpec,
  silenceFrame,
  silenceValue,
  validateFeatureSpec,
  WORLD_POWER_FLOOR,
  type WorldFeatureLayout,
  type WorldFeatureParameters,
  worldFeatureLayout,
  worldFeatureSpec,
} from "./feature-spec.js";
export {
  analyze,
  featuresPng,
  specFilterbank,
  spectrogramOfFeatures,
  type SynthesizeOptions,
  synthesize,
} from "./features.js";
export {
  type ColormapName,
  renderSpectrogramPng,
  type SpectrogramAxes,
  type SpectrogramPngOptions,
} from "./png.js";
export { spectralConvergence } from "./metrics.js";
export { Mulberry32, mulberry32 } from "./random.js";
export { type F0Options, f0, worldFrameCount, assertFinite } from "./world/f0.js";
export { type EnvelopeOptions, envelopeFftSize, spectralEnvelope } from "./world/envelope.js";
export {
  APERIODICITY_BAND_SPACING,
  type AperiodicityOptions,
  aperiodicity,
  bandAperiodicity,
  codeAperiodicity,
  decodeAperiodicity,
  defaultAperiodicityBands,
} from "./world/aperiodicity.js";
export {
  cepstrumOfLogAmplitude,
  fitMelAlpha,
  freqt,
  melCepstrum,
  melCepstrumAlpha,
  melCepstrumToEnvelope,
  SPTK_ALPHA_TABLE,
} from "./world/mel-cepstrum.js";
export { synthesizeWorld, type WorldSynthesisOptions } from "./world/synthesis.js";
export { melCepstrumWarpMatrix, VocalTractWarp } from "./world/vocal-tract-warp.js";
export {
  analyzeWorld,
  synthesizeWorldParameters,
  type WorldOptions,
  type WorldParameters,
} from "./world/analysis.js";
export { analyzeWorldFeatures, splitWorldFeatures, synthesizeWorldFeatures } from "./world/world-features.js";
export {
  FeatureStatisticsAccumulator,
  featureStatistics,
  likeliestSpeaker,
  speakerLikelihoods,
  type LogF0Statistics,
  meanVarianceShift,
  pooledRowStatistics,
  type RowStatistics,
  type SpeakerFeatureStatistics,
  transformLogF0,
  UNVOICED_LOG_F0,
} from "./feature-statistics.js";
export {
  type ConversionPostfilter,
  conversionPostfilters,
  type FeatureNormalization,
  featureNormalizations,
  generatorOutput,
  ModelFeatureMap,
  modelFeatureRows,
} from "./model-features.js";
