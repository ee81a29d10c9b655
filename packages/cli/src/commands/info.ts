import { createRequire } from "node:module";
import type { Command } from "commander";
import { output } from "../io.js";

/** `vox info` and its options. */
export function addInfoCommand(vox: Command): void {
  vox
    .command("info")
    .addHelpText("after", `\nExample:\n  $ vox info --json`)
    .description("the backend found, presets, versions")
    .option("--json", "print as JSON")
    .action((flags: { json?: boolean }) => infoCommand(flags));
}

export async function infoCommand(flags: { json?: boolean }): Promise<void> {
  const [{ backendNames, presetNames, tf }, { initBackend, tensorflowDevices }] = await Promise.all([
    import("@vox/models"),
    import("@vox/models/node"),
  ]);
  const skipped: string[] = [];
  const backend = await initBackend(undefined, (line) => skipped.push(line));
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  // What the backend computes on: the devices libtensorflow creates (a GPU only when CUDA loads), else the CPU.
  const native = await tensorflowDevices(backend.name);
  const devices = native.length > 0 ? native : [`CPU (${backend.name})`];
  const info = {
    backend: backend.name,
    devices,
    skipped: backend.skipped,
    nativeConv: backend.nativeConv,
    backends: backendNames,
    presets: presetNames,
    versions: { node: process.versions.node, tfjs: tf.version.tfjs, "@vox/cli": version("@vox/cli") },
  };
  output(
    flags.json === true,
    info,
    [
      `backend: ${info.backend}`,
      `devices: ${info.devices.join(", ")}`,
      ...info.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
      `native conv kernels: ${info.nativeConv.active ? "on (AVX2/FMA)" : `off (${info.nativeConv.reason})`}`,
      `presets: ${info.presets.join(", ")}`,
      `versions: ${Object.entries(info.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    ].join("\n"),
  );
}
