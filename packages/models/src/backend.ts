import { type BackendName, backendNames } from "./backend-names.js";
import { BackendUnavailableError } from "./errors.js";
import * as tf from "./tfjs.js";

export { type BackendName, backendNames };

export interface BackendChoice {
  /** The backend now active. */
  name: BackendName;
  /** Why each backend tried before it did not start, in order. */
  skipped: { name: BackendName; reason: string }[];
  /**
   * Whether vox's native convolution kernels (ops/native-conv.ts) run this backend's convolutions: only in Node
   * (@vox/models/node), on wasm and cpu, where the addon was built and the CPU has AVX2/FMA. `reason` says why not.
   */
  nativeConv: { active: boolean; reason: string };
}

/** The backends a page can start: TensorFlow.js's WebAssembly (SIMD) and pure-JS ones. */
export type BrowserBackendName = "wasm" | "cpu";

/**
 * Starts wasm or cpu; returns null on success or why it failed. Shared by the page's {@link initBrowserBackend}
 * and Node's initBackend (@vox/models/node), which tries the native TensorFlow backends first.
 */
export async function startPortableBackend(name: BrowserBackendName): Promise<string | null> {
  try {
    if (name === "wasm") {
      await import("@tensorflow/tfjs-backend-wasm");
      // Threaded wasm starts its workers from a blob: URL, which Node cannot load and a page only can when it is
      // cross-origin isolated; SIMD stays on.
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      if (!(await tf.setBackend("wasm"))) return "the wasm backend did not initialise";
      shareDataInWasmIdentity();
      return null;
    }
    // The cpu backend ships inside @tensorflow/tfjs and is registered on import.
    return (await tf.setBackend("cpu")) ? null : "the cpu backend did not initialise";
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? String(error);
  }
}

/**
 * Starts a TensorFlow.js backend in a page (or any runtime without Node's native packages): the named one, or
 * the first of wasm and cpu that starts. `wasmPaths` is where the page serves tfjs-backend-wasm's .wasm files
 * (a folder URL ending in "/"; default: beside the script). Node code uses @vox/models/node's initBackend instead,
 * which also tries the native TensorFlow backends and vox's native conv kernels.
 */
export async function initBrowserBackend(
  name?: BrowserBackendName,
  log: (line: string) => void = () => {},
  options: { wasmPaths?: string } = {},
): Promise<BackendChoice> {
  if (name !== undefined && name !== "wasm" && name !== "cpu") {
    throw new BackendUnavailableError("backend", "wasm or cpu (in a page)", JSON.stringify(name));
  }
  if (options.wasmPaths !== undefined) (await import("@tensorflow/tfjs-backend-wasm")).setWasmPaths(options.wasmPaths);
  const skipped: BackendChoice["skipped"] = [];
  for (const candidate of name ? [name] : (["wasm", "cpu"] as const)) {
    const reason = await startPortableBackend(candidate);
    if (reason === null) {
      for (const s of skipped) log(`backend ${s.name} skipped: ${s.reason}`);
      log(`backend: ${candidate}`);
      return { name: candidate, skipped, nativeConv: { active: false, reason: "native kernels are Node-only" } };
    }
    skipped.push({ name: candidate, reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
  throw new BackendUnavailableError(name ?? "backend", "a TensorFlow.js backend that starts", `none (${detail})`);
}

/**
 * tfjs-backend-wasm's Identity kernel copies its input, and tfjs clones (Identity) every tensor a kernel saves
 * for its gradient: each convolution under a gradient tape copied its filter (the seed discriminator's 4x4x1024x2048
 * and 2048x1479 heads: 128 and 185 MiB per use). The wasm backend reference-counts its buffers (its Reshape
 * shares them), and tfjs tensors are immutable (Variable.assign swaps buffers), so Identity can share too, as
 * the cpu backend's does.
 */
function shareDataInWasmIdentity(): void {
  if (shared) return;
  shared = true;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    kernelName: "Identity",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
let shared = false;
