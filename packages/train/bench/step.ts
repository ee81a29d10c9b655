/**
 * One full StarGAN training step on random data, through the trainer's own StarGanObjective and StarGanUpdater
 * (micro-batches, replica threads, host-memory optimizers on wasm), in one of two recipes:
 * - `seed-31f31449` (or another StarGAN preset) at its recorded size, as the seed record's method reads and as the
 *   PyTorch twin packages/models/bench/stargan_step.py runs it: D (WGAN-GP, lambda_gp 10, multi-label
 *   classification on real) then G (adversarial + classification + 10 x L1 cycle), RMSprop 1e-5;
 * - `demo`: the demo recipe (demoRecipe: its preset, features, crop and losses) as bench/tiny_step.py runs it.
 *   tsx step.ts <preset|demo> <batch> <microBatch> <threads> <steps>   prints one JSON line
 */
import { featureSpecs } from "@vox/dsp";
import { buildDiscriminator, buildGenerator, type PresetName, presetConfig, tf } from "@vox/models";
import { initBackend, nativeConvThreads } from "@vox/models/node";
import { resolveTrainConfig, type TrainConfig } from "../src/config.js";
import { StarGanObjective } from "../src/objective.js";
import { Optimizer } from "../src/optimizers.js";
import { demoRecipe } from "../src/recipes.js";
import { runModelConfig } from "../src/statistics.js";
import { StarGanUpdater, type TrainBatch } from "../src/updater.js";

const [recipe, batchText, microText, threadsText, stepsText] = process.argv.slice(2) as [string, ...string[]];
const batch = Number(batchText);
const parallel = { batchSize: batch, microBatch: Number(microText), threads: Number(threadsText) };
const backend = await initBackend(undefined, () => {});

async function demoStep() {
  const config = await resolveTrainConfig({
    preset: demoRecipe.preset,
    overrides: { ...demoRecipe.overrides, ...parallel },
  });
  return { model: runModelConfig(config, featureSpecs[demoRecipe.spec], 5), config };
}

async function seedStep() {
  const model = presetConfig(recipe as PresetName);
  if (model.generator.kind !== "stargan" || model.discriminator.kind !== "stargan") {
    throw new Error(`${recipe}: this benchmark step is the StarGAN (src + cls) recipe`);
  }
  const rmsprop = { type: "rmsprop" as const, learningRate: 1e-5 };
  const config: TrainConfig = await resolveTrainConfig({
    preset: recipe,
    overrides: {
      ...parallel,
      cropFrames: model.discriminator.frames,
      adversarial: "wgan-gp",
      classification: "sigmoid",
      nCritic: 1,
      lambda: { gp: 10, cls: 1, cycle: 10, identity: 0 },
      generatorOptimizer: rmsprop,
      discriminatorOptimizer: rmsprop,
    },
  });
  return { model, config };
}

const { model, config } = recipe === "demo" ? await demoStep() : await seedStep();
const { bins } = model.generator;
const numLabels = model.generator.kind === "stargan-vc2" ? model.generator.numSpeakers : model.generator.numLabels;
const objective = new StarGanObjective(
  buildGenerator(model.generator),
  buildDiscriminator(model.discriminator),
  config,
  model,
  numLabels,
);
const updater = new StarGanUpdater(
  objective,
  new Optimizer(config.generatorOptimizer),
  new Optimizer(config.discriminatorOptimizer),
  backend.name,
);
await updater.start();

/** A batch of random crops, speakers and targets (the step's cost does not depend on the values). */
function randomBatch(seed: number): TrainBatch {
  const shape: [number, number, number, number] = [batch, bins, config.cropFrames, 1];
  const x = tf.randomUniform(shape, 0, 1, "float32", seed) as tf.Tensor4D;
  const labels = () => Int32Array.from({ length: batch }, () => Math.floor(Math.random() * numLabels));
  return {
    x,
    features: x.dataSync() as Float32Array,
    source: labels(),
    target: labels(),
    otherSource: labels(),
    mix: Float32Array.from({ length: batch }, () => Math.random()),
  };
}

async function step(seed: number): Promise<void> {
  const b = randomBatch(seed);
  await updater.discriminatorUpdate(b);
  await updater.generatorUpdate(b, 0);
  b.x.dispose();
}

await step(0); // warm-up: kernels, packed filters, heap growth, replica start
const before = tf.memory().numTensors;
const times: number[] = [];
for (let i = 1; i <= Number(stepsText); i++) {
  const start = performance.now();
  await step(i);
  times.push((performance.now() - start) / 1000);
}
times.sort((a, b) => a - b);
const internals = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
console.log(
  JSON.stringify({
    recipe,
    crop: `${bins}x${config.cropFrames}`,
    backend: `${backend.name}${backend.nativeConv.active ? " + native conv" : ""}`,
    batch,
    microBatch: config.microBatch ?? batch,
    threads: updater.threadCount,
    convThreads: nativeConvThreads(),
    numLabels,
    seconds: times[Math.floor(times.length / 2)],
    tensorLeak: tf.memory().numTensors - before,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    wasmHeapMiB: internals.wasm ? Math.round(internals.wasm.HEAPU8.buffer.byteLength / 2 ** 20) : null,
  }),
);
updater.close();
