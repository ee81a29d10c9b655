/**
 * `pnpm bench` for @vox/train: training steps per second of each preset on the default backend, on the shipped
 * demo corpus (features prepared once per FeatureSpec), each preset in its own process (a crash or an exhausted
 * wasm heap is reported, not fatal) with its preset's batch and crop. Prints steps/s and the process's peak RSS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { demoCorpusPath, prepareFeatures } from "@vox/datasets";
import { mel80FeatureSpec, seedFeatureSpec } from "@vox/dsp";
import { resolveTrainConfig, StarGanTrainer } from "../src/index.js";

const [, , role, preset, cache, stepsText, batchText] = process.argv;

if (role === "child" && preset && cache) {
  const steps = Number(stepsText);
  const config = await resolveTrainConfig({
    preset,
    overrides: {
      ...(batchText ? { batchSize: Number(batchText) } : {}),
      steps: steps + 1,
      checkpointEvery: 1_000_000,
      sampleEvery: 1_000_000,
      logEvery: 1_000_000,
      samples: { utterances: 0 },
    },
  });
  const trainer = await StarGanTrainer.create(mkdtempSync(join(tmpdir(), "vox-bench-run-")), cache, config, () => {});
  await trainer.train({ maxSteps: 1 }); // warm-up: kernels, wasm heap growth
  const start = performance.now();
  await trainer.train({ maxSteps: steps });
  const seconds = (performance.now() - start) / 1000;
  const c = trainer.config;
  console.log(
    JSON.stringify({
      preset,
      backend: trainer.backend,
      batch: c.batchSize,
      crop: `${trainer.store.bins}x${c.cropFrames}`,
      secondsPerStep: seconds / steps,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
  process.exit(0);
}

const here = fileURLToPath(import.meta.url);
const caches = {
  mel80: mkdtempSync(join(tmpdir(), "vox-bench-mel80-")),
  seed: mkdtempSync(join(tmpdir(), "vox-bench-seed-")),
};
await prepareFeatures(demoCorpusPath(), mel80FeatureSpec, caches.mel80, { workers: 2 });
await prepareFeatures(demoCorpusPath(), seedFeatureSpec, caches.seed, { workers: 2 });
console.log(
  "@vox/train bench: seconds per training step (n_critic D steps + 1 G step) on the default backend, demo corpus (5 speakers)",
);
/** The reason a child failed, from its stderr (the wasm module's source line is one huge line: skip it). */
function failure(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.length < 400);
  return (lines.find((line) => /^(\w*Error|RuntimeError|Aborted)/.test(line.trim())) ?? lines.slice(-3).join(" "))
    .trim()
    .slice(0, 160);
}

for (const [name, cache, steps, batches] of [
  ["tiny", caches.mel80, 5, [undefined]],
  ["stargan-vc2", caches.mel80, 2, [undefined, 4, 2]],
  ["seed-31f31449", caches.seed, 1, [undefined, 1]],
] as const) {
  for (const batch of batches) {
    try {
      const args = [...process.execArgv, here, "child", name, cache, String(steps), ...(batch ? [String(batch)] : [])];
      const out = execFileSync(process.execPath, args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 30 * 60 * 1000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const line = out.trim().split("\n").pop() ?? "{}";
      const r = JSON.parse(line) as {
        backend: string;
        batch: number;
        crop: string;
        secondsPerStep: number;
        peakRssMb: number;
      };
      console.log(
        `${name.padEnd(14)} ${r.backend}  batch ${r.batch}, ${r.crop}: ${r.secondsPerStep.toFixed(2)} s/step (${(1 / r.secondsPerStep).toFixed(3)} steps/s), peak RSS ${r.peakRssMb.toFixed(0)} MB`,
      );
      break;
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      console.log(`${name.padEnd(14)} batch ${batch ?? "(preset)"}: did not complete a step: ${failure(stderr)}`);
    }
  }
}
