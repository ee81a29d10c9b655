// The browser-safe entry: no `node:` module is imported from here (file I/O, Node's backends and the native
// kernels are @vox/models/node).
export {
  type BackendChoice,
  type BrowserBackendName,
  initBrowserBackend,
} from "./backend.js";
// Configs, presets and backend names: the TensorFlow-free part, also @vox/models/config.
export * from "./config-entry.js";
export {
  averagedGenerator,
  type ConversionGenerator,
  type ConversionVoice,
  type ConvertedRecording,
  conditionVector,
  convertFeatures,
  convertRecording,
  type RecordingVoices,
  convertUtterance,
  outsideVoice,
} from "./conversion.js";
export { buildDiscriminator } from "./discriminators.js";
export { BackendUnavailableError, ModelError } from "./errors.js";
export { buildGenerator, conditionWidth, timeMultiple } from "./generators.js";
export { hostValues, preferHostMemory, type StateMemory, tensorFromHost } from "./host-memory.js";
export {
  type ModelArtifacts,
  type ModelMetadata,
  modelFiles,
  modelFromArtifacts,
  parseModelMetadata,
} from "./model-artifacts.js";
export { GLU, LeakyReLU2, PixelShuffle } from "./layers/activations.js";
export { PaddedConv2D, PaddedConv2DTranspose } from "./layers/conv.js";
export { TiledLabelConv2D, TileLabels } from "./layers/labels.js";
export { BatchNorm, ConditionalInstanceNorm, InstanceNorm } from "./layers/normalization.js";
export { FoldFrequency, ProjectionHead, UnfoldFrequency } from "./layers/reshape.js";
export { leakyReluTwice } from "./ops/activations.js";
export {
  type ConvGeometry,
  type ConvGradientMode,
  conv2dFast,
  conv2dFilterGrad,
  conv2dTransposeFast,
  convGradientMode,
  isWeightBound,
  setConvGradientMode,
} from "./ops/conv.js";
export { withSeededRandom } from "./seeded-random.js";
export * as tf from "./tfjs.js";
export { trainableParameterCount } from "./summary.js";
