/**
 * One full StarGAN training step of a preset, as the seed record's method reads: a D step (WGAN-GP,
 * lambda_gp 10, + multi-label classification on real) then a G step (adversarial + classification + 10 x L1
 * cycle), RMSprop 1e-5, batch 2. The trainer package owns the real loop; this is the benchmark's fixed step.
 */
import { buildDiscriminator } from "../src/discriminators.js";
import { buildGenerator } from "../src/generators.js";
import { type PresetName, presetConfig } from "../src/presets.js";
import * as tf from "../src/tfjs.js";

/**
 * PyTorch's RMSprop without momentum (alpha 0.99, eps 1e-8): one mean-square buffer per weight. tfjs's
 * RMSpropOptimizer keeps a second (moment) buffer even at momentum 0 — 431 MB more for the seed preset, which
 * the wasm heap cannot spare.
 */
class LeanRmsProp {
  private readonly meanSquares = new Map<tf.Variable, tf.Variable>();
  constructor(
    private readonly learningRate: number,
    private readonly alpha = 0.99,
    private readonly epsilon = 1e-8,
  ) {}

  /** Minimises `loss` over `variables`; returns nothing (the loss value is not needed here). */
  minimize(loss: () => tf.Scalar, variables: tf.Variable[]): void {
    const { value, grads } = tf.variableGrads(loss, variables);
    value.dispose();
    for (const variable of variables) {
      const grad = grads[variable.name];
      if (!grad) continue;
      let ms = this.meanSquares.get(variable);
      if (!ms) {
        ms = tf.variable(tf.zerosLike(variable), false);
        this.meanSquares.set(variable, ms);
      }
      const state = ms;
      tf.tidy(() => {
        state.assign(tf.add(tf.mul(state, this.alpha), tf.mul(tf.square(grad), 1 - this.alpha)));
        variable.assign(
          tf.sub(variable, tf.div(tf.mul(grad, this.learningRate), tf.add(tf.sqrt(state), this.epsilon))),
        );
      });
      grad.dispose();
    }
  }

  dispose(): void {
    for (const ms of this.meanSquares.values()) ms.dispose();
  }
}

export interface StepSetup {
  step: () => void;
  dispose: () => void;
}

export function starGanStep(preset: PresetName, batch = 2): StepSetup {
  const config = presetConfig(preset);
  if (config.generator.kind !== "stargan" || config.discriminator.kind !== "stargan") {
    throw new Error(`${preset}: this benchmark step is the StarGAN (src + cls) recipe`);
  }
  const { bins, numLabels } = config.generator;
  const frames = config.discriminator.frames;
  const G = buildGenerator(config.generator);
  const D = buildDiscriminator(config.discriminator);
  const gOptimizer = new LeanRmsProp(1e-5);
  const dOptimizer = new LeanRmsProp(1e-5);
  const x = tf.randomUniform([batch, bins, frames, 1], 0, 1, "float32", 1);
  const labels = (seed: number) =>
    tf.cast(tf.less(tf.randomUniform([batch, numLabels], 0, 1, "float32", seed), 0.01), "float32");
  const org = labels(2);
  const trg = labels(3);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const critic = (input: tf.Tensor) => D.apply(input, { training: true }) as tf.Tensor[];
  const generate = (input: tf.Tensor, target: tf.Tensor) => G.apply([input, target], { training: true }) as tf.Tensor;
  const step = () => {
    tf.tidy(() => {
      const fake = tf.tidy(() => generate(x, trg));
      const dLoss = () => {
        // Real and converted in one batch: each weight is used once, so tfjs builds one gradient per weight
        // instead of two plus their sum (1.9 -> 1.3 GB peak for the seed's D at batch 1).
        const [src, cls] = critic(tf.concat([x, fake])) as [tf.Tensor, tf.Tensor];
        const [srcReal, srcFake] = tf.split(src, 2) as [tf.Tensor, tf.Tensor];
        const [clsReal] = tf.split(cls, 2) as [tf.Tensor];
        const alpha = tf.randomUniform([batch, 1, 1, 1]);
        const xHat = tf.add(tf.mul(alpha, x), tf.mul(tf.sub(1, alpha), fake));
        const grad = tf.grad((input: tf.Tensor) => tf.sum((critic(input) as tf.Tensor[])[0] as tf.Tensor))(xHat);
        const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), [1, 2, 3]), 1e-12));
        const gp = tf.mean(tf.square(tf.sub(norm, 1)));
        const classification = tf.losses.sigmoidCrossEntropy(org, clsReal);
        return tf.addN([tf.neg(tf.mean(srcReal)), tf.mean(srcFake), classification, tf.mul(10, gp)]) as tf.Scalar;
      };
      dOptimizer.minimize(dLoss, dVars);
      const gLoss = () => {
        const converted = generate(x, trg);
        const [src, cls] = critic(converted) as [tf.Tensor, tf.Tensor];
        const reconstructed = generate(converted, org);
        const cycle = tf.mean(tf.abs(tf.sub(x, reconstructed)));
        return tf.addN([tf.neg(tf.mean(src)), tf.losses.sigmoidCrossEntropy(trg, cls), tf.mul(10, cycle)]) as tf.Scalar;
      };
      gOptimizer.minimize(gLoss, gVars);
    });
  };
  return {
    step,
    dispose: () => {
      tf.dispose([x, org, trg]);
      gOptimizer.dispose();
      dOptimizer.dispose();
      G.dispose();
      D.dispose();
    },
  };
}
