import {
  featureStatistics,
  meanVarianceShift,
  ModelFeatureMap,
  type Spectrogram,
  seedFeatureSpec,
  silenceValue,
  worldFeatureLayout,
  worldFeatureSpec,
} from "@vox/dsp";
import { describe, expect, it } from "vitest";
import { initBackend } from "./node.js";
import { validateModelConfig } from "./config.js";
import { averagedGenerator, conditionVector, convertFeatures, convertUtterance } from "./conversion.js";
import { buildGenerator } from "./generators.js";
import { presetConfig } from "./presets.js";
import { withSeededRandom } from "./seeded-random.js";
import * as tf from "./tfjs.js";

describe("convertUtterance", () => {
  it("converts any length in one pass (padded with silence to the time factor, cut back) and conditions on the target", async () => {
    await initBackend("cpu", () => {});
    const config = presetConfig("tiny", { numLabels: 3, bins: 16, frames: 16 });
    const generator = buildGenerator(config.generator);
    const frames = 37; // not a multiple of tiny's factor 4
    const data = new Float32Array(16 * frames).map((_, i) => (i % 7) / 7);
    const silence = silenceValue(seedFeatureSpec);
    const a = convertUtterance(generator, config.generator, { data, bins: 16, frames }, 0, 1, silence);
    const b = convertUtterance(generator, config.generator, { data, bins: 16, frames }, 0, 2, silence);
    expect([a.bins, a.frames, a.data.length]).toEqual([16, frames, 16 * frames]);
    for (const v of a.data) expect(v > 0 && v < 1).toBe(true);
    let differs = false;
    for (let i = 0; i < a.data.length && !differs; i++) differs = a.data[i] !== b.data[i];
    expect(differs).toBe(true);
    expect(Array.from(conditionVector(config.generator, 0, 2))).toEqual([0, 0, 1]);
    const vc2 = presetConfig("stargan-vc2", { numLabels: 3 }).generator;
    expect(Array.from(conditionVector(vc2, 0, 2))).toEqual([1, 0, 0, 0, 0, 1]);
    generator.dispose();
    // tiny told the source too: a label input of source and target side by side, and a conversion that depends
    // on the source label as well as the target.
    const both = validateModelConfig({
      ...config,
      generator: { ...config.generator, condition: "source-and-target" },
    }).generator;
    expect(Array.from(conditionVector(both, 0, 2))).toEqual([1, 0, 0, 0, 0, 1]);
    const told = buildGenerator(both);
    expect(told.inputs[1]?.shape).toEqual([null, 6]);
    const from0 = convertUtterance(told, both, { data, bins: 16, frames }, 0, 2, silence);
    const from1 = convertUtterance(told, both, { data, bins: 16, frames }, 1, 2, silence);
    expect(from0.data.some((v, i) => v !== from1.data[i])).toBe(true);
    // A source given as a mixture of the speakers: its weights in the source half; a one-hot mixture is the label.
    expect(Array.from(conditionVector(both, [0.5, 0.25, 0.25], 2))).toEqual([0.5, 0.25, 0.25, 0, 0, 1]);
    expect(() => conditionVector(both, [0.5, 0.5], 2)).toThrow(/conditionVector\(source\): expected 3 source weights/);
    expect(() => conditionVector(both, [0.5, Number.NaN, 0.5], 2)).toThrow(/conditionVector\(source\[1\]\)/);
    expect(() => conditionVector(both, [0.5, 0.5, 0.5], 2)).toThrow(/summing to 1, found a sum of 1.5/);
    const mixed = convertUtterance(told, both, { data, bins: 16, frames }, [0, 1, 0], 2, silence);
    expect(Array.from(mixed.data)).toEqual(Array.from(from1.data));
    told.dispose();
  });
});

describe("averagedGenerator", () => {
  it("converts with the mean of its members' outputs, leaks no tensors, and refuses no members", async () => {
    await initBackend("cpu", () => {});
    const config = presetConfig("tiny", { numLabels: 3, bins: 16, frames: 16 }).generator;
    const members = [1, 2].map((seed) => withSeededRandom(seed, () => buildGenerator(config)));
    const data = new Float32Array(16 * 24).map((_, i) => (i % 5) / 5);
    const utterance = { data, bins: 16, frames: 24 };
    const [a, b] = members.map((m) => convertUtterance(m, config, utterance, 0, 2, 0));
    const before = tf.memory().numTensors;
    const mean = convertUtterance(averagedGenerator(members), config, utterance, 0, 2, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(a?.data.some((v, i) => v !== b?.data[i])).toBe(true);
    for (let i = 0; i < mean.data.length; i++) {
      expect(mean.data[i]).toBeCloseTo(((a?.data[i] as number) + (b?.data[i] as number)) / 2, 5);
    }
    for (const m of members) m.dispose();
    expect(() => averagedGenerator([])).toThrow(/averagedGenerator\(members\): expected at least one generator/);
  });
});

describe("convertFeatures", () => {
  it("world features: the generator rewrites only the normalised mcep rows; ln F0 moves by the Gaussian transform, aperiodicity is copied", async () => {
    await initBackend("cpu", () => {});
    const layout = worldFeatureLayout(worldFeatureSpec);
    const frames = 30;
    const make = (offset: number, f0: number): Spectrogram => {
      const data = new Float32Array(layout.rows * frames);
      for (let row = 0; row < layout.mcepRows; row++)
        for (let t = 0; t < frames; t++) data[row * frames + t] = offset + Math.sin(row + t);
      for (let t = 0; t < frames; t++) {
        data[layout.logF0 * frames + t] = t % 4 === 0 ? 0 : Math.log(f0) + 0.05 * Math.cos(t);
        data[layout.aperiodicity * frames + t] = -t;
      }
      return { data, bins: layout.rows, frames };
    };
    const source = make(0, 100);
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [make(1, 200)]);
    const map = new ModelFeatureMap(worldFeatureSpec, "speaker", [s, t]);
    const config = presetConfig("tiny", { numLabels: 2, bins: map.rows, frames: 32, output: "linear" });
    expect(config.discriminator).toMatchObject({ levels: 2 });
    const generator = buildGenerator(config.generator);
    expect(generator.layers.some((l) => l.name === "out_sigmoid")).toBe(false);
    const out = convertFeatures(
      generator,
      config.generator,
      map,
      source,
      { label: 0, statistics: s },
      { label: 1, statistics: t },
    );
    expect([out.bins, out.frames]).toEqual([layout.rows, frames]);
    const shifted = meanVarianceShift(source, worldFeatureSpec, s, t);
    const rows = (x: Spectrogram, from: number, to: number) => Array.from(x.data.subarray(from * frames, to * frames));
    expect(rows(out, layout.logF0, layout.rows)).toEqual(rows(shifted, layout.logF0, layout.rows));
    expect(rows(out, 0, layout.mcepRows)).not.toEqual(rows(source, 0, layout.mcepRows));
    expect(out.data.every(Number.isFinite)).toBe(true);
    generator.dispose();
  });

  it("a saved config without `output` is a sigmoid generator, as before the field existed", () => {
    const config = presetConfig("tiny", { numLabels: 2 });
    const { output: _removed, ...old } = config.generator;
    const parsed = validateModelConfig({ ...config, generator: old });
    expect(parsed.generator.output).toBe("sigmoid");
  });
});
