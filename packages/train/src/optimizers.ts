import { tf } from "@vox/models";
import type { OptimizerConfig } from "./config.js";

/** One saved optimizer slot: which variable (its position in the network's trainable weights), which buffer. */
export interface OptimizerSlot {
  variable: number;
  slot: number;
  shape: number[];
  values: Float32Array;
}

export interface OptimizerState {
  iterations: number;
  learningRate: number;
  slots: OptimizerSlot[];
}

/**
 * RMSprop and Adam with PyTorch's update rules, written here (not tfjs's) so that the state is small (tfjs's
 * RMSprop keeps a second buffer even without momentum: 431 MB more for the seed discriminator), can be saved
 * and restored exactly for resume, and the learning rate can decay per step.
 */
export class Optimizer {
  learningRate: number;
  /** Updates applied so far (Adam's bias correction needs it). */
  iterations = 0;
  // Keyed by the variable itself: tfjs renames variables of a rebuilt model (kernel_1), so names are not stable.
  private readonly slots = new Map<tf.Variable, tf.Variable[]>();

  constructor(readonly config: OptimizerConfig) {
    this.learningRate = config.learningRate;
  }

  private slotsOf(variable: tf.Variable): tf.Variable[] {
    let slots = this.slots.get(variable);
    if (!slots) {
      const count = this.config.type === "adam" ? 2 : 1;
      // In a tidy: the zeros a variable is made from are a tensor of their own, disposed here.
      slots = tf.tidy(() => Array.from({ length: count }, () => tf.variable(tf.zerosLike(variable), false)));
      this.slots.set(variable, slots);
    }
    return slots;
  }

  /** Applies `grads` (by variable name) to `variables`, then disposes the gradients. */
  apply(variables: tf.Variable[], grads: tf.NamedTensorMap): void {
    this.iterations++;
    const { type, alpha, beta1, beta2, epsilon } = this.config;
    const lr = this.learningRate;
    const t = this.iterations;
    for (const variable of variables) {
      const grad = grads[variable.name];
      if (!grad) continue;
      const slots = this.slotsOf(variable);
      tf.tidy(() => {
        if (type === "rmsprop") {
          const [meanSquare] = slots as [tf.Variable];
          meanSquare.assign(tf.add(tf.mul(meanSquare, alpha), tf.mul(tf.square(grad), 1 - alpha)));
          variable.assign(tf.sub(variable, tf.div(tf.mul(grad, lr), tf.add(tf.sqrt(meanSquare), epsilon))));
        } else {
          const [m, v] = slots as [tf.Variable, tf.Variable];
          m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
          v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
          const mHat = tf.div(m, 1 - beta1 ** t);
          const vHat = tf.div(v, 1 - beta2 ** t);
          variable.assign(tf.sub(variable, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), epsilon))));
        }
      });
    }
    tf.dispose(Object.values(grads));
  }

  /** Every buffer, for a checkpoint; `variables` in the network's order. */
  async state(variables: tf.Variable[]): Promise<OptimizerState> {
    const slots: OptimizerSlot[] = [];
    for (const [index, variable] of variables.entries()) {
      for (const [slot, buffer] of (this.slots.get(variable) ?? []).entries()) {
        slots.push({ variable: index, slot, shape: buffer.shape, values: (await buffer.data()) as Float32Array });
      }
    }
    return { iterations: this.iterations, learningRate: this.learningRate, slots };
  }

  /** Restores what state() returned for the same network (same variables in the same order). */
  load(state: OptimizerState, variables: tf.Variable[], source: string): void {
    this.iterations = state.iterations;
    this.learningRate = state.learningRate;
    for (const slot of state.slots) {
      const variable = variables[slot.variable];
      const buffer = variable ? this.slotsOf(variable)[slot.slot] : undefined;
      if (!variable || !buffer || buffer.size !== slot.values.length) {
        throw new Error(
          `${source}: expected optimizer slot ${slot.slot} of weight ${slot.variable} to fit the network, found ${variable ? `shape ${JSON.stringify(variable.shape)}` : "no such weight"}`,
        );
      }
      tf.tidy(() => buffer.assign(tf.tensor(slot.values, slot.shape)));
    }
  }

  dispose(): void {
    for (const buffers of this.slots.values()) tf.dispose(buffers);
    this.slots.clear();
  }
}
