import { conditionVector, conditionWidth, type ModelConfig, tf } from "@vox/models";
import type { TrainConfig } from "./config.js";
import {
  accuracy,
  classificationLoss,
  discriminatorAdversarial,
  generatorAdversarial,
  gradientPenalty,
  l1,
} from "./losses.js";

/** One (micro-)batch: crops, their speakers, the targets they are converted to, and WGAN-GP's mixing weights. */
export interface Batch {
  x: tf.Tensor4D;
  source: Int32Array;
  target: Int32Array;
  /** Random "other" speaker for a real utterance's source-and-target code (stargan-vc2). */
  otherSource: Int32Array;
  mix: Float32Array;
}

/** Receives one backward pass's gradients (by variable name) and disposes them. */
export type GradientSink = (grads: tf.NamedTensorMap) => void;

/**
 * The StarGAN objectives on one (micro-)batch, for the networks it is given: the losses (returned as numbers)
 * and their gradients (handed to a sink). The trainer's main thread and its replica threads run the same code.
 */
export class StarGanObjective {
  readonly generatorVariables: tf.Variable[];
  readonly discriminatorVariables: tf.Variable[];

  constructor(
    readonly generator: tf.LayersModel,
    readonly discriminator: tf.LayersModel,
    readonly config: TrainConfig,
    readonly model: ModelConfig,
    readonly numSpeakers: number,
  ) {
    this.generatorVariables = generator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.discriminatorVariables = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  private conditions(from: Int32Array, to: Int32Array): tf.Tensor2D {
    const g = this.model.generator;
    const width = conditionWidth(g);
    const data = new Float32Array(from.length * width);
    for (let i = 0; i < from.length; i++) data.set(conditionVector(g, from[i] ?? 0, to[i] ?? 0), i * width);
    return tf.tensor2d(data, [from.length, width]);
  }

  private generate(x: tf.Tensor, condition: tf.Tensor): tf.Tensor {
    return this.generator.apply([x, condition], { training: true }) as tf.Tensor;
  }

  /** The discriminator's adversarial output and (StarGAN) class logits for `x`; a projection discriminator also reads `code`. */
  private judge(x: tf.Tensor, code: tf.Tensor | null): { adversarial: tf.Tensor; logits: tf.Tensor | null } {
    if (this.model.discriminator.kind !== "projection") {
      const [adversarial, logits] = this.discriminator.apply(x, { training: true }) as [tf.Tensor, tf.Tensor];
      return { adversarial, logits };
    }
    return {
      adversarial: this.discriminator.apply([x, code as tf.Tensor], { training: true }) as tf.Tensor,
      logits: null,
    };
  }

  /** Class targets as wide as the classifier: one per label, which may be more than the speakers. */
  private oneHot(labels: Int32Array): tf.Tensor2D {
    const d = this.model.discriminator;
    const classes = "numClasses" in d && d.numClasses > 0 ? d.numClasses : this.numSpeakers;
    return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), classes).toFloat()) as tf.Tensor2D;
  }

  private readKept(kept: Record<string, tf.Tensor>, labels: Int32Array): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, tensor] of Object.entries(kept)) {
      if (name === "logits") out.d_accuracy = accuracy(labels, tensor);
      else out[name] = (tensor.dataSync() as Float32Array)[0] ?? Number.NaN;
    }
    tf.dispose(Object.values(kept));
    return out;
  }

  /**
   * The discriminator's losses on one (micro-)batch; its gradients go to `sink`. WGAN-GP's penalty is
   * differentiated in a backward pass of its own: tfjs keeps every intermediate gradient of a pass until the
   * pass ends, and one pass over both terms needed more than the wasm heap for the seed's discriminator. The
   * sum of the two passes' gradients is the gradient of the sum.
   */
  discriminatorGradients(batch: Batch, sink: GradientSink): Record<string, number> {
    const { adversarial, classification, lambda } = this.config;
    const kept: Record<string, tf.Tensor> = {};
    const n = batch.source.length;
    const vc2 = this.model.discriminator.kind === "projection";
    const fake = tf.tidy(() => this.generate(batch.x, this.conditions(batch.source, batch.target)));
    // Real utterance of c judged under (c', c); converted c -> c' under (c, c'): StarGAN-VC2's source-and-target loss.
    const fakeCode = vc2 ? this.conditions(batch.source, batch.target) : null;
    tf.tidy(() => {
      const both = tf.concat([batch.x, fake]);
      const codes = vc2 ? tf.concat([this.conditions(batch.otherSource, batch.source), fakeCode as tf.Tensor]) : null;
      const loss = (): tf.Scalar => {
        const { adversarial: out, logits } = this.judge(both, codes);
        const [real, converted] = tf.split(out, [n, n]) as [tf.Tensor, tf.Tensor];
        const terms: tf.Tensor[] = [];
        const adv = discriminatorAdversarial(adversarial, real, converted);
        kept.d_adv = tf.keep(adv);
        terms.push(adv);
        if (logits && lambda.cls > 0) {
          const [realLogits] = tf.split(logits, [n, n]) as [tf.Tensor];
          const cls = classificationLoss(classification, this.oneHot(batch.source), realLogits);
          kept.d_cls = tf.keep(cls);
          kept.logits = tf.keep(realLogits);
          terms.push(tf.mul(lambda.cls, cls));
        }
        return tf.addN(terms) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss, this.discriminatorVariables);
      kept.d_total = tf.keep(value);
      sink(grads);
    });
    if (adversarial === "wgan-gp") {
      tf.tidy(() => {
        const critic = (input: tf.Tensor) => this.judge(input, fakeCode).adversarial;
        const loss = (): tf.Scalar => {
          const gp = gradientPenalty(critic, batch.x, fake, tf.tensor1d(batch.mix));
          kept.d_gp = tf.keep(gp);
          return tf.mul(lambda.gp, gp) as tf.Scalar;
        };
        const { value, grads } = tf.variableGrads(loss, this.discriminatorVariables);
        const total = kept.d_total as tf.Tensor;
        kept.d_total = tf.keep(tf.add(total, value));
        total.dispose();
        sink(grads);
      });
    }
    fake.dispose();
    fakeCode?.dispose();
    return this.readKept(kept, batch.source);
  }

  /**
   * The generator's reconstruction loss alone (L1 to the input under the speaker's own label: the identity term)
   * on one batch, as `g_warmup`; its gradients go to `sink`. What the warm-up before the GAN steps minimises.
   */
  reconstructionGradients(batch: Batch, sink: GradientSink): Record<string, number> {
    const kept: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      const same = this.conditions(batch.source, batch.source);
      const { value, grads } = tf.variableGrads(
        () => l1(batch.x, this.generate(batch.x, same)),
        this.generatorVariables,
      );
      kept.g_warmup = tf.keep(value);
      sink(grads);
    });
    return this.readKept(kept, batch.source);
  }

  /** The generator's losses on one (micro-)batch at training step `step`; its gradients go to `sink`. */
  generatorGradients(batch: Batch, step: number, sink: GradientSink): Record<string, number> {
    const { adversarial, classification, lambda, identityUntil } = this.config;
    const identityWeight = identityUntil === null || step < identityUntil ? lambda.identity : 0;
    const kept: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      const forward = this.conditions(batch.source, batch.target);
      const backward = this.conditions(batch.target, batch.source);
      const same = this.conditions(batch.source, batch.source);
      const vc2 = this.model.discriminator.kind === "projection";
      const loss = (): tf.Scalar => {
        const fake = this.generate(batch.x, forward);
        const { adversarial: out, logits } = this.judge(fake, vc2 ? forward : null);
        const terms: tf.Tensor[] = [];
        const adv = generatorAdversarial(adversarial, out);
        kept.g_adv = tf.keep(adv);
        terms.push(adv);
        if (logits && lambda.cls > 0) {
          const cls = classificationLoss(classification, this.oneHot(batch.target), logits);
          kept.g_cls = tf.keep(cls);
          terms.push(tf.mul(lambda.cls, cls));
        }
        const cycle = l1(batch.x, this.generate(fake, backward));
        kept.g_cycle = tf.keep(cycle);
        terms.push(tf.mul(lambda.cycle, cycle));
        if (identityWeight > 0) {
          const identity = l1(batch.x, this.generate(batch.x, same));
          kept.g_identity = tf.keep(identity);
          terms.push(tf.mul(identityWeight, identity));
        }
        return tf.addN(terms) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss, this.generatorVariables);
      kept.g_total = tf.keep(value);
      sink(grads);
    });
    return this.readKept(kept, batch.source);
  }
}
