import { createRequire } from "node:module";
import { backendNames, initBackend, presetNames, tf } from "@vox/models";
import { output } from "../io.js";

export async function infoCommand(flags: { json?: boolean }): Promise<void> {
  const skipped: string[] = [];
  const backend = await initBackend(undefined, (line) => skipped.push(line));
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const info = {
    backend: backend.name,
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
      `backend: ${info.backend}${info.skipped.length ? ` (skipped: ${info.skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")})` : ""}`,
      `native conv kernels: ${info.nativeConv.active ? "on (AVX2/FMA)" : `off (${info.nativeConv.reason})`}`,
      `presets: ${info.presets.join(", ")}`,
      `versions: ${Object.entries(info.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    ].join("\n"),
  );
}
