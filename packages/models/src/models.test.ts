import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.js";
import { buildDiscriminator } from "./discriminators.js";
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
