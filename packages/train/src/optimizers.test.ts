import { tf } from "@vox/models";
import { initBackend } from "@vox/models/node";
import { beforeAll, describe, expect, it } from "vitest";
import { Optimizer } from "./optimizers.js";

/** PyTorch's update rules, by hand, for a scalar weight w with gradient 2w (loss w^2). */
function reference(type: "rmsprop" | "adam", w0: number, steps: number, lr: number): number {
  let w = w0;
  let s = 0;
  let m = 0;
  let v = 0;
  for (let t = 1; t <= steps; t++) {
    const g = 2 * w;
    if (type === "rmsprop") {
      s = 0.99 * s + 0.01 * g * g;
      w -= (lr * g) / (Math.sqrt(s) + 1e-8);
    } else {
      m = 0.5 * m + 0.5 * g;
      v = 0.999 * v + 0.001 * g * g;
      w -= (lr * (m / (1 - 0.5 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  return w;
}

describe("Optimizer", () => {
  beforeAll(async () => {
    await initBackend("cpu", () => {});
  });

  for (const [type, memory] of [
    ["rmsprop", "device"],
    ["rmsprop", "host"],
    ["adam", "device"],
    ["adam", "host"],
  ] as const) {
    it(`${type} with state in ${memory} memory follows PyTorch's update, and saved state resumes it exactly`, async () => {
      const config = { type, learningRate: 0.01, beta1: 0.5, beta2: 0.999, alpha: 0.99, epsilon: 1e-8 };
      const w = tf.variable(tf.tensor1d([1.5, -0.5]));
      const optimizer = new Optimizer(config, memory);
      const step = () => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]);
        optimizer.apply([w], grads);
      };
      for (let i = 0; i < 3; i++) step();
      const state = await optimizer.state([w]);
      const resumedW = tf.variable(w.clone());
      for (let i = 0; i < 2; i++) step();
      const values = w.dataSync();
      expect(values[0]).toBeCloseTo(reference(type, 1.5, 5, 0.01), 5);
      expect(values[1]).toBeCloseTo(reference(type, -0.5, 5, 0.01), 5);

      const resumed = new Optimizer(config, memory);
      resumed.load(state, [resumedW], "test");
      for (let i = 0; i < 2; i++) {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(resumedW)) as tf.Scalar, [resumedW]);
        resumed.apply([resumedW], grads);
      }
      expect(Array.from(resumedW.dataSync())).toEqual(Array.from(values));
      expect(() => resumed.load(state, [tf.variable(tf.zeros([3]))], "other.bin")).toThrow(/other.bin/);
      tf.dispose([w, resumedW]);
      optimizer.dispose();
      resumed.dispose();
    });
  }

  for (const memory of ["device", "host"] as const) {
    it(`averages gradients accumulated in parts (${memory} memory) and leaks no tensor`, () => {
      const config = {
        type: "rmsprop" as const,
        learningRate: 0.01,
        beta1: 0.5,
        beta2: 0.999,
        alpha: 0.99,
        epsilon: 1e-8,
      };
      const whole = tf.variable(
        tf.tensor2d([
          [1, -2],
          [3, 0.5],
        ]),
      );
      const parted = tf.variable(whole.clone());
      const target = tf.tensor2d([
        [0, 1],
        [2, -1],
      ]);
      const loss = (w: tf.Variable, rows: number[]) => () =>
        tf.tidy(() => tf.mean(tf.square(tf.sub(tf.gather(w, rows), tf.gather(target, rows)))) as tf.Scalar);
      const gradients = (f: () => tf.Scalar, w: tf.Variable) => {
        const { value, grads } = tf.variableGrads(f, [w]);
        value.dispose();
        return grads;
      };
      const a = new Optimizer(config, memory);
      const b = new Optimizer(config, memory);
      const before = tf.memory().numTensors;
      for (let step = 0; step < 3; step++) {
        a.apply([whole], gradients(loss(whole, [0, 1]), whole));
        // The same mean loss as two halves: each half's gradient, summed, then halved by step(..., 2).
        b.accumulate([parted], gradients(loss(parted, [0]), parted));
        b.accumulate([parted], gradients(loss(parted, [1]), parted));
        b.step([parted], 2);
      }
      // Device memory: one RMSprop slot per optimizer; host memory: none.
      expect(tf.memory().numTensors).toBe(before + (memory === "device" ? 2 : 0));
      const x = Array.from(whole.dataSync());
      const y = Array.from(parted.dataSync());
      for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(x[i] as number, 6);
      expect(x).not.toEqual([1, -2, 3, 0.5]);
      a.dispose();
      b.dispose();
      tf.dispose([whole, parted, target]);
    });
  }
});
