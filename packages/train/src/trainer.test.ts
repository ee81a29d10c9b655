import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCacheIndex } from "@vox/datasets";
import { tf } from "@vox/models";
import { nativeConvThreads } from "@vox/models/node";
import { worldFeatureSpec } from "@vox/dsp";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { listCheckpoints } from "./run-directory.js";
import { resolveTrainConfig, type TrainConfig } from "./config.js";
import { NonFiniteLossError, RunDirectoryError, TrainConfigError } from "./errors.js";
import { readMetrics, readRunStatistics, runPaths } from "./run-directory.js";
import { temporaryFolder, twoVoiceCache } from "./test-support.js";
import { StarGanTrainer } from "./trainer.js";

const quiet = () => {};

function small(overrides: Record<string, unknown> = {}, preset = "tiny"): Promise<TrainConfig> {
  return resolveTrainConfig({
    preset,
    overrides: {
      steps: 12,
      batchSize: 4,
      cropFrames: 32,
      logEvery: 2,
      checkpointEvery: 4,
      sampleEvery: 1000,
      leakCheckEvery: 2,
      samples: { utterances: 0 },
      ...overrides,
    },
  });
}

async function generatorWeights(runDir: string, step: number): Promise<Buffer> {
  return readFileSync(join(runPaths(runDir).checkpoint(step), "generator", "weights.bin"));
}

