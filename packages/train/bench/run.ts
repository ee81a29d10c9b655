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
import { featureSpecs, mel80FeatureSpec, seedFeatureSpec } from "@vox/dsp";
import { nativeConvActive } from "@vox/models/node";
import { demoRecipe, resolveTrainConfig, runModelConfig, StarGanTrainer } from "../src/index.js";

const [, , role, preset, cache, stepsText, batchText, microText] = process.argv;

if (role === "child" && preset && cache) {
  const steps = Number(stepsText);
  const config = await resolveTrainConfig({
    preset,
    overrides: {
      ...(batchText && batchText !== "-" ? { batchSize: Number(batchText) } : {}),
      ...(microText ? { microBatch: Number(microText) } : {}),
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
      backend: `${trainer.backend}${nativeConvActive() ? " + native conv" : ""}`,
      batch: c.batchSize,
      microBatch: c.microBatch ?? c.batchSize,
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
if (role !== "demo") {
  await prepareFeatures(demoCorpusPath(), mel80FeatureSpec, caches.mel80, { workers: 2 });
  await prepareFeatures(demoCorpusPath(), seedFeatureSpec, caches.seed, { workers: 2 });
}
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

// `tsx bench/run.ts demo` runs only the last section (the demo recipe beside its twin).
if (role !== "demo") {
  // Each variant: [batch, microBatch] overrides ("-" keeps the preset's); the first that completes a step is shown.
  for (const [name, cache, steps, variants] of [
    ["tiny", caches.mel80, 5, [[]]],
    ["stargan-vc2", caches.mel80, 2, [[], ["4"], ["2"]]],
    ["seed-31f31449", caches.seed, 1, [[], ["-", "1"]]],
  ] as const) {
    for (const variant of variants) {
      try {
        const args = [...process.execArgv, here, "child", name, cache, String(steps), ...variant];
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
          microBatch: number;
          crop: string;
          secondsPerStep: number;
          peakRssMb: number;
        };
        console.log(
          `${name.padEnd(14)} ${r.backend}  batch ${r.batch} (micro-batches of ${r.microBatch}), ${r.crop}: ${r.secondsPerStep.toFixed(2)} s/step (${(1 / r.secondsPerStep).toFixed(3)} steps/s), peak RSS ${r.peakRssMb.toFixed(0)} MB`,
        );
        break;
      } catch (error) {
        const stderr = String((error as { stderr?: string }).stderr ?? error);
        console.log(
          `${name.padEnd(14)} ${variant.join(" / ") || "preset"}: did not complete a step: ${failure(stderr)}`,
        );
      }
    }
  }

  console.log(
    "\nthe seed record's full step at its size (1479 labels, 256 x 256, batch 2; D: WGAN-GP + cls, G: adversarial + cls + 10 x L1 cycle; RMSprop), side by side with the PyTorch twin",
  );
  // [microBatch, threads, native conv kernels]: the batch in one pass, then the default micro-batches of 1 on one
  // thread and on two; last, two threads with the backend's own conv kernels (VOX_NATIVE_KERNELS=0) for comparison.
  let fastest = Number.POSITIVE_INFINITY;
  for (const [micro, threads, native] of [
    [2, 1, true],
    [1, 1, true],
    [1, 2, true],
    [1, 2, false],
  ] as const) {
    const kernels = native ? "" : ", the backend's own conv kernels";
    // One replica: native conv calls split over the cores; more: one replica per core, each call on one.
    const replicas = `${threads} replica thread${threads > 1 ? "s" : ""}`;
    const label = `micro-batches of ${micro}, ${replicas}${kernels}`;
    try {
      const out = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          fileURLToPath(new URL("./step.ts", import.meta.url)),
          "seed-31f31449",
          "2",
          String(micro),
          String(threads),
          "2",
        ],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
          timeout: 30 * 60 * 1000,
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, VOX_NATIVE_KERNELS: native ? process.env.VOX_NATIVE_KERNELS : "0" },
        },
      );
      const r = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, number | string>;
      if (native) fastest = Math.min(fastest, r.seconds as number);
      console.log(
        `  vox ${r.backend}, ${label}: ${(r.seconds as number).toFixed(2)} s/step, peak RSS ${r.peakRssMiB} MiB, wasm heap ${r.wasmHeapMiB ?? "-"} MiB per thread, tensors leaked per step ${r.tensorLeak}`,
      );
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      console.log(`  vox, ${label}: did not complete a step: ${failure(stderr)}`);
    }
  }
  const twin = fileURLToPath(new URL("../../models/bench/stargan_step.py", import.meta.url));
  try {
    const output = execFileSync("/usr/bin/python3", [twin, "2", "2"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const r = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { stepSeconds: number; torch: string };
    console.log(`  PyTorch ${r.torch}, 2 threads, batch 2: ${r.stepSeconds.toFixed(2)} s/step`);
    if (Number.isFinite(fastest)) {
      console.log(`  vox's fastest / PyTorch: ${(fastest / r.stepSeconds).toFixed(2)}x (target: at most 1.5x)`);
    }
  } catch (error) {
    console.log(`  PyTorch comparison skipped (${(error as Error).message.split("\n")[0]}); install python3-torch`);
  }
}

// The small-model regime CPU users live in: the demo recipe's step, vox with its default threads beside the
// PyTorch twin of the same model, batch and crop on 2 threads.
{
  const config = await resolveTrainConfig({ preset: demoRecipe.preset, overrides: demoRecipe.overrides });
  const spec = featureSpecs[demoRecipe.spec];
  const model = runModelConfig(config, spec, 5);
  const rows = model.generator.bins;
  const output = model.generator.output;
  const d = model.discriminator;
  const twinDiscriminator =
    d.kind === "stargan"
      ? `stargan:${d.levels}`
      : d.kind === "temporal"
        ? `temporal:${d.channels.join(",")}:${d.kernel}`
        : null;
  console.log(
    `\nthe demo recipe's step (${demoRecipe.preset} on ${demoRecipe.spec}: ${rows} x ${config.cropFrames}, batch ${config.batchSize}, ${config.adversarial}), side by side with its PyTorch twin (bench/tiny_step.py)`,
  );
  let vox = Number.NaN;
  try {
    const out = execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(new URL("./step.ts", import.meta.url)),
        "demo",
        String(config.batchSize),
        String(config.microBatch ?? config.batchSize),
        "2",
        "20",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10 * 60 * 1000 },
    );
    const r = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, number | string>;
    vox = r.seconds as number;
    console.log(
      `  vox ${r.backend}, ${r.threads} replica thread(s), native conv calls over ${r.convThreads} thread(s): ${(vox * 1000).toFixed(1)} ms/step, tensors leaked per step ${r.tensorLeak}`,
    );
  } catch (error) {
    console.log(`  vox: did not complete a step: ${failure(String((error as { stderr?: string }).stderr ?? error))}`);
  }
  try {
    if (twinDiscriminator === null) throw new Error(`no PyTorch twin of the ${d.kind} discriminator`);
    const twinStep = fileURLToPath(new URL("./tiny_step.py", import.meta.url));
    // Debian's torch runs this small model faster on one thread than on two: both are shown, the faster compared.
    let best = Number.POSITIVE_INFINITY;
    for (const threads of ["1", "2"]) {
      const args = [
        twinStep,
        String(rows),
        String(config.cropFrames),
        String(config.batchSize),
        "5",
        String(twinDiscriminator),
        output,
        threads,
        "20",
        model.generator.kind === "stargan" ? model.generator.condition : "target",
      ];
      const lines = execFileSync("/usr/bin/python3", args, { encoding: "utf8" }).trim().split("\n");
      const r = JSON.parse(lines.at(-1) ?? "{}") as { stepSeconds: number; torch: string };
      best = Math.min(best, r.stepSeconds);
      console.log(`  PyTorch ${r.torch}, ${threads} thread(s): ${(r.stepSeconds * 1000).toFixed(1)} ms/step`);
    }
    if (Number.isFinite(vox)) console.log(`  vox / PyTorch's faster: ${(vox / best).toFixed(2)}x (goal: at most 1.0x)`);
  } catch (error) {
    console.log(`  PyTorch comparison skipped (${(error as Error).message.split("\n")[0]}); install python3-torch`);
  }
}
