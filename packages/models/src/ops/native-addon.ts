/**
 * The native kernels' addon (native/build/vox_conv_kernels.node: convolutions and training-mode batch
 * normalisation in C++ with AVX2/FMA) and the backends' buffers it reads and writes: views of the wasm heap, or
 * the cpu backend's arrays. Loaded once; where it is missing (no compiler, no AVX2, not x86-64) or switched off
 * with VOX_NATIVE_KERNELS=0, the backends keep their own kernels. Loading it is Node's business: @vox/models/node
 * installs the loader, so this module (reached from the browser-safe main entry) imports no `node:` module.
 */
import type * as tf from "@tensorflow/tfjs";

export interface NativeAddon {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array): void;
  conv2dFilterGrad(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  conv2dInputGrad(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  batchNormForward(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    channels: number,
    epsilon: number,
  ): void;
  batchNormBackward(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    channels: number,
    epsilon: number,
  ): void;
  setThreads(n: number): void;
  supported(): boolean;
}

/** The backends whose buffers the addon can read. */
export type NativeBackend = "wasm" | "cpu";

let addon: NativeAddon | null | undefined;
let unavailable = "";
let loader: (() => NativeAddon) | null = null;

/** How to load the compiled addon; @vox/models/node installs it on import (a page has no addon). */
export function setNativeAddonLoader(load: () => NativeAddon): void {
  loader = load;
  if (addon === null) addon = undefined; // a load refused before the loader existed is tried again
}

/** Loads the addon once; null (and the reason in {@link nativeAddonUnavailableReason}) when it cannot run here. */
export function loadNativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (!loader) {
    unavailable = "the native kernels load in Node only, through @vox/models/node";
    return null;
  }
  if (globalThis.process?.env?.VOX_NATIVE_KERNELS === "0") {
    unavailable = "switched off by VOX_NATIVE_KERNELS=0";
    return null;
  }
  try {
    const loaded = loader();
    if (!loaded.supported()) unavailable = "this CPU lacks AVX2/FMA";
    else if (typeof loaded.batchNormForward !== "function")
      unavailable =
        "native/build/vox_conv_kernels.node is older than this package (`node native/build.mjs` rebuilds it)";
    else addon = loaded;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? String(error);
    unavailable = /Cannot find module/.test(message)
      ? "native/build/vox_conv_kernels.node not built (`node native/build.mjs` in packages/models says why)"
      : message;
  }
  return addon;
}

/** Why the addon is not available ("" when it is). */
export function nativeAddonUnavailableReason(): string {
  loadNativeAddon();
  return unavailable;
}

/** Reads and allocates float32 buffers of one backend. */
export interface Buffers {
  /** A view of a tensor's values (valid until the next allocation on a wasm backend). */
  view(t: tf.TensorInfo): Float32Array;
  /** An uninitialised output tensor of this shape. */
  output(shape: number[]): tf.TensorInfo;
}

interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}
interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
}

export function buffersOf(backendName: NativeBackend, backend: unknown): Buffers {
  if (backendName === "wasm") {
    const wasm = backend as WasmBackend;
    return {
      view: (t) =>
        new Float32Array(wasm.wasm.HEAPU8.buffer, wasm.dataIdMap.get(t.dataId).memoryOffset, sizeOf(t.shape)),
      output: (shape) => wasm.makeOutput(shape, "float32"),
    };
  }
  const cpu = backend as CpuBackend;
  return {
    view: (t) => cpu.data.get(t.dataId).values,
    output: (shape) => cpu.makeTensorInfo(shape, "float32", new Float32Array(sizeOf(shape))),
  };
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
