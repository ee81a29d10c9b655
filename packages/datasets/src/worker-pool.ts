import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import Tinypool from "tinypool";

/** What to start a worker thread on: the module itself, or (a .ts module) a bootstrap that registers tsx first. */
export interface WorkerEntry {
  filename: string;
  execArgv: string[];
}

/**
 * Built packages point at .js and run as they are; from source (tests, `tsx`) a .ts worker is loaded through a
 * tiny bootstrap module that registers tsx inside the thread first, because Node does not pass `--import` loader
 * hooks on to a worker's entry module. The bootstrap re-exports the module's default export.
 */
export function workerEntry(moduleUrl: URL): WorkerEntry {
  if (!moduleUrl.pathname.endsWith(".ts")) return { filename: moduleUrl.href, execArgv: [] };
  // The ESM build of tsx's API: its CommonJS twin registers only the require() hook.
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const bootstrap = [
    `import { register } from ${JSON.stringify(tsxApi)};`,
    "register();",
    `const worker = await import(${JSON.stringify(moduleUrl.href)});`,
    "export default worker.default;",
  ].join("\n");
  return { filename: `data:text/javascript,${encodeURIComponent(bootstrap)}`, execArgv: ["--conditions=vox-source"] };
}

/** A worker-thread pool running the default export of `moduleUrl` (see {@link workerEntry}). */
export function createWorkerPool(moduleUrl: URL, threads: number): Tinypool {
  const common = {
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
    runtime: (process.env.VOX_POOL_RUNTIME ?? "worker_threads") as "worker_threads" | "child_process",
  };
  const { filename, execArgv } = workerEntry(moduleUrl);
  return new Tinypool({ ...common, filename, ...(execArgv.length > 0 ? { execArgv } : {}) });
}
