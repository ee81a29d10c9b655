/**
 * Native convolution kernels (native/conv_kernels.cc: a GEMM over implicit im2col patches with AVX2/FMA) as the
 * Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter kernels of tfjs's wasm and cpu backends.
 *
 * Why: measured on this project's 2-core machines, wasm's XNNPACK convolutions run 16-23 GFLOP/s per core and
 * the wasm backend has no filter-gradient kernel at all, while 256-bit FMA runs 65-100 GFLOP/s; libtensorflow
 * (tfjs-node), which would bring such kernels, cannot be downloaded everywhere. The addon is compiled by the
 * package's install script; where it is missing (no compiler, no AVX2, not x86-64) or switched off with
 * VOX_NATIVE_KERNELS=0, the backends keep their own kernels. Everything else (elementwise ops, reductions,
 * reshapes) stays in the backend; the addon reads and writes the backend's own buffers: views of the wasm heap,
 * or the cpu backend's arrays.
 */
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";
import { type ConvAttrs, convInfoFromAttrs } from "./conv-attrs.js";

interface ConvAddon {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array): void;
  conv2dFilterGrad(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  conv2dInputGrad(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  setThreads(n: number): void;
  supported(): boolean;
}

/** The backends whose buffers the addon can read. */
export type NativeConvBackend = "wasm" | "cpu";
const KERNELS = ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] as const;
type KernelName = (typeof KERNELS)[number];

let addon: ConvAddon | null | undefined;
let unavailable = "";

/** Loads the addon once; null (and the reason in {@link nativeConvUnavailableReason}) when it cannot run here. */
function loadAddon(): ConvAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.VOX_NATIVE_KERNELS === "0") {
    unavailable = "switched off by VOX_NATIVE_KERNELS=0";
    return null;
  }
  try {
    // src/ops or dist/ops: the build lives in the package's native/build.
    const loaded = createRequire(import.meta.url)("../../native/build/vox_conv_kernels.node") as ConvAddon;
    if (!loaded.supported()) unavailable = "this CPU lacks AVX2/FMA";
    else addon = loaded;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? String(error);
    unavailable = /Cannot find module/.test(message)
      ? "native/build/vox_conv_kernels.node not built (`node native/build.mjs` in packages/models says why)"
      : message;
  }
  return addon;
}

/** Why the native kernels are not available ("" when they are). */
export function nativeConvUnavailableReason(): string {
  loadAddon();
  return unavailable;
}

/** Reads and allocates float32 buffers of one backend. */
interface Buffers {
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

function buffersOf(backendName: NativeConvBackend, backend: unknown): Buffers {
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

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** [n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, padTop, padLeft] as conv_kernels.cc reads it. */
function geometry(
  kernel: KernelName,
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): { info: tf.backend_util.Conv2DInfo; packed: Int32Array } {
  const info = convInfoFromAttrs(attrs, xShape, filterShape, `native ${kernel}`);
  const packed = Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return { info, packed };
}

function kernelConfig(kernelName: KernelName, backendName: NativeConvBackend, native: ConvAddon): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const buffers = buffersOf(backendName, backend);
    const a = attrs as unknown as ConvAttrs & { inputShape?: number[]; filterShape?: number[] };
    switch (kernelName) {
      case "Conv2D": {
        const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
        const { info, packed } = geometry(kernelName, x.shape, filter.shape, a);
        const y = buffers.output(info.outShape);
        native.conv2d(buffers.view(x), buffers.view(filter), buffers.view(y), packed);
        return y;
      }
      case "Conv2DBackpropInput": {
        const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
        const { packed } = geometry(kernelName, a.inputShape as number[], filter.shape, a);
        const dx = buffers.output(a.inputShape as number[]);
        native.conv2dInputGrad(buffers.view(dy), buffers.view(filter), buffers.view(dx), packed);
        return dx;
      }
      case "Conv2DBackpropFilter": {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
        const { packed } = geometry(kernelName, x.shape, a.filterShape as number[], a);
        const dw = buffers.output(a.filterShape as number[]);
        native.conv2dFilterGrad(buffers.view(x), buffers.view(dy), buffers.view(dw), packed);
        return dw;
      }
    }
  };
  return { kernelName, backendName, kernelFunc };
}

/** The backend's own kernels, kept to switch back to. */
const replaced = new Map<string, tf.KernelConfig | undefined>();
const active = new Set<NativeConvBackend>();

/**
 * Puts the native kernels in (on = true) or takes them out of a backend; returns whether they are in. False when
 * the addon is unavailable (see {@link nativeConvUnavailableReason}).
 */
export function useNativeConvKernels(backendName: NativeConvBackend, on = true): boolean {
  if (on === active.has(backendName)) return on;
  const native = on ? loadAddon() : null;
  if (on && !native) return false;
  const warn = console.warn;
  console.warn = () => {}; // tfjs warns about every kernel registered twice
  try {
    for (const kernelName of KERNELS) {
      const key = `${kernelName}/${backendName}`;
      if (on) {
        if (!replaced.has(key)) replaced.set(key, tf.getKernel(kernelName, backendName));
        if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
        tf.registerKernel(kernelConfig(kernelName, backendName, native as ConvAddon));
      } else {
        tf.unregisterKernel(kernelName, backendName);
        const original = replaced.get(key);
        if (original) tf.registerKernel(original);
      }
    }
  } finally {
    console.warn = warn;
  }
  if (on) active.add(backendName);
  else active.delete(backendName);
  return on;
}

/**
 * How many threads one native kernel call may use (splitting its rows; small calls stay on one). 1 by default;
 * `initBackend` sets the core count on the main thread, and @vox/train's replica threads set 1 while they run
 * (one replica per core already). Process-wide: every thread's calls share it.
 */
export function setNativeConvThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`native conv threads: expected a whole number >= 1, found ${n}`);
  loadAddon()?.setThreads(n);
  convThreads = n;
}
let convThreads = 1;

/** The count {@link setNativeConvThreads} last set (1 until then), to restore it after a change. */
export function nativeConvThreads(): number {
  return convThreads;
}

/** Whether the active tfjs backend runs the native kernels. */
export function nativeConvActive(): boolean {
  return active.has(tf.getBackend() as NativeConvBackend);
}
