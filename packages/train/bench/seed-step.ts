/**
 * One full StarGAN training step of a preset at its recorded size, on random data, as the seed record's method
 * reads and as the PyTorch twin (packages/models/bench/stargan_step.py) runs it: a D step (WGAN-GP, lambda_gp
 * 10, + multi-label classification on real) then a G step (adversarial + classification + 10 x L1 cycle),
 * RMSprop 1e-5. Built from the trainer's parts (losses, Optimizer with its host-memory state on wasm);
 * `microBatch` items per backward pass, gradients averaged over the batch as the trainer does.
 *   tsx seed-step.ts <preset> <batch> <microBatch> <steps>   prints one JSON line
 */
import { buildDiscriminator, buildGenerator, initBackend, type PresetName, presetConfig, tf } from "@vox/models";
import {
  classificationLoss,
  discriminatorAdversarial,
  generatorAdversarial,
  gradientPenalty,
  l1,
} from "../src/losses.js";
import { Optimizer } from "../src/optimizers.js";

const [preset, batchText, microText, stepsText] = process.argv.slice(2) as [PresetName, string, string, string];
const batch = Number(batchText);
const micro = Number(microText);
const backend = await initBackend(undefined, () => {});
const config = presetConfig(preset);
if (config.generator.kind !== "stargan" || config.discriminator.kind !== "stargan") {
  throw new Error(`${preset}: this benchmark step is the StarGAN (src + cls) recipe`);
}
const { bins, numLabels } = config.generator;
const frames = config.discriminator.frames;
const G = buildGenerator(config.generator);
const D = buildDiscriminator(config.discriminator);
const rmsprop = { type: "rmsprop" as const, learningRate: 1e-5, alpha: 0.99, epsilon: 1e-8, beta1: 0.9, beta2: 0.999 };
const gOptimizer = new Optimizer(rmsprop);
const dOptimizer = new Optimizer(rmsprop);
const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
const critic = (input: tf.Tensor) => D.apply(input, { training: true }) as [tf.Tensor, tf.Tensor];
const generate = (input: tf.Tensor, code: tf.Tensor) => G.apply([input, code], { training: true }) as tf.Tensor;
const labels = (seed: number) =>
  tf.tidy(() => tf.cast(tf.less(tf.randomUniform([batch, numLabels], 0, 1, "float32", seed), 0.01), "float32"));
const x = tf.randomUniform([batch, bins, frames, 1], 0, 1, "float32", 1);
const org = labels(2);
const trg = labels(3);
const mix = tf.randomUniform([batch], 0, 1, "float32", 4);

/** Accumulates one backward pass of `loss` into `optimizer`. */
function backward(optimizer: Optimizer, variables: tf.Variable[], loss: () => tf.Scalar): void {
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, variables);
    value.dispose();
    optimizer.accumulate(variables, grads);
  });
}

function step(): void {
  const parts = batch / micro;
  const chunks = Array.from({ length: parts }, (_, i) =>
    tf.tidy(() => {
      const slice = <T extends tf.Tensor>(t: T) => tf.slice(t, i * micro, micro) as T;
      return { x: slice(x), org: slice(org), trg: slice(trg), mix: slice(mix) };
    }),
  );
  for (const c of chunks) {
    const fake = tf.tidy(() => generate(c.x, c.trg));
    backward(dOptimizer, dVars, () => {
      const [src, cls] = critic(tf.concat([c.x, fake]));
      const [srcReal, srcFake] = tf.split(src, 2) as [tf.Tensor, tf.Tensor];
      const [clsReal] = tf.split(cls, 2) as [tf.Tensor];
      return tf.add(
        discriminatorAdversarial("wgan-gp", srcReal, srcFake),
        classificationLoss("sigmoid", c.org, clsReal),
      );
    });
    backward(dOptimizer, dVars, () =>
      tf.mul(
        10,
        gradientPenalty((v) => critic(v)[0], c.x, fake, c.mix),
      ),
    );
    fake.dispose();
  }
  dOptimizer.step(dVars, parts);
  for (const c of chunks) {
    backward(gOptimizer, gVars, () => {
      const converted = generate(c.x, c.trg);
      const [src, cls] = critic(converted);
      return tf.addN([
        generatorAdversarial("wgan-gp", src),
        classificationLoss("sigmoid", c.trg, cls),
        tf.mul(10, l1(c.x, generate(converted, c.org))),
      ]) as tf.Scalar;
    });
  }
  gOptimizer.step(gVars, parts);
  for (const c of chunks) tf.dispose(Object.values(c));
}

step(); // warm-up: kernels, packed filters, heap growth
const before = tf.memory().numTensors;
const times: number[] = [];
for (let i = 0; i < Number(stepsText); i++) {
  const start = performance.now();
  step();
  times.push((performance.now() - start) / 1000);
}
times.sort((a, b) => a - b);
const wasmHeapMiB = (() => {
  const internals = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return internals.wasm ? Math.round(internals.wasm.HEAPU8.buffer.byteLength / 2 ** 20) : null;
})();
console.log(
  JSON.stringify({
    preset,
    backend: backend.name,
    batch,
    microBatch: micro,
    numLabels,
    seconds: times[Math.floor(times.length / 2)],
    tensorLeak: tf.memory().numTensors - before,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    wasmHeapMiB,
  }),
);
