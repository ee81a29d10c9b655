import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../node.js";
import * as tf from "../tfjs.js";

/** The registered FusedBatchNorm gradient against the same function written with elementary ops. */
describe.each(["wasm", "cpu"] as const)("BatchNorm gradient on %s", (backend) => {
  beforeAll(async () => {
    await initBackend(backend, () => {});
  });

  for (const paramShape of [[5], [1, 1, 1, 5]]) {
    it(`matches the elementary-op reference for every input (parameters ${JSON.stringify(paramShape)})`, () => {
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([2, 3, 4, 5], 0, 1, "float32", 1);
      const param = (seed: number, low: number) => tf.randomUniform(paramShape, low, 1.5, "float32", seed);
      const [mean, variance, offset, scale] = [param(2, -1), param(3, 0.2), param(4, -1), param(5, 0.5)];
      const probe = tf.randomNormal([2, 3, 4, 5], 0, 1, "float32", 6);
      const fused = (...a: tf.Tensor[]) =>
        tf.sum(
          tf.mul(tf.batchNorm(a[0] as tf.Tensor4D, a[1] as tf.Tensor, a[2] as tf.Tensor, a[3], a[4], 1e-3), probe),
        );
      const reference = (...a: tf.Tensor[]) => {
        const [xi, m, v, o, s] = a as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const y = tf.add(tf.mul(tf.div(tf.sub(xi, m), tf.sqrt(tf.add(v, 1e-3))), s), o);
        return tf.sum(tf.mul(y, probe));
      };
      const inputs = [x, mean, variance, offset, scale];
      const got = tf.grads(fused)(inputs);
      const want = tf.grads(reference)(inputs);
      for (let i = 0; i < inputs.length; i++) {
        expect(got[i]?.shape).toEqual(inputs[i]?.shape);
        const error = tf.tidy(() => tf.max(tf.abs(tf.sub(got[i] as tf.Tensor, want[i] as tf.Tensor))).dataSync()[0]);
        expect(error).toBeLessThan(1e-4);
      }
      tf.dispose([...inputs, probe, ...got, ...want]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("broadcasts instead of tiling", async () => {
    const x = tf.randomNormal([1, 8, 8, 4]);
    const stats = [tf.zeros([4]), tf.ones([4]), tf.zeros([4]), tf.ones([4])];
    const profile = await tf.profile(() => {
      const [dx] = tf.grads((a: tf.Tensor) =>
        tf.sum(tf.batchNorm(a as tf.Tensor4D, stats[0] as tf.Tensor, stats[1] as tf.Tensor, stats[2], stats[3])),
      )([x]);
      return dx as tf.Tensor;
    });
    expect(profile.kernelNames).toContain("FusedBatchNorm");
    expect(profile.kernelNames).not.toContain("Tile");
    tf.dispose([x, ...stats, profile.result as tf.Tensor]);
  });
});
