import { TrainError } from "./errors.js";
import { hostValues, preferHostMemory, type StateMemory, tensorFromHost, tf } from "@vox/models";
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
 *
 * Gradients arrive in parts (micro-batches, or loss terms whose backward passes are run one at a time) through
 * `accumulate`, and `step` applies their mean. Where {@link preferHostMemory} says so (wasm, cpu) the slots
 * and the running sum are host Float32Arrays and the update is one JS loop per weight: the seed
 * discriminator's slot and sum (746 MB) stay out of the 4 GiB wasm heap, and no weight-sized temporaries are
 * made there. Elsewhere they are device tensors.
 */
export class Optimizer {
  learningRate: number;
  /** Updates applied so far (Adam's bias correction needs it). */
  iterations = 0;
  readonly memory: StateMemory;
  // Keyed by the variable itself: tfjs renames variables of a rebuilt model (kernel_1), so names are not stable.
  private readonly slots = new Map<tf.Variable, tf.Variable[]>();
  private readonly hostSlots = new Map<tf.Variable, Float32Array[]>();
  private readonly deviceSums = new Map<tf.Variable, tf.Tensor>();
  private readonly hostSums = new Map<tf.Variable, Float32Array>();
  /** Which variables have a gradient in the running sum (host sums are reused from step to step). */
  private readonly pending = new Set<tf.Variable>();
  /** New weights are computed here, then copied into a tensor: one buffer for every weight. */
  private scratch = new Float32Array(0);

  constructor(
    readonly config: OptimizerConfig,
    memory?: StateMemory,
  ) {
    this.learningRate = config.learningRate;
    this.memory = memory ?? (preferHostMemory() ? "host" : "device");
  }

  private get slotCount(): number {
    return this.config.type === "adam" ? 2 : 1;
  }

  private slotsOf(variable: tf.Variable): tf.Variable[] {
    let slots = this.slots.get(variable);
    if (!slots) {
      // In a tidy: the zeros a variable is made from are a tensor of their own, disposed here.
      slots = tf.tidy(() => Array.from({ length: this.slotCount }, () => tf.variable(tf.zerosLike(variable), false)));
      this.slots.set(variable, slots);
    }
    return slots;
  }

  private hostSlotsOf(variable: tf.Variable): Float32Array[] {
    let slots = this.hostSlots.get(variable);
    if (!slots) {
      slots = Array.from({ length: this.slotCount }, () => new Float32Array(variable.size));
      this.hostSlots.set(variable, slots);
    }
    return slots;
  }

  /** Adds `grads` (by variable name) to the running sum, then disposes them. */
  accumulate(variables: tf.Variable[], grads: tf.NamedTensorMap): void {
    for (const variable of variables) {
      const grad = grads[variable.name];
      if (!grad) continue;
      const first = !this.pending.has(variable);
      this.pending.add(variable);
      if (this.memory === "device") {
        const previous = this.deviceSums.get(variable);
        this.deviceSums.set(variable, first || !previous ? tf.keep(grad.clone()) : tf.keep(tf.add(previous, grad)));
        previous?.dispose();
        continue;
      }
      this.addToHostSum(variable, hostValues(grad), first);
    }
    tf.dispose(Object.values(grads));
  }

  /**
   * Adds gradients given as host arrays (one per variable, in `variables`' order; undefined where a variable
   * has none): the sums a replica thread computed.
   */
  accumulateValues(variables: tf.Variable[], values: (Float32Array | undefined)[]): void {
    for (const [index, variable] of variables.entries()) {
      const grad = values[index];
      if (!grad) continue;
      const first = !this.pending.has(variable);
      this.pending.add(variable);
      if (this.memory === "device") {
        const previous = this.deviceSums.get(variable);
        const added = tf.tidy(() => {
          const t = tensorFromHost(grad, variable.shape);
          return first || !previous ? t : tf.add(previous, t);
        });
        this.deviceSums.set(variable, added);
        previous?.dispose();
        continue;
      }
      this.addToHostSum(variable, grad, first);
    }
  }

  private addToHostSum(variable: tf.Variable, values: Float32Array, first: boolean): void {
    let sum = this.hostSums.get(variable);
    if (!sum) {
      sum = new Float32Array(variable.size);
      this.hostSums.set(variable, sum);
    }
    if (first) sum.set(values);
    else for (let i = 0; i < sum.length; i++) (sum[i] as number) += values[i] as number;
  }