describe("StarGanTrainer", () => {
  let cache = "";
  beforeAll(async () => {
    cache = await twoVoiceCache();
  });

  it("learns two voices: the classifier tells them apart and the cycle loss falls (tiny, 150 steps)", async () => {
    const run = temporaryFolder();
    const config = await small({ steps: 150, logEvery: 1, decayFrom: 0.4, checkpointEvery: 150, leakCheckEvery: 25 });
    const trainer = await StarGanTrainer.create(run, cache, config, quiet);
    const result = await trainer.train();
    trainer.dispose();
    expect(result.stopped).toBe("done");
    const metrics = await readMetrics(run);
    expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    // Means over the first and last 30 steps (single batches are noisy).
    const mean = (lines: typeof metrics, key: string) =>
      lines.reduce((sum, line) => sum + (line.losses[key] ?? 0), 0) / lines.length;
    const first = metrics.slice(0, 30);
    const last = metrics.slice(-30);
    expect(mean(last, "d_accuracy")).toBeGreaterThanOrEqual(0.95);
    expect(mean(last, "g_cycle")).toBeLessThan(0.5 * mean(first, "g_cycle"));
    // The generator learns to make what the classifier takes for the target speaker.
    expect(mean(last, "g_cls")).toBeLessThan(0.25 * mean(first, "g_cls"));
    const training = JSON.parse(readFileSync(runPaths(run).training, "utf8"));
    expect(training.steps).toBe(150);
    expect(training.elapsedSeconds).toBeGreaterThan(0);
  });

  it("trains on world features: the networks see the 36 normalised mel-cepstral rows; statistics, samples and resume", async () => {
    const worldCache = await twoVoiceCache(4, worldFeatureSpec);
    const run = temporaryFolder();
    const config = await small({
      steps: 4,
      cropFrames: 64,
      normalization: "speaker",
      sampleEvery: 4,
      samples: { utterances: 1, maxTargets: 2 },
    });
    const trainer = await StarGanTrainer.create(run, worldCache, config, quiet);
    expect(trainer.record.model.generator).toMatchObject({ bins: 36, output: "linear" });
    const statistics = await readRunStatistics(run);
    expect(statistics?.normalization).toBe("speaker");
    expect(Object.keys(statistics?.speakers ?? {})).toEqual(["bright", "dark"]);
    // Voiced ln F0: the dark voice's 110 Hz (+-8 % glide). The bright one has no fundamental to speak of (its
    // harmonics sit under a 2.2 kHz resonance), and DIO reads it well above its 230 Hz: only the order is asserted.
    const darkF0 = Math.exp(statistics?.speakers.dark?.logF0?.mean ?? 0);
    expect(Math.abs(darkF0 / 110 - 1)).toBeLessThan(0.1);
    expect(Math.exp(statistics?.speakers.bright?.logF0?.mean ?? 0)).toBeGreaterThan(2 * darkF0);
    const result = await trainer.train({ maxSteps: 2 });
    trainer.dispose();
    expect(result.step).toBe(2);
    const resumed = await StarGanTrainer.resume(run, {}, quiet);
    expect(resumed.conversion.map.normalization).toBe("speaker");
    await resumed.train();
    resumed.dispose();
    const samples = readdirSync(runPaths(run).samples(4)).sort();
    expect(samples.filter((name) => name.endsWith(".wav"))).toHaveLength(3);
    expect(samples.filter((name) => name.endsWith(".png"))).toHaveLength(3);
    const metrics = await readMetrics(run);
    expect(metrics.every((m) => Object.values(m.losses).every(Number.isFinite))).toBe(true);
  });

  it("warpAugmentation warps world crops (other weights than without), resumes exactly, and is refused on mel features", async () => {
    const worldCache = await twoVoiceCache(4, worldFeatureSpec);
    const config = await small(
      { steps: 4, cropFrames: 64, checkpointEvery: 2, warpAugmentation: 0.1 },
      "tiny-cepstral",
    );
    const straight = temporaryFolder();
    const a = await StarGanTrainer.create(straight, worldCache, config, quiet);
    await a.train();
    a.dispose();
    const interrupted = temporaryFolder();
    const b = await StarGanTrainer.create(interrupted, worldCache, config, quiet);
    await b.train({ maxSteps: 2 });
    b.dispose();
    const resumed = await StarGanTrainer.resume(interrupted, {}, quiet);
    await resumed.train();
    resumed.dispose();
    expect((await generatorWeights(interrupted, 4)).equals(await generatorWeights(straight, 4))).toBe(true);
    const unwarped = temporaryFolder();
    const c = await StarGanTrainer.create(unwarped, worldCache, { ...config, warpAugmentation: 0 }, quiet);
    await c.train();
    c.dispose();
    expect((await generatorWeights(unwarped, 4)).equals(await generatorWeights(straight, 4))).toBe(false);
    const onMel = StarGanTrainer.create(temporaryFolder(), cache, await small({ warpAugmentation: 0.05 }), quiet);
    await expect(onMel).rejects.toThrow(TrainConfigError);
    await expect(onMel).rejects.toThrow(/warpAugmentation: .*"world".*found "mel"/);
  });

  it("temporal (1-D) networks train on world rows, save and resume", async () => {
    const worldCache = await twoVoiceCache(4, worldFeatureSpec);
    const run = temporaryFolder();
    const config = await small({ steps: 4, cropFrames: 64 }, "temporal");
    const trainer = await StarGanTrainer.create(run, worldCache, config, quiet);
    expect(trainer.record.model.generator).toMatchObject({ kind: "temporal", bins: 36, output: "linear" });
    await trainer.train({ maxSteps: 2 });
    trainer.dispose();
    const resumed = await StarGanTrainer.resume(run, {}, quiet);
    await resumed.train();
    resumed.dispose();
    const metrics = await readMetrics(run);
    expect(metrics.map((m) => m.step)).toEqual([2, 4]);
    expect(metrics.every((m) => Object.values(m.losses).every(Number.isFinite))).toBe(true);
    expect(metrics[0]?.losses).toHaveProperty("d_cls");
  });

  it("a --run that is a file, lies under one, or cannot be created (/proc) is refused before any work", async () => {
    const config = await small();
    const file = join(temporaryFolder(), "taken");
    writeFileSync(file, "");
    await expect(StarGanTrainer.create(file, cache, config, quiet)).rejects.toThrow(
      new RegExp(`${file}: expected a folder a run can be created and written in, found a file in the way`),
    );
    await expect(StarGanTrainer.create(join(file, "run"), cache, config, quiet)).rejects.toThrow(RunDirectoryError);
    if (process.platform === "linux") {
      await expect(StarGanTrainer.create("/proc/vox-run", cache, config, quiet)).rejects.toThrow(/found ENOENT/);
    }
  });

  it("a model override (the patch classifier) is built, recorded, trained and resumed with", async () => {
    const run = temporaryFolder();
    const config = await small({ steps: 6, model: { discriminator: { classifier: "patch" } } });
    const trainer = await StarGanTrainer.create(run, cache, config, quiet);
    expect(trainer.record.model.discriminator).toMatchObject({ kind: "stargan", classifier: "patch" });
    await trainer.train({ maxSteps: 4 });
    trainer.dispose();
    const resumed = await StarGanTrainer.resume(run, {}, quiet);
    expect(resumed.record.model.discriminator).toMatchObject({ classifier: "patch" });
    await resumed.train();
    resumed.dispose();
    const metrics = await readMetrics(run);
    expect(metrics.map((m) => m.step)).toEqual([2, 4, 6]);
    for (const m of metrics) {
      expect(Number.isFinite(m.losses.d_cls) && Number.isFinite(m.losses.g_cls)).toBe(true);
      expect(m.losses.d_accuracy).toBeGreaterThanOrEqual(0);
    }
  });

  it("more labels than speakers (the seed's 1479 on any corpus) train; fewer are refused, naming the field", async () => {
    const run = temporaryFolder();
    const trainer = await StarGanTrainer.create(run, cache, await small({ steps: 2, numLabels: 7 }), quiet);
    expect(trainer.record.model.generator).toMatchObject({ numLabels: 7 });
    expect(trainer.record.model.discriminator).toMatchObject({ numClasses: 7 });
    const result = await trainer.train();
    trainer.dispose();
    expect(result.step).toBe(2);
    expect(Number.isFinite(result.lastLosses.d_cls) && Number.isFinite(result.lastLosses.g_cls)).toBe(true);
    await expect(StarGanTrainer.create(temporaryFolder(), cache, await small({ numLabels: 1 }), quiet)).rejects.toThrow(
      /numLabels: expected at least the corpus' 2 speakers \(one label each\), found 1/,
    );
  });

  it("an interrupted and resumed run reaches the same weights as an uninterrupted one", async () => {
    const straight = temporaryFolder();
    const config = await small();
    const a = await StarGanTrainer.create(straight, cache, config, quiet);
    await a.train();
    a.dispose();

    const interrupted = temporaryFolder();
    const b = await StarGanTrainer.create(interrupted, cache, config, quiet);
    const partial = await b.train({ maxSteps: 6 });
    b.dispose();
    expect([partial.step, partial.stopped]).toEqual([6, "limit"]);
    const resumed = await StarGanTrainer.resume(interrupted, {}, quiet);
    expect(resumed.step).toBe(6);
    await resumed.train();
    resumed.dispose();
    expect((await generatorWeights(interrupted, 12)).equals(await generatorWeights(straight, 12))).toBe(true);
    const metrics = await readMetrics(interrupted);
    expect(metrics.map((m) => m.step)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it("a generator warm-up (reconstruction alone) starts the GAN from a generator that keeps the frames", async () => {
    const identityAtStep1 = async (generatorWarmup: number) => {
      const lines: string[] = [];
      const tensors = tf.memory().numTensors;
      const trainer = await StarGanTrainer.create(
        temporaryFolder(),
        cache,
        await small({ steps: 1, logEvery: 1, generatorWarmup }),
        (line) => lines.push(line),
      );
      await trainer.train();
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      return { identity: (await readMetrics(trainer.runDir))[0]?.losses.g_identity as number, lines };
    };
    const cold = await identityAtStep1(0);
    const warm = await identityAtStep1(40);
    expect(cold.lines.join("\n")).not.toMatch(/warm-up/);
    const note = warm.lines.find((line) => line.startsWith("warm-up:")) ?? "";
    const [, before, after] = /identity L1 ([\d.]+) -> ([\d.]+)/.exec(note) ?? [];
    expect(note).toMatch(/^warm-up: 40 reconstruction updates of the generator/);
    expect(Number(after)).toBeLessThan(0.7 * Number(before));
    expect(warm.identity).toBeLessThan(0.7 * cold.identity);
  });

  it("a run with a warm-up, interrupted and resumed, reaches the same weights as an uninterrupted one", async () => {
    const config = await small({ generatorWarmup: 5 });
    const straight = temporaryFolder();
    const a = await StarGanTrainer.create(straight, cache, config, quiet);
    await a.train();
    a.dispose();
    const interrupted = temporaryFolder();
    const b = await StarGanTrainer.create(interrupted, cache, config, quiet);
    await b.train({ maxSteps: 6 });
    b.dispose();
    const lines: string[] = [];
    const resumed = await StarGanTrainer.resume(interrupted, {}, (line) => lines.push(line));
    await resumed.train();
    resumed.dispose();
    // Resumed past the warm-up: it is not run again.
    expect(lines.join("\n")).not.toMatch(/warm-up/);
    expect((await generatorWeights(interrupted, 12)).equals(await generatorWeights(straight, 12))).toBe(true);
  });

  it("a kill while a checkpoint is written leaves the previous one, and resuming from it still matches", async () => {
    const straight = temporaryFolder();
    const config = await small();
    const a = await StarGanTrainer.create(straight, cache, config, quiet);
    await a.train();
    a.dispose();

    const killed = temporaryFolder();
    const b = await StarGanTrainer.create(killed, cache, config, quiet);
    const crash = b.train({
      beforeCheckpointCommit: (step) => {
        if (step === 8) throw new Error("killed mid-checkpoint");
      },
    });
    await expect(crash).rejects.toThrow("killed mid-checkpoint");
    b.dispose();
    expect(await listCheckpoints(killed)).toEqual([4]);
    expect(existsSync(`${runPaths(killed).checkpoint(8)}.partial`)).toBe(true);
    const resumed = await StarGanTrainer.resume(killed, {}, quiet);
    expect(resumed.step).toBe(4);
    await resumed.train();
    resumed.dispose();
    expect(await listCheckpoints(killed)).toEqual([4, 8, 12]);
    expect((await generatorWeights(killed, 12)).equals(await generatorWeights(straight, 12))).toBe(true);
  });

  it("a signal finishes the step, checkpoints and returns; no tensors outlive the trainer", async () => {
    const before = tf.memory().numTensors;
    const run = temporaryFolder();
    const controller = new AbortController();
    const trainer = await StarGanTrainer.create(run, cache, await small({ checkpointEvery: 100, steps: 200 }), quiet);
    const result = await trainer.train({
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.step === 3) controller.abort();
      },
    });
    trainer.dispose();
    expect([result.step, result.stopped]).toEqual([3, "signal"]);
    expect(await listCheckpoints(run)).toEqual([3]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a NaN loss stops with the step and loss named, keeping the last good checkpoint", async () => {
    const poisoned = temporaryFolder();
    const copy = await twoVoiceCache(4);
    const run = temporaryFolder();
    const trainer = await StarGanTrainer.create(run, copy, await small({ validationFraction: 0 }), quiet);
    await trainer.train({ maxSteps: 4 });
    trainer.dispose();
    // Every feature file now holds NaN frames: the next step's losses cannot be finite.
    const index = await readCacheIndex(copy);
    for (const utterance of index?.utterances ?? []) {
      const path = join(copy, utterance.file);
      const bytes = readFileSync(path);
      const header = 32 + 16 * 32;
      new Float32Array(bytes.buffer, bytes.byteOffset + header, (bytes.length - header) / 4).fill(Number.NaN);
      writeFileSync(path, bytes);
    }
    const resumed = await StarGanTrainer.resume(run, {}, quiet);
    const error = await resumed.train().catch((e: unknown) => e);
    resumed.dispose();
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(5);
    expect((error as Error).message).toMatch(
      /step 5: loss d_\w+ is NaN; training stopped\. The last good checkpoint \(step 4\) is kept/,
    );
    expect(await listCheckpoints(run)).toEqual([4]);
    expect(poisoned).toBeTruthy();
  });

  it("writes metrics, samples (PNG + WAV per target) and refuses to start over an existing run", async () => {
    const run = temporaryFolder();
    const config = await small({
      steps: 2,
      sampleEvery: 2,
      samples: { utterances: 1, maxTargets: 2, griffinLimIterations: 4 },
    });
    const trainer = await StarGanTrainer.create(run, cache, config, quiet);
    await trainer.train();
    trainer.dispose();
    const files = readdirSync(runPaths(run).samples(2)).sort();
    expect(files.filter((f) => f.endsWith(".png")).length).toBe(3); // source + 2 targets
    expect(files.filter((f) => f.endsWith(".wav")).length).toBe(3);
    expect(files.some((f) => f.includes("__to__bright"))).toBe(true);
    const record = JSON.parse(readFileSync(runPaths(run).config, "utf8"));
    expect(record.speakers).toEqual(["bright", "dark"]);
    expect(record.featureSpec.nMels).toBe(32);
    await expect(StarGanTrainer.create(run, cache, config, quiet)).rejects.toThrow(RunDirectoryError);
    await expect(
      StarGanTrainer.create(temporaryFolder(), cache, await small({ cropFrames: 30 }), quiet),
    ).rejects.toThrow(TrainConfigError);
    await expect(StarGanTrainer.resume(temporaryFolder(), {}, quiet)).rejects.toThrow(/config.json/);
    await expect(StarGanTrainer.resume(run, { seed: 3 }, quiet)).rejects.toThrow(/seed: fixed when the run started/);
  });

  it("stargan-vc2 (source-and-target conditional LSGAN) and the WGAN variants take steps", async () => {
    for (const [preset, adversarial] of [
      ["stargan-vc2", "lsgan"],
      ["tiny", "wgan-gp"],
      ["tiny", "wgan-clip"],
    ] as const) {
      const trainer = await StarGanTrainer.create(
        temporaryFolder(),
        cache,
        await small({ steps: 2, adversarial, lambda: { gp: 10 } }, preset),
        quiet,
      );
      const result = await trainer.train();
      expect(result.step, preset).toBe(2);
      if (adversarial === "wgan-gp") expect(result.lastLosses.d_gp).toBeGreaterThan(0);
      if (adversarial === "wgan-clip") {
        for (const weight of trainer.discriminator.trainableWeights) {
          let largest = 0;
          for (const v of weight.read().dataSync()) largest = Math.max(largest, Math.abs(v));
          expect(largest).toBeLessThanOrEqual(0.01 + 1e-7);
        }
      }
      if (preset === "stargan-vc2") expect(result.lastLosses.g_identity).toBeGreaterThan(0);
      trainer.dispose();
    }
  });
});

describe("a training process", () => {
  /** Starts test-support/train-child.ts; resolves once it has printed `step <atLeast>`. */
  function startChild(runDir: string, cache: string, atLeast: number, mode?: "replica") {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=vox-source",
        fileURLToPath(new URL("./test-support/train-child.ts", import.meta.url)),
        runDir,
        cache,
        ...(mode ? [mode] : []),
      ],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    // A child a failed test leaves behind (one that ignored its signal) does not outlive the test.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let output = "";
    const reached = new Promise<number>((resolveStep, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const steps = [...output.matchAll(/step (\d+)/g)].map((m) => Number(m[1]));
        const last = steps[steps.length - 1] ?? 0;
        if (last >= atLeast) resolveStep(last);
      });
      child.on("exit", (code) =>
        reject(new Error(`child exited (${code}) before step ${atLeast}: ${output.slice(-500)}`)),
      );
    });
    const exited = new Promise<number | null>((resolveExit) => child.on("exit", (code) => resolveExit(code)));
    return { child, reached, exited, output: () => output };
  }

  it("SIGINT finishes the step, checkpoints and exits 0; kill -9 loses at most the steps since the last checkpoint", async () => {
    const cache = await twoVoiceCache(4);
    const interrupted = temporaryFolder();
    const first = startChild(interrupted, cache, 3);
    await first.reached;
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    const stoppedAt = Number(/stopped signal at (\d+)/.exec(first.output())?.[1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect((await listCheckpoints(interrupted)).pop()).toBe(stoppedAt);

    const killed = temporaryFolder();
    const second = startChild(killed, cache, 5);
    const lastSeen = await second.reached;
    second.child.kill("SIGKILL");
    await second.exited;
    const resumed = await StarGanTrainer.resume(killed, {}, quiet);
    expect(resumed.step).toBeGreaterThanOrEqual(lastSeen - 2);
    expect(resumed.step % 2).toBe(0);
    const before = resumed.step;
    const result = await resumed.train({ maxSteps: 1 });
    resumed.dispose();
    expect(result.step).toBe(before + 1);
  });

  it("SIGINT finishes the step and checkpoints (a step with replicas never let the handler run)", async () => {
    const cache = await twoVoiceCache(4);
    const run = temporaryFolder();
    const child = startChild(run, cache, 3, "replica");
    await child.reached;
    child.child.kill("SIGINT");
    expect(await child.exited).toBe(0);
    const stoppedAt = Number(/stopped signal at (\d+)/.exec(child.output())?.[1]);
    expect((await listCheckpoints(run)).pop()).toBe(stoppedAt);
  });
});

describe("micro-batches", () => {
  it("computed on a replica thread give the same weights and losses as on one thread", async () => {
    const cache = await twoVoiceCache(4);
    const train = async (threads: number) => {
      const run = temporaryFolder();
      const config = await small({ steps: 2, checkpointEvery: 2, logEvery: 1, microBatch: 2, threads });
      const trainer = await StarGanTrainer.create(run, cache, config, quiet);
      expect(trainer.threadCount).toBe(threads);
      await trainer.train();
      const trainable = [...trainer.generator.trainableWeights, ...trainer.discriminator.trainableWeights];
      const weights = trainable.map((w) => Array.from(w.read().dataSync()));
      trainer.dispose();
      return { weights, metrics: await readMetrics(run) };
    };
    const one = await train(1);
    const convThreads = nativeConvThreads();
    const two = await train(2);
    expect(nativeConvThreads(), "the replicas' conv thread count is undone when they stop").toBe(convThreads);
    // Two micro-batches: thread 0 sums the first, the replica the second, the optimizer adds them in order.
    // (BatchNorm's moving statistics are not trained weights: each thread keeps its own, see the README.)
    expect(two.weights).toEqual(one.weights);
    expect(two.metrics.map((m) => m.losses)).toEqual(one.metrics.map((m) => m.losses));
  });

  it("on a replica thread leave weights no loss reaches out of the optimizer, as one thread does", async () => {
    // With lambda_cls 0 nothing reaches the discriminator's cls head: no gradient, so no optimizer state (a zero
    // gradient applied instead would start Adam's moments and RMSprop's mean square for it on 2 threads only).
    const cache = await twoVoiceCache(4);
    const slottedVariables = async (threads: number) => {
      const run = temporaryFolder();
      const config = await small({ steps: 2, checkpointEvery: 2, microBatch: 2, threads, lambda: { cls: 0 } });
      const trainer = await StarGanTrainer.create(run, cache, config, quiet);
      await trainer.train();
      const count = trainer.discriminator.trainableWeights.length;
      trainer.dispose();
      const state = JSON.parse(readFileSync(join(runPaths(run).checkpoint(2), "state.json"), "utf8")) as {
        optimizers: { discriminator: { slots: { variable: number }[] } };
      };
      return { count, slotted: [...new Set(state.optimizers.discriminator.slots.map((s) => s.variable))] };
    };
    const one = await slottedVariables(1);
    const two = await slottedVariables(2);
    expect(one.slotted.length).toBeLessThan(one.count); // the cls head has none
    expect(two.slotted).toEqual(one.slotted);
  });

  it("give the whole batch's update for a per-item-normalised model (stargan-vc2)", async () => {
    const cache = await twoVoiceCache(4);
    const oneStep = async (microBatch: number | null) => {
      const run = temporaryFolder();
      const config = await small({ steps: 1, checkpointEvery: 1, logEvery: 1, microBatch }, "stargan-vc2");
      const trainer = await StarGanTrainer.create(run, cache, config, quiet);
      await trainer.train();
      trainer.dispose();
      const bytes = await generatorWeights(run, 1);
      const [line] = await readMetrics(run);
      return {
        weights: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
        losses: line?.losses ?? {},
      };
    };
    const whole = await oneStep(null);
    const micro = await oneStep(1);
    // The discriminator's losses come before any update: the mean over micro-batches is the batch mean.
    expect(micro.losses.d_adv).toBeCloseTo(whole.losses.d_adv ?? Number.NaN, 5);
    expect(micro.losses.g_cycle).toBeCloseTo(whole.losses.g_cycle ?? Number.NaN, 3);
    // Adam's first step moves each weight by +-lr (the sign of its gradient): the updates agree wherever the
    // averaged gradients agree in sign, which is all but the weights whose gradient is ~0.
    let differing = 0;
    for (let i = 0; i < whole.weights.length; i++) {
      if (Math.abs((whole.weights[i] ?? 0) - (micro.weights[i] ?? 0)) > 1e-6) differing++;
    }
    expect(differing / whole.weights.length).toBeLessThan(0.01);
    await expect(small({ batchSize: 4, microBatch: 3 })).rejects.toThrow(
      /microBatch: expected a divisor of batchSize \(4\), found 3/,
    );
  });
});
