import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { validateFeatureSpec } from "@vox/dsp";
import { writeFileAtomic } from "@vox/dsp/node";
import { type DiscriminatorConfig, type GeneratorConfig, validateModelConfig } from "./config.js";
import { ModelConfigError, ModelError } from "./errors.js";
import {
  type ModelMetadata,
  manifestWeights,
  modelFiles,
  modelFromArtifacts,
  parseModelMetadata,
} from "./model-artifacts.js";
export type { ModelMetadata };
import * as tf from "./tfjs.js";

// A saved model's folder on disk (@vox/models/node); its parts are parsed by model-artifacts.ts, which a page
// uses on fetched bytes.

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
  validateModelConfig(metadata.config, `${dir}/${modelFiles.metadata}.config`);
  validateFeatureSpec(metadata.featureSpec, `${dir}/${modelFiles.metadata}.featureSpec`);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      await writeFileAtomic(join(dir, modelFiles.weights), new Uint8Array(weights));
      const manifest = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [modelFiles.weights], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(dir, modelFiles.model), JSON.stringify(manifest));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const full: ModelMetadata = { ...metadata, versions: { tfjs: tf.version.tfjs, format: 1 } };
  await writeFileAtomic(join(dir, modelFiles.metadata), `${JSON.stringify(full, null, 2)}\n`);
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
  const path = join(dir, modelFiles.metadata);
  return parseModelMetadata(await readJson(path), path);
}

/** Loads a directory written by {@link saveModel}: the model (custom layers included) and its metadata. */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const metadata = await readJson(join(dir, modelFiles.metadata));
  const manifestPath = join(dir, modelFiles.model);
  const manifest = await readJson(manifestPath);
  const weightsPath = join(dir, manifestWeights(manifest, manifestPath).paths[0] ?? modelFiles.weights);
  let weights: Uint8Array;
  try {
    weights = await readFile(weightsPath);
  } catch {
    throw new ModelError(weightsPath, "the model's weights", "no such file");
  }
  return modelFromArtifacts({ metadata, manifest, weights }, dir);
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
    throw new ModelConfigError(
      join(dir, modelFiles.metadata),
      `a saved ${metadata.role} that fits this model`,
      difference,
    );
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
