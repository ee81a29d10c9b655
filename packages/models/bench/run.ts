/**
 * `pnpm bench` for @vox/models, on the default backend:
 *  1. GFLOP/s of the forward, input-gradient and filter-gradient convolutions at the seed's shapes;
 *  2. forward time of each preset's generator for a 10 s utterance (batch 1, default label counts);
 * 2 runs each measurement in its own process (bench/worker.ts). The full training step of the seed preset, side by
 * side with the PyTorch twin (bench/stargan_step.py), is measured by packages/train's bench with the trainer's parts.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { presetNames } from "../src/presets.js";
import { benchConvKernels } from "./conv-kernels.js";

const here = fileURLToPath(new URL(".", import.meta.url));

function measure(args: string[]): Record<string, number | string> | string {
  const child = spawnSync(
    process.execPath,
    ["--conditions=vox-source", "--import", "tsx", `${here}worker.ts`, ...args],
    {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const line = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status === 0 && line.startsWith("{")) return JSON.parse(line) as Record<string, number | string>;
  if (/Aborted\(\)|memory access out of bounds|Array buffer allocation failed/.test(child.stderr)) {
    return "failed: the wasm heap (4 GiB at most) ran out";
  }
  // Skip the minified backend source that V8 prints above an error.
  const errorLine = child.stderr.split("\n").find((l) => l.length < 300 && /Error/.test(l)) ?? `exit ${child.status}`;
  return `failed: ${errorLine.slice(0, 160)}`;
}

await benchConvKernels();

console.log("\ngenerator forward, 10 s utterance, batch 1 (median of 2 after a warm-up)");
for (const name of presetNames) {
  const r = measure(["forward", name, "10"]);
  console.log(
    `  ${name.padEnd(14)} ${typeof r === "string" ? r : `${r.bins} x ${r.frames}: ${(r.seconds as number).toFixed(2)} s, peak RSS ${r.peakRssMiB} MiB`}`,
  );
}

console.log(
  "\nfull training steps (the seed preset at 1479 labels side by side with the PyTorch twin bench/stargan_step.py): `pnpm bench` in packages/train",
);
