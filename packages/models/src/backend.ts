import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";
import * as tf from "./tfjs.js";
import { BackendUnavailableError } from "./errors.js";
import { nativeConvUnavailableReason, setNativeConvThreads, useNativeConvKernels } from "./ops/native-conv.js";

/** Backends in the order `initBackend()` tries them. */
export const backendNames = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendChoice {
  /** The backend now active. */
  name: BackendName;
  /** Why each backend tried before it did not start, in order. */
  skipped: { name: BackendName; reason: string }[];
  /**
   * Whether vox's native convolution kernels (ops/native-conv.ts) run this backend's convolutions: only on wasm
   * and cpu, where the addon was built and the CPU has AVX2/FMA. `reason` says why not otherwise.
   */
  nativeConv: { active: boolean; reason: string };
}

const NATIVE_HINT =
  "native addon not found: run `pnpm approve-builds` (allow @tensorflow/tfjs-node / tfjs-node-gpu) and reinstall " +
  "where the network reaches libtensorflow's download host; see the README's GPU section";

/**
 * Starts a TensorFlow.js backend: the named one, or by default the first that loads of tensorflow-gpu
 * (@tensorflow/tfjs-node-gpu, CUDA), tensorflow (@tensorflow/tfjs-node), wasm (@tensorflow/tfjs-backend-wasm,
 * single-threaded SIMD) and cpu (pure JS). The one place in vox that chooses a backend.
 * `log` receives one line per skipped backend and the choice (default: stderr).
 */
export async function initBackend(
  name?: BackendName,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<BackendChoice> {
  if (name !== undefined && !backendNames.includes(name)) {
    throw new BackendUnavailableError(
      `backend: expected one of ${backendNames.join(", ")}, found ${JSON.stringify(name)}`,
      "backend",
    );
  }
  const candidates = name ? [name] : [...backendNames];
  const skipped: BackendChoice["skipped"] = [];
  for (const candidate of candidates) {
    const reason = await tryBackend(candidate);
    if (reason === null) {
      for (const s of skipped) log(`backend ${s.name} skipped: ${s.reason}`);
      const nativeConv = startNativeConv(candidate);
      log(`backend: ${candidate}${nativeConv.active ? " with native AVX2 conv kernels" : ""}`);
      if (!nativeConv.active && (candidate === "wasm" || candidate === "cpu"))
        log(`native conv kernels skipped: ${nativeConv.reason}`);
      return { name: candidate, skipped, nativeConv };
    }
    skipped.push({ name: candidate, reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
  throw new BackendUnavailableError(`no TensorFlow.js backend could start (${detail})`, name ?? "backend");
}

/** Puts the native conv kernels into a wasm or cpu backend (the native tensorflow backends have their own). */
function startNativeConv(name: BackendName): BackendChoice["nativeConv"] {
  if (name !== "wasm" && name !== "cpu") return { active: false, reason: `${name} has its own native kernels` };
  if (useNativeConvKernels(name)) {
    // Worker threads (the trainer's replicas) leave the process-wide count to whoever started them.
    if (isMainThread) setNativeConvThreads(availableParallelism());
    return { active: true, reason: "" };
  }
  return { active: false, reason: nativeConvUnavailableReason() };
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

/** True when the package is installed with its compiled tfjs_binding.node in lib/napi-v<N>. */
function nativeAddonPresent(specifier: string): boolean {
  try {
    const packageJson = createRequire(import.meta.url).resolve(`${specifier}/package.json`);
    const lib = join(dirname(packageJson), "lib");
    return existsSync(lib) && readdirSync(lib).some((entry) => existsSync(join(lib, entry, "tfjs_binding.node")));
  } catch {
    return false; // not installed (it is an optional dependency)
  }
}

/** Starts one backend; returns null on success or why it failed. */
async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    switch (name) {
      case "tensorflow-gpu":
      case "tensorflow": {
        // Both native packages register a backend called "tensorflow"; the GPU build links CUDA.
        const specifier = name === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
        // Look for the compiled addon before importing: a package without it registers ~150 kernels and then
        // throws, and importing the second one would print a warning for each of them again.
        if (!nativeAddonPresent(specifier)) return NATIVE_HINT;
        try {
          await import(specifier);
        } catch (error) {
          const message = (error as Error).message ?? String(error);
          if (/tfjs_binding\.node|Cannot find module|ERR_MODULE_NOT_FOUND/.test(message)) return NATIVE_HINT;
          return message.split("\n")[0] ?? message;
        }
        return (await tf.setBackend("tensorflow")) ? null : "the native backend did not initialise";
      }
      case "wasm": {
        await import("@tensorflow/tfjs-backend-wasm");
        // Threaded wasm starts its workers from a blob: URL, which Node cannot load; SIMD stays on.
        tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
        if (!(await tf.setBackend("wasm"))) return "the wasm backend did not initialise";
        shareDataInWasmIdentity();
        return null;
      }
      case "cpu": {
        // The cpu backend ships inside @tensorflow/tfjs and is registered on import.
        return (await tf.setBackend("cpu")) ? null : "the cpu backend did not initialise";
      }
    }
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? String(error);
  }
}
