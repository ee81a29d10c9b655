/**
 * @vox/models in Node: saved models on disk, the backend choice that tries the native TensorFlow packages first,
 * and vox's native AVX2 conv and batch-norm kernels (their addon is loaded from here, so the main entry stays
 * browser-safe). Importing this module installs the addon's loader.
 */
import { createRequire } from "node:module";
import { type NativeAddon, setNativeAddonLoader } from "./ops/native-addon.js";

// src/ or dist/: the build lives in the package's native/build.
setNativeAddonLoader(() => createRequire(import.meta.url)("../native/build/vox_conv_kernels.node") as NativeAddon);

export { loadModel, loadWeightsInto, readModelMetadata, saveModel } from "./io.js";
export { initBackend, parseTensorflowDevices, tensorflowDevices } from "./node-backend.js";
export {
  type NativeConvBackend,
  nativeConvActive,
  nativeConvThreads,
  nativeConvUnavailableReason,
  setNativeConvThreads,
  useNativeConvKernels,
} from "./ops/native-conv.js";
