/**
 * `pnpm bench` for @vox/models, on the default backend:
 *  1. GFLOP/s of the forward, input-gradient and filter-gradient convolutions at the seed's shapes;
 *  2. forward time of each preset's generator for a 10 s utterance (batch 1, default label counts);
 *  3. full training steps (D with WGAN-GP, then G) of `tiny` and `seed-31f31449` (batch 2, and 1), side by side with
 *     the PyTorch twin (bench/stargan_step.py, 2 threads) when Debian's python3-torch is installed.
 * 2 and 3 run each measurement in its own process (bench/worker.ts).
 */
import { execFileSync, spawnSync } from "node:child_process";
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

console.log("\nfull training step (D: WGAN-GP + cls; G: adversarial + cls + 10 x L1 cycle; RMSprop)");
// The seed at batch 1 too: at batch 2 its step needs more than the wasm backend's 4 GiB heap.
for (const [preset, batch, steps] of [
  ["tiny", 2, 5],
  ["seed-31f31449", 2, 2],
  ["seed-31f31449", 1, 2],
] as const) {
  const r = measure(["step", preset, String(batch), String(steps)]);
  const label = `${preset} batch ${batch}`.padEnd(24);
  console.log(
    `  vox ${label} ${typeof r === "string" ? r : `${r.backend}: ${(r.seconds as number).toFixed(2)} s/step, peak RSS ${r.peakRssMiB} MiB, tensors leaked per step ${r.tensorLeak}`}`,
  );
}
try {
  const output = execFileSync("/usr/bin/python3", [`${here}stargan_step.py`, "2", "2"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const r = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
    stepSeconds: number;
    torch: string;
    generatorParameters: number;
    discriminatorParameters: number;
  };
  console.log(
    `  PyTorch ${r.torch} seed-31f31449, 2 threads: ${r.stepSeconds.toFixed(2)} s/step (G ${r.generatorParameters}, D ${r.discriminatorParameters} parameters)`,
  );
} catch (error) {
  console.log(`  PyTorch comparison skipped (${(error as Error).message.split("\n")[0]}); install python3-torch`);
}
