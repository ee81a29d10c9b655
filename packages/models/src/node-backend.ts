import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";
import { type BackendChoice, type BackendName, backendNames, startPortableBackend } from "./backend.js";
import { BackendUnavailableError } from "./errors.js";
import { nativeConvUnavailableReason, setNativeConvThreads, useNativeConvKernels } from "./ops/native-conv.js";
import * as tf from "./tfjs.js";

// Node's side of backend choice (@vox/models/node): the native TensorFlow packages and vox's native kernels.

/** The native TensorFlow packages vox can use, an opt-in each (optional peers of @vox/models). */
const NATIVE_PACKAGES = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
} as const;

/** Why a native backend is unavailable, with the step that makes it available. */
function nativeHint(specifier: string, state: "not installed" | "no addon"): string {
  if (state === "not installed") {
    // The version to add is the one this package names as its peer (src/ and dist/ sit below package.json).
    const manifest = createRequire(import.meta.url)("../package.json") as { peerDependencies: Record<string, string> };
    const version = manifest.peerDependencies[specifier];
    return `${specifier} is not installed (an opt-in: \`pnpm add -w ${specifier}@${version}\` in the vox workspace, or \`npm install ${specifier}@${version}\` beside @vox/models; README "GPU")`;
  }
  return `${specifier} is installed but has no libtensorflow: its install script downloads it and did not finish (no route to storage.googleapis.com?); run \`pnpm rebuild ${specifier}\` where that host is reachable`;
}

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
    throw new BackendUnavailableError("backend", `one of ${backendNames.join(", ")}`, JSON.stringify(name));
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
  throw new BackendUnavailableError(name ?? "backend", "a TensorFlow.js backend that starts", `none (${detail})`);
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

/** Whether a native package is installed, and with its compiled tfjs_binding.node in lib/napi-v<N>. */
function nativeAddonState(specifier: string): "not installed" | "no addon" | "present" {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${specifier}/package.json`);
  } catch {
    return "not installed";
  }
  const lib = join(dirname(packageJson), "lib");
  const present =
    existsSync(lib) && readdirSync(lib).some((entry) => existsSync(join(lib, entry, "tfjs_binding.node")));
  return present ? "present" : "no addon";
}

/** Starts one backend; returns null on success or why it failed. */
async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    switch (name) {
      case "tensorflow-gpu":
      case "tensorflow": {
        // Both native packages register a backend called "tensorflow"; the GPU build links CUDA.
        const specifier = NATIVE_PACKAGES[name];
        // Look for the compiled addon before importing: a package without it registers ~150 kernels and then
        // throws, and importing the second one would print a warning for each of them again.
        const state = nativeAddonState(specifier);
        if (state !== "present") return nativeHint(specifier, state);
        try {
          await import(specifier);
        } catch (error) {
          const message = (error as Error).message ?? String(error);
          if (/tfjs_binding\.node|Cannot find module|ERR_MODULE_NOT_FOUND/.test(message)) {
            return nativeHint(specifier, "no addon");
          }
          // CUDA libraries of another major version (CUDA 12 hosts: libcudart.so.11.0) fail here.
          return message.split("\n")[0] ?? message;
        }
        return (await tf.setBackend("tensorflow")) ? null : "the native backend did not initialise";
      }
      case "wasm":
      case "cpu":
        return await startPortableBackend(name);
    }
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? String(error);
  }
}

/**
 * The devices TensorFlow itself creates for a native backend, e.g. "GPU:0 NVIDIA GeForce RTX 3090 (22 GiB)".
 * libtensorflow logs them only as it starts, so a child process starts it with logging on and this reads its
 * log. Empty for the browser-style backends (wasm, cpu: the CPU) and when no native package loads.
 */
export async function tensorflowDevices(name: BackendName): Promise<string[]> {
  if (name !== "tensorflow" && name !== "tensorflow-gpu") return [];
  const specifier = NATIVE_PACKAGES[name];
  if (nativeAddonState(specifier) !== "present") return [];
  const { execFile } = await import("node:child_process");
  const { pathToFileURL } = await import("node:url");
  const entry = pathToFileURL(createRequire(import.meta.url).resolve(specifier)).href;
  const script = `const tf = await import(${JSON.stringify(entry)}); tf.add(1, 1).dataSync();`;
  const log = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "0" }, timeout: 60_000 },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
  return parseTensorflowDevices(log);
}

/**
 * Devices from libtensorflow's start-up log: its "Created TensorFlow device (/job:localhost/replica:0/task:0/
 * device:GPU:0 with 22000 MB memory) -> physical GPU (device: 0, name: ..., pci bus id: ...)" lines, and its
 * CPU device when no GPU is created.
 */
export function parseTensorflowDevices(log: string): string[] {
  const devices: string[] = [];
  // TF 2.9 (tfjs-node 4.x): "Created device /job:.../device:GPU:0 with N MB memory:  -> device: 0, name: ...";
  // TF 1.x-2.4: "Created TensorFlow device (/job:.../device:GPU:0 with N MB memory) -> physical GPU (device: 0,
  // name: ...".
  const created =
    /Created (?:TensorFlow )?device \(?\S*device:(GPU|CPU):(\d+)(?: with (\d+) MB memory)?\)?:?(?:\s*->\s*(?:physical GPU \()?device: \d+, name: ([^,]+))?/g;
  for (const match of log.matchAll(created)) {
    const [, kind, index, megabytes, model] = match;
    const memory = megabytes ? ` (${(Number(megabytes) / 1024).toFixed(0)} GiB)` : "";
    devices.push(`${kind}:${index}${model ? ` ${model.trim()}` : ""}${memory}`);
  }
  if (devices.length === 0 && /tensorflow|TensorFlow/.test(log)) {
    // CUDA libraries of the wrong major version are the usual reason (tfjs-node-gpu 4.x links CUDA 11.2).
    const missing = [...log.matchAll(/Could not load dynamic library '([^']+)'/g)].map((m) => m[1]);
    const why = missing.length > 0 ? `: could not load ${[...new Set(missing)].join(", ")}` : "";
    devices.push(`CPU:0 (no GPU visible to TensorFlow${why})`);
  }
  return [...new Set(devices)];
}
