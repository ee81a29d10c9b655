import { seedFeatureSpec, silenceValue } from "@vox/dsp";
import { describe, expect, it } from "vitest";
import { initBackend } from "./backend.js";
import { conditionVector, convertUtterance } from "./conversion.js";
import { buildGenerator } from "./generators.js";
import { presetConfig } from "./presets.js";

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
  });
});
