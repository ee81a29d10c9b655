import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./node.js";
import { buildDiscriminator } from "./discriminators.js";
import { validateModelConfig } from "./config.js";
import { buildGenerator, timeMultiple } from "./generators.js";
import { presetConfig } from "./presets.js";
import * as tf from "./tfjs.js";

beforeAll(async () => {
  await initBackend("wasm", () => {});
});

function oneHot(indices: number[], depth: number): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d(indices, "int32"), depth).toFloat() as tf.Tensor2D;
}

describe("generators run on any utterance length", () => {
  it("tiny: outputs in (0, 1) with the input's shape for 64 and 100 frames", () => {
    const config = presetConfig("tiny");
    const g = buildGenerator(config.generator);
    expect(timeMultiple(config.generator)).toBe(4);
    for (const frames of [64, 100]) {
      tf.tidy(() => {
        const x = tf.randomUniform([2, 80, frames, 1], 0, 1, "float32", 1);
        const y = g.predict([x, oneHot([0, 3], 4)]) as tf.Tensor;
        expect(y.shape).toEqual([2, 80, frames, 1]);
        const [min, max] = [tf.min(y).dataSync()[0] as number, tf.max(y).dataSync()[0] as number];
        expect(min).toBeGreaterThan(0);
        expect(max).toBeLessThan(1);
      });
    }
    g.dispose();
  });

  it("stargan-vc2: 2-1-2D generator on 80 mel bands for 64 and 76 frames; projection D on any length", () => {
    const config = presetConfig("stargan-vc2", { numLabels: 3 });
    const g = buildGenerator(config.generator);
    const d = buildDiscriminator(config.discriminator);
    expect(g.getLayer("to_1d").outputShape).toEqual([null, 1, null, 20 * 256]);
    for (const frames of [64, 76]) {
      tf.tidy(() => {
        const code = tf.concat([oneHot([0, 1], 3), oneHot([2, 0], 3)], 1);
        const y = g.predict([tf.randomUniform([2, 80, frames, 1], 0, 1, "float32", 2), code]) as tf.Tensor;
        expect(y.shape).toEqual([2, 80, frames, 1]);
        expect((d.predict([y, code]) as tf.Tensor).shape).toEqual([2, 1]);
      });
    }
    g.dispose();
    d.dispose();
  });

  it("temporal: 1-D convs over time on 36 cepstral rows, any multiple of 4 frames; the discriminator classifies patches", () => {
    const config = presetConfig("temporal", { numLabels: 3 });
    const g = buildGenerator(config.generator);
    const d = buildDiscriminator(config.discriminator);
    // The rows are folded into channels: the first conv spans all 36 rows of 5 frames.
    expect(g.getLayer("in_conv").getWeights()[0]?.shape).toEqual([1, 5, 36, 128]);
    // Each residual block sees the 3 labels beside its 256 channels.
    expect(g.getLayer("res1_conv").getWeights()[0]?.shape).toEqual([1, 5, 259, 512]);
    tf.tidy(() => {
      for (const frames of [64, 100]) {
        const y = g.predict([tf.randomNormal([2, 36, frames, 1]), oneHot([0, 2], 3)]) as tf.Tensor;
        expect(y.shape).toEqual([2, 36, frames, 1]);
        const [src, cls] = d.predict(y) as tf.Tensor[];
        expect(src?.shape).toEqual([2, 1, frames / 4, 1]);
        expect(cls?.shape).toEqual([2, 1, frames / 4, 3]);
      }
    });
    g.dispose();
    d.dispose();
  });

  it("temporal with residual: a network whose last conv is zero returns its input exactly", () => {
    const preset = presetConfig("temporal", { numLabels: 2 }).generator;
    const g = buildGenerator({ ...preset, residual: true } as typeof preset);
    const out = g.getLayer("out_conv");
    out.setWeights(out.getWeights().map((w) => tf.zerosLike(w)));
    tf.tidy(() => {
      const x = tf.randomNormal([1, 36, 32, 1]);
      const y = g.predict([x, oneHot([1], 2)]) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBe(0);
    });
    g.dispose();
  });

  it("tiny-cepstral with residual: untrained it returns its input exactly, one step changes it, no leaks", () => {
    const preset = presetConfig("tiny-cepstral", { numLabels: 3, bins: 36, output: "linear" }).generator;
    const config = validateModelConfig({
      ...presetConfig("tiny-cepstral", { numLabels: 3, bins: 36, output: "linear" }),
      generator: { ...preset, residual: true },
    }).generator;
    const g = buildGenerator(config);
    const x = tf.randomNormal([2, 36, 32, 1]);
    const labels = oneHot([0, 2], 3);
    tf.tidy(() => {
      const y = g.predict([x, labels]) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBe(0);
    });
    // Plain gradient steps on an L1 loss toward 1 (the last layer's gradient is not zero). The first step may
    // allocate what later ones reuse (BatchNorm's moving statistics): count from the second, as the trainer does.
    const variables = g.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.abs(tf.sub(g.apply([x, labels], { training: true }) as tf.Tensor, 1))) as tf.Scalar,
        variables,
      );
      for (const v of variables) {
        const grad = grads[v.name] as tf.Tensor;
        const next = tf.tidy(() => tf.sub(v, tf.mul(grad, 0.1)));
        v.assign(next);
        next.dispose();
      }
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const afterFirst = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(afterFirst);
    tf.tidy(() => {
      const y = g.predict([x, labels]) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBeGreaterThan(1e-3);
    });
    tf.dispose([x, labels]);
    g.dispose();
  });

  it("a residual stargan generator needs a linear output", () => {
    const model = presetConfig("tiny");
    expect(() => validateModelConfig({ ...model, generator: { ...model.generator, residual: true } })).toThrow(
      /generator\.residual: expected output "linear"/,
    );
  });

  it("tiny discriminator: PatchGAN src map and a classifier over the labels", () => {
    const d = buildDiscriminator(presetConfig("tiny").discriminator);
    tf.tidy(() => {
      const [src, cls] = d.predict(tf.randomUniform([2, 80, 64, 1])) as tf.Tensor[];
      expect(src?.shape).toEqual([2, 5, 4, 1]);
      expect(cls?.shape).toEqual([2, 4]);
    });
    d.dispose();
  });

  it("the patch classifier gives logits for every patch of the final map, on 36 cepstral rows", () => {
    const preset = presetConfig("tiny", { bins: 36, frames: 64 }).discriminator;
    const d = buildDiscriminator({ ...preset, classifier: "patch" } as typeof preset);
    tf.tidy(() => {
      const [src, cls] = d.predict(tf.randomUniform([2, 36, 64, 1])) as tf.Tensor[];
      expect(src?.shape).toEqual([2, 9, 16, 1]);
      expect(cls?.shape).toEqual([2, 9, 16, 4]);
    });
    expect(d.getLayer("cls").getWeights()[0]?.shape).toEqual([3, 3, 32, 4]);
    d.dispose();
  });
});
