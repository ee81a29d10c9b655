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
import * as tf from "@tensorflow/tfjs";
import { type ConvAttrs, convInfoFromAttrs } from "./conv-attrs.js";
import {
  buffersOf,
  loadNativeAddon,
  type NativeAddon,
  type NativeBackend,
  nativeAddonUnavailableReason,
} from "./native-addon.js";
import { batchNormKernelConfigs, batchNormKernelNames } from "./native-batch-norm.js";

/** The backends whose buffers the addon can read. */
export type NativeConvBackend = NativeBackend;
const KERNELS = ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] as const;
type KernelName = (typeof KERNELS)[number];

/** Why the native kernels are not available ("" when they are). */
export function nativeConvUnavailableReason(): string {
  return nativeAddonUnavailableReason();
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

function kernelConfig(kernelName: KernelName, backendName: NativeConvBackend, native: NativeAddon): tf.KernelConfig {
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
  const native = on ? loadNativeAddon() : null;
  if (on && !native) return false;
  const warn = console.warn;
  console.warn = () => {}; // tfjs warns about every kernel registered twice
  try {
    if (native) {
      const configs = [
        ...KERNELS.map((kernelName) => kernelConfig(kernelName, backendName, native)),
        ...batchNormKernelConfigs(backendName, native),
      ];
      for (const config of configs) {
        const key = `${config.kernelName}/${backendName}`;
        if (!replaced.has(key)) replaced.set(key, tf.getKernel(config.kernelName, backendName));
        if (tf.getKernel(config.kernelName, backendName)) tf.unregisterKernel(config.kernelName, backendName);
        tf.registerKernel(config);
      }
    } else {
      for (const kernelName of [...KERNELS, ...batchNormKernelNames]) {
        if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
        const original = replaced.get(`${kernelName}/${backendName}`);
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
  loadNativeAddon()?.setThreads(n);
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
