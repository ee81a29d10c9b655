/**
 * Moving large float32 tensors between the backend and host (JS) memory without needless copies.
 *
 * Why: on the wasm backend every tensor lives in one wasm32 heap capped at 4 GiB, so state that is only read
 * once per step (optimizer slots, summed gradients) is better kept in host Float32Arrays. On this kind of VM a
 * fresh 200 MB array costs ~0.7 s of page faults, so reads go through views and writes through one reused
 * buffer instead of dataSync()'s copies.
 */
import * as tf from "./tfjs.js";

/** Where optimizer state and gradient sums are kept on a backend: see {@link preferHostMemory}. */
export type StateMemory = "device" | "host";

/**
 * True where state belongs in host memory: wasm (4 GiB heap; the seed discriminator's weights, packed filter
 * copies and gradients already take 1.2 GB of it) and cpu (its tensors are host arrays anyway). The native and
 * GPU backends keep state on the device, where it is read without a transfer.
 */
export function preferHostMemory(backend: string = tf.getBackend()): boolean {
  return backend === "wasm" || backend === "cpu";
}

interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

/**
 * The float32 values of `t`: a view into the wasm heap, the cpu backend's own array, or a copy on other
 * backends. Read it before the next tfjs op (the wasm heap may grow and detach the view); never write to it.
 */
export function hostValues(t: tf.Tensor): Float32Array {
  if (t.dtype !== "float32") throw new TypeError(`hostValues: expected a float32 tensor, found ${t.dtype}`);
  if (tf.getBackend() === "wasm") {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const data = backend.dataIdMap.get((t as unknown as { dataId: object }).dataId);
    if (data) return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, t.size);
  }
  return t.dataSync() as Float32Array;
}

/** A new tensor holding a copy of `values` (which the caller may then reuse). */
export function tensorFromHost(values: Float32Array, shape: number[]): tf.Tensor {
  // wasm copies into its heap on creation; the cpu backend would keep the array itself.
  return tf.tensor(tf.getBackend() === "wasm" ? values : values.slice(), shape, "float32");
}
