import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { featureSpecs } from "@vox/dsp";
import { describe, expect, it } from "vitest";
import { parseOverrides, presetTrainDefaults, resolveTrainConfig, validateTrainConfig } from "./config.js";
import { TrainConfigError } from "./errors.js";
import { memberSeeds, recipes } from "./recipes.js";
import { runModelConfig } from "./statistics.js";
import { temporaryFolder } from "./test-support.js";

describe("TrainConfig", () => {
  it("the seed preset defaults to the record: RMSprop 1e-5 for both networks, batch 2, 1000 epochs", async () => {
    const config = await resolveTrainConfig({ preset: "seed-31f31449" });
    expect(config.generatorOptimizer).toMatchObject({ type: "rmsprop", learningRate: 1e-5 });
    expect(config.discriminatorOptimizer).toMatchObject({ type: "rmsprop", learningRate: 1e-5 });
    expect([config.batchSize, config.epochs, config.steps, config.cropFrames]).toEqual([2, 1000, null, 256]);
    expect(config.adversarial).toBe("wgan-clip");
    const vc2 = await resolveTrainConfig({ preset: "stargan-vc2" });
    expect([vc2.adversarial, vc2.lambda.identity, vc2.identityUntil]).toEqual(["lsgan", 5, 10_000]);
  });

  it("the named recipes resolve; the longer one is the demo's at 9600 steps, converted with the source's detail; the ensemble trains the demo's three times", async () => {
    const resolved = Object.fromEntries(
      await Promise.all(
        Object.entries(recipes).map(async ([name, recipe]) => {
          const config = await resolveTrainConfig({
            preset: recipe.preset,
            overrides: { ...recipe.overrides, steps: recipe.steps },
          });
          return [name, config] as const;
        }),
      ),
    );
    expect(Object.keys(resolved)).toEqual(["demo", "longer", "ensemble"]);
    // The ensemble is the demo recipe three times on one split: seeds 0, 100, 200, the split of seed 0.
    expect(resolved.ensemble).toEqual(resolved.demo);
    expect([recipes.demo.members, recipes.longer.members, recipes.ensemble.members]).toEqual([1, 1, 3]);
    expect(memberSeeds(3)).toEqual([
      { seed: 0, splitSeed: null },
      { seed: 100, splitSeed: 0 },
      { seed: 200, splitSeed: 0 },
    ]);
    expect(memberSeeds(2, 7)).toEqual([
      { seed: 7, splitSeed: null },
      { seed: 107, splitSeed: 7 },
    ]);
    expect([resolved.demo?.steps, resolved.demo?.postfilter]).toEqual([2400, "source-energy"]);
    expect([resolved.longer?.steps, resolved.longer?.postfilter]).toEqual([9600, "source-energy+source-detail"]);
    const { steps: _, postfilter: __, ...longerRest } = resolved.longer ?? {};
    const { steps: ___, postfilter: ____, ...demoRest } = resolved.demo ?? {};
    expect(longerRest).toEqual(demoRest);
  });

  it("preset <- config file <- overrides, and choosing steps replaces the preset's epochs", async () => {
    const file = join(temporaryFolder(), "train.json");
    writeFileSync(file, JSON.stringify({ batchSize: 4, lambda: { cycle: 5 }, steps: 50 }));
    const config = await resolveTrainConfig({
      preset: "seed-31f31449",
      configFile: file,
      overrides: parseOverrides(["lambda.identity=2", "generatorOptimizer.learningRate=2e-5", "backend=cpu"]),
    });
    expect([config.batchSize, config.steps, config.epochs]).toEqual([4, 50, null]);
    expect(config.lambda).toEqual({ gp: 10, cls: 1, cycle: 5, identity: 2 });
    expect(config.generatorOptimizer.learningRate).toBe(2e-5);
    expect(config.discriminatorOptimizer.learningRate).toBe(1e-5);
    expect(config.backend).toBe("cpu");
  });

  it("model overrides change one field of the preset's model; a wrong one is named", async () => {
    const spec = featureSpecs.world;
    const plain = runModelConfig(await resolveTrainConfig({ preset: "tiny" }), spec, 5);
    expect(plain.discriminator).toMatchObject({ kind: "stargan", bins: 36, classifier: "global" });
    const patch = await resolveTrainConfig({
      preset: "tiny",
      overrides: parseOverrides(["model.discriminator.classifier=patch"]),
    });
    const model = runModelConfig(patch, spec, 5);
    expect(model.discriminator).toEqual({ ...plain.discriminator, classifier: "patch" });
    expect(model.generator).toEqual(plain.generator);
    const wrong = await resolveTrainConfig({
      preset: "tiny",
      overrides: parseOverrides(["model.discriminator.classifier=everywhere"]),
    });
    expect(() => runModelConfig(wrong, spec, 5)).toThrow(/config\.model\.discriminator\.classifier/);
  });

  it("reports every wrong field by name before any work starts", () => {
    const bad = {
      ...presetTrainDefaults("tiny"),
      batchSize: 0,
      adversarial: "hinge",
      lambda: { cycle: -1 },
      generatorOptimizer: { type: "sgd", learningRate: 1e-3 },
      colour: "blue",
    };
    let error: unknown;
    try {
      validateTrainConfig(bad, "run.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainConfigError);
    const problems = (error as TrainConfigError).problems.join("\n");
    for (const field of ["batchSize", "adversarial", "lambda.cycle", "generatorOptimizer.type", "colour"]) {
      expect(problems).toContain(field);
    }
    expect((error as Error).message).toContain("run.json");
    expect(() => validateTrainConfig({ ...presetTrainDefaults("tiny"), epochs: 3 })).toThrow(/exactly one of the two/);
  });

  it("an unknown preset, an unreadable or non-JSON file, and a malformed override are clear errors", async () => {
    await expect(resolveTrainConfig({ preset: "big" })).rejects.toThrow(/preset: expected one of seed-31f31449/);
    await expect(resolveTrainConfig({ preset: "tiny", configFile: "/nonexistent/x.json" })).rejects.toThrow(/ENOENT/);
    const file = join(temporaryFolder(), "broken.json");
    writeFileSync(file, "{ steps: ");
    await expect(resolveTrainConfig({ preset: "tiny", configFile: file })).rejects.toThrow(/broken.json.*JSON object/);
    expect(() => parseOverrides(["steps"])).toThrow(/path=value/);
    expect(parseOverrides(["a.b=1", "a.c=x", "d=true"])).toEqual({ a: { b: 1, c: "x" }, d: true });
  });
});
