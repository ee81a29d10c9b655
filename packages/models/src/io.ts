import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type FeatureSpec, validateFeatureSpec } from "@vox/dsp";
import { writeFileAtomic } from "@vox/dsp/node";
import { type GeneratorConfig, type DiscriminatorConfig, type ModelConfig, validateModelConfig } from "./config.js";
import { ModelConfigError, ModelError } from "./errors.js";
import * as tf from "./tfjs.js";

/** What travels with every saved model, so conversion and evaluation can check what they are given. */
export interface ModelMetadata {
  /** generator or discriminator. */
  role: "generator" | "discriminator";
  preset: string | null;
  config: ModelConfig;
  featureSpec: FeatureSpec;
  /** Speaker ids in label order (index = label). */
  speakers: string[];
  versions: { tfjs: string; format: 1 };
}

const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "weights.bin";
const METADATA_FILE = "metadata.json";

/**
 * Saves a model as a directory: model.json (topology + weight manifest), weights.bin, metadata.json. Uses
 * plain files (not tfjs-node's file://), so it works on every backend. Each file is written to a temporary
 * name and renamed, metadata last: a directory with metadata.json is complete.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  metadata: Omit<ModelMetadata, "versions">,
): Promise<void> {
  validateModelConfig(metadata.config, `${dir}/${METADATA_FILE}.config`);
  validateFeatureSpec(metadata.featureSpec, `${dir}/${METADATA_FILE}.featureSpec`);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      await writeFileAtomic(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      const manifest = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(dir, MODEL_FILE), JSON.stringify(manifest));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const full: ModelMetadata = { ...metadata, versions: { tfjs: tf.version.tfjs, format: 1 } };
  await writeFileAtomic(join(dir, METADATA_FILE), `${JSON.stringify(full, null, 2)}\n`);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelError(path, "a saved model file", code === "ENOENT" ? "no such file" : String(code));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelError(path, "JSON", `unparsable text (${(error as Error).message})`);
  }
}

/** Reads and checks a saved model's metadata.json. */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  const path = join(dir, METADATA_FILE);
  const raw = (await readJson(path)) as Partial<ModelMetadata>;
  if (raw.role !== "generator" && raw.role !== "discriminator") {
    throw new ModelError(`${path}.role`, `"generator" or "discriminator"`, JSON.stringify(raw.role));
  }
  if (!Array.isArray(raw.speakers) || !raw.speakers.every((s) => typeof s === "string")) {
    throw new ModelError(`${path}.speakers`, "a list of speaker ids", JSON.stringify(raw.speakers));
  }
  return {
    role: raw.role,
    preset: raw.preset ?? null,
    config: validateModelConfig(raw.config, `${path}.config`),
    featureSpec: validateFeatureSpec(raw.featureSpec, `${path}.featureSpec`),
    speakers: raw.speakers,
    versions: raw.versions ?? { tfjs: "unknown", format: 1 },
  };
}

/** Loads a directory written by {@link saveModel}: the model (custom layers included) and its metadata. */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const metadata = await readModelMetadata(dir);
  const manifestPath = join(dir, MODEL_FILE);
  const manifest = (await readJson(manifestPath)) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
  };
  const entry = manifest.weightsManifest?.[0];
  if (!manifest.modelTopology || !entry) {
    throw new ModelError(manifestPath, "modelTopology and weightsManifest", Object.keys(manifest).join(", "));
  }
  const weightsPath = join(dir, entry.paths[0] ?? WEIGHTS_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(weightsPath);
  } catch {
    throw new ModelError(weightsPath, "the model's weights", "no such file");
  }
  const expectedBytes = entry.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new ModelError(weightsPath, `${expectedBytes} bytes of float32 weights`, String(bytes.byteLength));
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: entry.weights, weightData }),
  );
  return { model, metadata };
}

/**
 * Loads the weights of a saved model into `model`, built from `config`: a config that differs from the saved
 * one is an error naming the first differing field, before any weight is touched.
 */
export async function loadWeightsInto(
  model: tf.LayersModel,
  config: GeneratorConfig | DiscriminatorConfig,
  dir: string,
): Promise<ModelMetadata> {
  const metadata = await readModelMetadata(dir);
  const saved = metadata.role === "generator" ? metadata.config.generator : metadata.config.discriminator;
  const difference = firstDifference(saved, config, metadata.role);
  if (difference) {
    throw new ModelConfigError(join(dir, METADATA_FILE), `a saved ${metadata.role} that fits this model`, difference);
  }
  const { model: loaded } = await loadModel(dir);
  model.setWeights(loaded.getWeights());
  loaded.dispose();
  return metadata;
}

function firstDifference(saved: unknown, wanted: unknown, path: string): string | null {
  if (typeof saved === "object" && saved !== null && typeof wanted === "object" && wanted !== null) {
    const keys = new Set([...Object.keys(saved), ...Object.keys(wanted)]);
    for (const key of keys) {
      const found = firstDifference(
        (saved as Record<string, unknown>)[key],
        (wanted as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (found) return found;
    }
    return null;
  }
  return saved === wanted ? null : `${path}: saved ${JSON.stringify(saved)}, this model ${JSON.stringify(wanted)}`;
}
