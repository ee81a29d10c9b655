import { tf } from "@vox/models";
import { initBackend } from "@vox/models/node";
import { beforeAll, describe, expect, it } from "vitest";
import {
  accuracy,
  classificationLoss,
  discriminatorAdversarial,
  generatorAdversarial,
  gradientPenalty,
  l1,
} from "./losses.js";

const value = (t: tf.Tensor) => (t.dataSync() as Float32Array)[0] ?? Number.NaN;

describe("losses", () => {
  beforeAll(async () => {
    await initBackend("cpu", () => {});
  });

  it("adversarial losses: WGAN and least squares on known outputs", () => {
    const real = tf.tensor1d([1, 3]);
    const fake = tf.tensor1d([0, -2]);
    expect(value(discriminatorAdversarial("wgan-gp", real, fake))).toBeCloseTo(-1 - 2, 6);
    expect(value(generatorAdversarial("wgan-clip", fake))).toBeCloseTo(1, 6);
    expect(value(discriminatorAdversarial("lsgan", real, fake))).toBeCloseTo((0 + 4) / 2 + (0 + 4) / 2, 6);
    expect(value(generatorAdversarial("lsgan", fake))).toBeCloseTo((1 + 9) / 2, 6);
  });

  it("gradient penalty of a linear critic is (||w|| - 1)^2 wherever it is taken", () => {
    const w = tf.tensor4d([0.6, 0.8, 1.2, 0], [1, 2, 2, 1]); // ||w|| = sqrt(0.36 + 0.64 + 1.44) = 1.562
    const critic = (x: tf.Tensor) => tf.sum(tf.mul(x, w), [1, 2, 3]);
    const real = tf.randomUniform([3, 2, 2, 1], 0, 1, "float32", 1);
    const fake = tf.randomUniform([3, 2, 2, 1], 0, 1, "float32", 2);
    const gp = gradientPenalty(critic, real, fake, tf.tensor1d([0.1, 0.5, 0.9]));
    expect(value(gp)).toBeCloseTo((Math.sqrt(2.44) - 1) ** 2, 5);
  });

  it("classification, L1 and accuracy on known values", () => {
    const oneHot = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const logits = tf.tensor2d([
      [2, 0],
      [0, 1],
    ]);
    const softmax = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1))) / 2;
    expect(value(classificationLoss("softmax", oneHot, logits))).toBeCloseTo(softmax, 5);
    expect(value(classificationLoss("sigmoid", oneHot, logits))).toBeGreaterThan(0);
    expect(value(l1(tf.tensor1d([1, 2]), tf.tensor1d([0, 4])))).toBeCloseTo(1.5, 6);
    expect(accuracy(new Int32Array([0, 0]), logits)).toBe(0.5);
  });

  it("patch logits: the loss is the mean over patches, accuracy votes by summed log-probabilities", () => {
    const oneHot = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    // Item 0: patches [2, 0] and [0, 1]; item 1: [0, 1] and [0, 1] (n, 1, 2, classes).
    const logits = tf.tensor4d([2, 0, 0, 1, 0, 1, 0, 1], [2, 1, 2, 2]);
    const ce = (right: number, wrong: number) => Math.log(1 + Math.exp(wrong - right));
    const expected = (ce(2, 0) + ce(0, 1) + ce(1, 0) + ce(1, 0)) / 4;
    expect(value(classificationLoss("softmax", oneHot, logits))).toBeCloseTo(expected, 5);
    // Item 0: sum of ln p(0) over its patches is -1.44, of ln p(1) -2.44: class 0 wins.
    expect(accuracy(new Int32Array([0, 1]), logits)).toBe(1);
    expect(accuracy(new Int32Array([1, 1]), logits)).toBe(0.5);
  });
});
