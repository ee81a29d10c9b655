import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./node.js";
import { validateModelConfig } from "./config.js";
import { buildDiscriminator } from "./discriminators.js";
import { buildGenerator } from "./generators.js";
import { presetConfig, presetNames } from "./presets.js";
import { trainableParameterCount } from "./summary.js";
import * as tf from "./tfjs.js";

beforeAll(async () => {
  await initBackend("wasm", () => {});
});

describe("seed-31f31449", () => {
  it("is the recorded generator: 19.85 M parameters, labels tiled over the 32 x 32 bottleneck", () => {
    const config = presetConfig("seed-31f31449");
    const generator = buildGenerator(config.generator);
    const count = trainableParameterCount(generator);
    expect(Math.abs(count - 19.85e6) / 19.85e6).toBeLessThan(0.01);
    expect(count).toBe(19_846_337);
    const layer = (name: string) => generator.getLayer(name).outputShape;
    expect(layer("down0_relu")).toEqual([null, 256, null, 32]);
    expect(layer("down3_relu")).toEqual([null, 32, null, 256]);
    // The 3x5 merge conv reads the 256 bottleneck channels and the 1479 labels tiled over them: 1735 inputs.
    expect(generator.getLayer("merge_conv").getWeights()[0]?.shape).toEqual([3, 5, 1735, 256]);
    expect((generator.getLayer("merge_conv").input as tf.SymbolicTensor[]).map((t) => t.shape)).toEqual([
      [null, 32, null, 256],
      [null, 1479],
    ]);
    expect(layer("merge_conv")).toEqual([null, 32, null, 256]);
    expect(generator.layers.filter((l) => /^res\d+_add$/.test(l.name))).toHaveLength(6);
    expect(layer("up3_relu")).toEqual([null, 256, null, 32]);
    expect(generator.outputs[0]?.shape).toEqual([null, 256, null, 1]);
    const kernels = generator.layers
      .filter((l) => /^res\d+_[ab]_conv$/.test(l.name))
      .map((l) => l.getWeights()[0]?.shape);
    expect(kernels.every((shape) => shape?.[0] === 3 && shape?.[1] === 5)).toBe(true);
    generator.dispose();
  });

  it("has the StarGAN discriminator: 93.18 M parameters, src 4 x 4 map and 1479-way cls head", () => {
    const discriminator = buildDiscriminator(presetConfig("seed-31f31449").discriminator);
    expect(Math.abs(trainableParameterCount(discriminator) - 93.18e6) / 93.18e6).toBeLessThan(0.01);
    expect(discriminator.outputs.map((o) => o.shape)).toEqual([
      [null, 4, 4, 1],
      [null, 1479],
    ]);
    discriminator.dispose();
  });

  it("takes any label count by config", () => {
    const config = presetConfig("seed-31f31449", { numLabels: 10 });
    const generator = buildGenerator(config.generator);
    expect(generator.getLayer("merge_conv").getWeights()[0]?.shape).toEqual([3, 5, 266, 256]);
    generator.dispose();
  });
});

describe("presets", () => {
  it("builds every preset; tiny has a few hundred thousand parameters", () => {
    for (const name of presetNames) {
      const config = presetConfig(name);
      const g = buildGenerator(config.generator);
      const d = buildDiscriminator(config.discriminator);
      expect(g.outputs[0]?.shape.slice(1)).toEqual([config.generator.bins, null, 1]);
      if (name === "tiny") {
        expect(trainableParameterCount(g)).toBeGreaterThan(100_000);
        expect(trainableParameterCount(g)).toBeLessThan(1_000_000);
      }
      g.dispose();
      d.dispose();
    }
  });

  it("stargan-2018 tiles labels at the input and uses square 3x3 ResBlocks", () => {
    const g = buildGenerator(presetConfig("stargan-2018", { numLabels: 5 }).generator);
    expect(g.getLayer("down0_conv").getWeights()[0]?.shape).toEqual([7, 7, 6, 64]);
    expect((g.getLayer("down0_conv").input as tf.SymbolicTensor[]).map((t) => t.shape)).toEqual([
      [null, 256, null, 1],
      [null, 5],
    ]);
    expect(g.getLayer("res1_a_conv").getWeights()[0]?.shape).toEqual([3, 3, 256, 256]);
    g.dispose();
  });

  it("stargan-vc is the 2018 paper's gated CNN: 36 rows folded to 5 channels over T/4, labels at every decoder layer", () => {
    const g = buildGenerator(presetConfig("stargan-vc", { numLabels: 4 }).generator);
    const shape = (name: string) => g.getLayer(name).outputShape;
    expect(shape("enc1_glu")).toEqual([null, 36, null, 32]);
    expect(shape("enc3_glu")).toEqual([null, 9, null, 128]);
    expect(shape("enc5_glu")).toEqual([null, 1, null, 5]);
    expect(g.getLayer("enc5_conv").getWeights()[0]?.shape).toEqual([9, 5, 64, 10]);
    // Each decoder layer reads its input and the 4 labels tiled over it.
    expect(g.getLayer("dec1_conv").getWeights()[0]?.shape).toEqual([9, 5, 128, 9]);
    expect(g.getLayer("dec4_conv").getWeights()[0]?.shape).toEqual([4, 8, 64, 68]);
    expect(g.getLayer("out_deconv").getWeights()[0]?.shape).toEqual([3, 9, 1, 36]);
    expect(g.layers.some((l) => l.name === "out_sigmoid")).toBe(false);
    const y = tf.tidy(() => g.predict([tf.randomNormal([2, 36, 24, 1]), tf.oneHot([0, 3], 4).toFloat()]) as tf.Tensor);
    expect(y.shape).toEqual([2, 36, 24, 1]);
    y.dispose();
    g.dispose();
  });

  it("rejects impossible configs by field name", () => {
    const config = presetConfig("tiny");
    expect(() => validateModelConfig({ ...config, generator: { ...config.generator, bins: 81 } })).toThrow(
      /config\.generator\.bins: expected a multiple of 4, found 81/,
    );
    expect(() => validateModelConfig({ ...config, generator: { ...config.generator, resBlocks: -1 } })).toThrow(
      /config\.generator\.resBlocks/,
    );
    expect(() => validateModelConfig({ ...config, discriminator: { ...config.discriminator, frames: 65 } })).toThrow(
      /config\.discriminator\.frames: expected a multiple of 2\^levels = 16, found 65/,
    );
    expect(() => validateModelConfig({ generator: { kind: "unet" } })).toThrow(/config\.generator/);
    expect(() => presetConfig("cyclegan" as "tiny")).toThrow(
      /preset: expected one of seed-31f31449, stargan-2018, stargan-vc, stargan-vc2, tiny, tiny-vc2, temporal, tiny-cepstral/,
    );
  });
});