  /** Applies the mean of the accumulated parts (the sum divided by `parts`) and clears the sum. */
  step(variables: tf.Variable[], parts = 1): void {
    this.iterations++;
    for (const variable of variables) {
      if (!this.pending.has(variable)) continue;
      if (this.memory === "device") this.stepOnDevice(variable, parts);
      else this.stepOnHost(variable, parts);
    }
    this.pending.clear();
  }

  /** Applies `grads` (by variable name) to `variables`, then disposes the gradients. */
  apply(variables: tf.Variable[], grads: tf.NamedTensorMap): void {
    this.accumulate(variables, grads);
    this.step(variables);
  }

  private stepOnDevice(variable: tf.Variable, parts: number): void {
    const { type, alpha, beta1, beta2, epsilon } = this.config;
    const lr = this.learningRate;
    const t = this.iterations;
    const sum = this.deviceSums.get(variable) as tf.Tensor;
    this.deviceSums.delete(variable);
    const slots = this.slotsOf(variable);
    tf.tidy(() => {
      const grad = parts === 1 ? sum : tf.div(sum, parts);
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
    sum.dispose();
  }

  private stepOnHost(variable: tf.Variable, parts: number): void {
    const { type, alpha, beta1, beta2, epsilon } = this.config;
    const lr = this.learningRate;
    const sum = this.hostSums.get(variable) as Float32Array;
    const slots = this.hostSlotsOf(variable);
    const n = variable.size;
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    const out = this.scratch.subarray(0, n);
    const w = hostValues(variable); // a view: no tfjs op may run until the loop is done
    const scale = 1 / parts;
    if (type === "rmsprop") {
      const meanSquare = slots[0] as Float32Array;
      for (let i = 0; i < n; i++) {
        const g = (sum[i] as number) * scale;
        const s = Math.fround(alpha * (meanSquare[i] as number) + (1 - alpha) * g * g);
        meanSquare[i] = s;
        out[i] = (w[i] as number) - (lr * g) / (Math.sqrt(s) + epsilon);
      }
    } else {
      const [m, v] = slots as [Float32Array, Float32Array];
      const c1 = 1 - beta1 ** this.iterations;
      const c2 = 1 - beta2 ** this.iterations;
      for (let i = 0; i < n; i++) {
        const g = (sum[i] as number) * scale;
        const mi = Math.fround(beta1 * (m[i] as number) + (1 - beta1) * g);
        const vi = Math.fround(beta2 * (v[i] as number) + (1 - beta2) * g * g);
        m[i] = mi;
        v[i] = vi;
        out[i] = (w[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
      }
    }
    const next = tensorFromHost(out, variable.shape);
    variable.assign(next);
    next.dispose();
  }

  /** Every buffer, for a checkpoint; `variables` in the network's order. */
  async state(variables: tf.Variable[]): Promise<OptimizerState> {
    const slots: OptimizerSlot[] = [];
    for (const [index, variable] of variables.entries()) {
      if (this.memory === "host") {
        for (const [slot, values] of (this.hostSlots.get(variable) ?? []).entries()) {
          slots.push({ variable: index, slot, shape: variable.shape, values: values.slice() });
        }
        continue;
      }
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
      const size = variable && slot.slot < this.slotCount ? variable.size : undefined;
      if (!variable || size !== slot.values.length) {
        throw new TrainError(
          source,
          `optimizer slot ${slot.slot} of weight ${slot.variable} to fit the network`,
          `${variable ? `shape ${JSON.stringify(variable.shape)}` : "no such weight"}`,
        );
      }
      if (this.memory === "host") (this.hostSlotsOf(variable)[slot.slot] as Float32Array).set(slot.values);
      else {
        const buffer = this.slotsOf(variable)[slot.slot] as tf.Variable;
        tf.tidy(() => buffer.assign(tf.tensor(slot.values, slot.shape)));
      }
    }
  }

  dispose(): void {
    for (const buffers of this.slots.values()) tf.dispose(buffers);
    tf.dispose([...this.deviceSums.values()]);
    this.slots.clear();
    this.deviceSums.clear();
    this.hostSlots.clear();
    this.hostSums.clear();
    this.pending.clear();
  }
}
