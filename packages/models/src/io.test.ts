import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mel80FeatureSpec } from "@vox/dsp";
import { afterAll, describe, expect, it } from "vitest";
import { initBackend } from "./node.js";
import { ModelConfigError, ModelError } from "./errors.js";
import { buildGenerator } from "./generators.js";
import { loadModel, loadWeightsInto, readModelMetadata, saveModel } from "./node.js";
import { presetConfig } from "./presets.js";
import * as tf from "./tfjs.js";

const root = mkdtempSync(join(tmpdir(), "vox-models-io-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = presetConfig("tiny", { numLabels: 3 });
const metadata = {
  role: "generator" as const,
  preset: "tiny",
  config,
  featureSpec: mel80FeatureSpec,
  speakers: ["p225", "p226", "p227"],
};

function probe(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomUniform([1, 80, 32, 1], 0, 1, "float32", 5);
    const labels = tf.tensor2d([[0, 1, 0]]);
    return (model.predict([x, labels]) as tf.Tensor).dataSync() as Float32Array;
  });
}

describe.each(["wasm", "cpu"] as const)("saveModel / loadModel on %s", (backend) => {
  it("round-trips a generator with custom layers: identical outputs and metadata", async () => {
    await initBackend(backend, () => {});
    const model = buildGenerator(config.generator);
    // Move BatchNorm statistics off their initial values so they are part of what must survive.
    tf.tidy(() => {
      model.apply(
        [
          tf.randomUniform([2, 80, 32, 1]),
          tf.tensor2d([
            [1, 0, 0],
            [0, 0, 1],
          ]),
        ],
        { training: true },
      );
    });
    const dir = join(root, backend);
    await saveModel(model, dir, metadata);
    const { model: loaded, metadata: read } = await loadModel(dir);
    expect(Array.from(probe(loaded))).toEqual(Array.from(probe(model)));
    expect(read.speakers).toEqual(metadata.speakers);
    expect(read.featureSpec).toEqual(mel80FeatureSpec);
    expect(read.config).toEqual(config);
    expect(read.versions.tfjs).toBe(tf.version.tfjs);
    const fresh = buildGenerator(config.generator);
    await loadWeightsInto(fresh, config.generator, dir);
    expect(Array.from(probe(fresh))).toEqual(Array.from(probe(model)));
    for (const m of [model, loaded, fresh]) m.dispose();
  });
});

describe("loading errors", () => {
  it("refuses weights for another config, naming the differing field", async () => {
    await initBackend("wasm", () => {});
    const dir = join(root, "wasm");
    const other = presetConfig("tiny", { numLabels: 5 });
    const model = buildGenerator(other.generator);
    await expect(loadWeightsInto(model, other.generator, dir)).rejects.toBeInstanceOf(ModelConfigError);
    await expect(loadWeightsInto(model, other.generator, dir)).rejects.toThrow(
      /generator\.numLabels: saved 3, this model 5/,
    );
    model.dispose();
  });

  it("names the file that is missing, truncated or malformed", async () => {
    const dir = join(root, "broken");
    await initBackend("wasm", () => {});
    const model = buildGenerator(config.generator);
    await saveModel(model, dir, metadata);
    model.dispose();
    const weights = readFileSync(join(dir, "weights.bin"));
    writeFileSync(join(dir, "weights.bin"), weights.subarray(0, 100));
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin: expected \d+ bytes of float32 weights, found 100/);
    writeFileSync(join(dir, "metadata.json"), "{ not json");
    await expect(readModelMetadata(dir)).rejects.toThrow(/metadata\.json: expected JSON/);
    writeFileSync(
      join(dir, "metadata.json"),
      JSON.stringify({ ...metadata, featureSpec: { ...mel80FeatureSpec, hop: -1 } }),
    );
    await expect(readModelMetadata(dir)).rejects.toThrow(/metadata\.json\.featureSpec\.hop/);
    await expect(loadModel(join(root, "nowhere"))).rejects.toBeInstanceOf(ModelError);
    await expect(loadModel(join(root, "nowhere"))).rejects.toThrow(
      /nowhere\/metadata\.json: expected a saved model file, found no such file/,
    );
  });
});
