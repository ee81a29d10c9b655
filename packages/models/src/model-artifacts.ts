import { type FeatureSpec, validateFeatureSpec } from "@vox/dsp";
import { type ModelConfig, validateModelConfig } from "./config.js";
import { ModelError } from "./errors.js";
import * as tf from "./tfjs.js";

/**
 * A saved model's three parts in memory, as fetched by a page or read by @vox/models/node's loadModel: the
 * metadata (parsed JSON), the tfjs manifest (parsed model.json) and the float32 weights.
 */
export interface ModelArtifacts {
  metadata: unknown;
  manifest: unknown;
  weights: Uint8Array | ArrayBuffer;
}

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

/** The file names of a saved model's folder (written by saveModel, @vox/models/node). */
export const modelFiles = { model: "model.json", weights: "weights.bin", metadata: "metadata.json" } as const;

/** Checks a saved model's metadata (`where`: its file, for errors). */
export function parseModelMetadata(raw: unknown, where: string): ModelMetadata {
  const value = (typeof raw === "object" && raw !== null ? raw : {}) as Partial<ModelMetadata>;
  if (value.role !== "generator" && value.role !== "discriminator") {
    throw new ModelError(`${where}.role`, `"generator" or "discriminator"`, JSON.stringify(value.role));
  }
  if (!Array.isArray(value.speakers) || !value.speakers.every((s) => typeof s === "string")) {
    throw new ModelError(`${where}.speakers`, "a list of speaker ids", JSON.stringify(value.speakers));
  }
  return {
    role: value.role,
    preset: value.preset ?? null,
    config: validateModelConfig(value.config, `${where}.config`),
    featureSpec: validateFeatureSpec(value.featureSpec, `${where}.featureSpec`),
    speakers: value.speakers,
    versions: value.versions ?? { tfjs: "unknown", format: 1 },
  };
}

interface Manifest {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** The manifest's single weights entry, checked (`where`: the manifest's file). */
export function manifestWeights(raw: unknown, where: string): Manifest["weightsManifest"][number] {
  const manifest = (typeof raw === "object" && raw !== null ? raw : {}) as Partial<Manifest>;
  const entry = manifest.weightsManifest?.[0];
  if (!manifest.modelTopology || !entry) {
    throw new ModelError(where, "modelTopology and weightsManifest", Object.keys(manifest).join(", "));
  }
  return entry;
}

/**
 * The model (custom layers included) and its metadata from a saved model's parts in memory: what a page that
 * fetched them converts with. `where` names the source (a folder, a URL) in errors.
 */
export async function modelFromArtifacts(
  artifacts: ModelArtifacts,
  where: string,
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const metadata = parseModelMetadata(artifacts.metadata, `${where}/${modelFiles.metadata}`);
  const entry = manifestWeights(artifacts.manifest, `${where}/${modelFiles.model}`);
  const bytes = artifacts.weights instanceof Uint8Array ? artifacts.weights : new Uint8Array(artifacts.weights);
  const expectedBytes = entry.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new ModelError(
      `${where}/${entry.paths[0] ?? modelFiles.weights}`,
      `${expectedBytes} bytes of float32 weights`,
      String(bytes.byteLength),
    );
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { modelTopology } = artifacts.manifest as Manifest;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs: entry.weights, weightData }));
  return { model, metadata };
}
