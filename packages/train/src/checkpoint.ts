import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FeatureSpec } from "@vox/dsp";
import type { ModelConfig, tf } from "@vox/models";
import { loadWeightsInto, saveModel } from "@vox/models/node";
import { RunDirectoryError } from "./errors.js";
import type { Optimizer, OptimizerState } from "./optimizers.js";
import { listCheckpoints, runPaths, writeFolderAtomic } from "./run-directory.js";

/** Counters and random states a checkpoint restores besides weights. */
export interface TrainingState {
  step: number;
  elapsedSeconds: number;
  /** The FeatureStore's sampler and the trainer's own generator (targets, penalty mixes). */
  samplerRng: number;
  trainerRng: number;
}

interface SavedOptimizer {
  iterations: number;
  learningRate: number;
  slots: { variable: number; slot: number; shape: number[]; offset: number; length: number }[];
}

interface StateFile extends TrainingState {
  optimizers: { generator: SavedOptimizer; discriminator: SavedOptimizer };
}

export interface CheckpointParts {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  generatorVariables: tf.Variable[];
  discriminatorVariables: tf.Variable[];
  generatorOptimizer: Optimizer;
  discriminatorOptimizer: Optimizer;
  preset: string;
  model: ModelConfig;
  featureSpec: FeatureSpec;
  speakers: string[];
}

async function writeOptimizer(path: string, state: OptimizerState): Promise<SavedOptimizer> {
  let total = 0;
  const slots = state.slots.map((slot) => {
    const entry = {
      variable: slot.variable,
      slot: slot.slot,
      shape: slot.shape,
      offset: total,
      length: slot.values.length,
    };
    total += slot.values.length;
    return entry;
  });
  const values = new Float32Array(total);
  for (const [index, slot] of state.slots.entries()) values.set(slot.values, slots[index]?.offset ?? 0);
  await writeFile(path, new Uint8Array(values.buffer));
  return { iterations: state.iterations, learningRate: state.learningRate, slots };
}

async function readOptimizer(path: string, saved: SavedOptimizer): Promise<OptimizerState> {
  const bytes = await readFile(path);
  const floats = saved.slots.reduce((end, slot) => Math.max(end, slot.offset + slot.length), 0);
  if (bytes.byteLength !== 4 * floats) {
    throw new RunDirectoryError(
      path,
      `${4 * floats} bytes of optimizer state (state.json lists ${saved.slots.length} slots)`,
      `${bytes.byteLength}${bytes.byteLength < 4 * floats ? " (cut short)" : ""}`,
    );
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    iterations: saved.iterations,
    learningRate: saved.learningRate,
    slots: saved.slots.map((slot) => ({ ...slot, values: values.subarray(slot.offset, slot.offset + slot.length) })),
  };
}

/**
 * Writes a checkpoint: both networks (with metadata), both optimizers' buffers, the random states and counters.
 * Everything goes into `<step>.partial/` first and the folder is renamed when complete, so a kill at any moment
 * leaves either the whole checkpoint or none. Keeps the newest `keep` checkpoints.
 */
export async function saveCheckpoint(
  runDir: string,
  parts: CheckpointParts,
  state: TrainingState,
  keep = 3,
  beforeCommit?: (step: number) => void,
): Promise<string> {
  const paths = runPaths(runDir);
  const final = paths.checkpoint(state.step);
  const common = {
    preset: parts.preset,
    config: parts.model,
    featureSpec: parts.featureSpec,
    speakers: parts.speakers,
  };
  await writeFolderAtomic(final, async (partial) => {
    await saveModel(parts.generator, join(partial, "generator"), { role: "generator", ...common });
    await saveModel(parts.discriminator, join(partial, "discriminator"), { role: "discriminator", ...common });
    const generator = await writeOptimizer(
      join(partial, "optimizer-generator.bin"),
      await parts.generatorOptimizer.state(parts.generatorVariables),
    );
    const discriminator = await writeOptimizer(
      join(partial, "optimizer-discriminator.bin"),
      await parts.discriminatorOptimizer.state(parts.discriminatorVariables),
    );
    const file: StateFile = { ...state, optimizers: { generator, discriminator } };
    await writeFile(join(partial, "state.json"), `${JSON.stringify(file, null, 2)}\n`);
    beforeCommit?.(state.step);
  });
  const steps = await listCheckpoints(runDir);
  for (const old of steps.slice(0, Math.max(0, steps.length - keep))) {
    await rm(paths.checkpoint(old), { recursive: true, force: true });
  }
  return final;
}

/** Loads the checkpoint of `step` into the given networks and optimizers; returns its counters. */
export async function loadCheckpoint(runDir: string, step: number, parts: CheckpointParts): Promise<TrainingState> {
  const dir = runPaths(runDir).checkpoint(step);
  let file: StateFile;
  try {
    file = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as StateFile;
  } catch (error) {
    throw new RunDirectoryError(`${dir}/state.json`, "a checkpoint state", (error as Error).message);
  }
  await loadWeightsInto(parts.generator, parts.model.generator, join(dir, "generator"));
  await loadWeightsInto(parts.discriminator, parts.model.discriminator, join(dir, "discriminator"));
  parts.generatorOptimizer.load(
    await readOptimizer(join(dir, "optimizer-generator.bin"), file.optimizers.generator),
    parts.generatorVariables,
    `${dir}/optimizer-generator.bin`,
  );
  parts.discriminatorOptimizer.load(
    await readOptimizer(join(dir, "optimizer-discriminator.bin"), file.optimizers.discriminator),
    parts.discriminatorVariables,
    `${dir}/optimizer-discriminator.bin`,
  );
  return {
    step: file.step,
    elapsedSeconds: file.elapsedSeconds,
    samplerRng: file.samplerRng,
    trainerRng: file.trainerRng,
  };
}

/**
 * Loads the newest checkpoint that reads back whole, newest first: one cut short (a full disk, an interrupted
 * copy) is skipped, `log` naming it and why, and the next older one is loaded. Refuses when checkpoints exist and
 * none loads. Null when the run has no checkpoint yet.
 */
export async function loadNewestIntactCheckpoint(
  runDir: string,
  parts: CheckpointParts,
  log: (line: string) => void,
): Promise<TrainingState | null> {
  const problems: string[] = [];
  for (const step of (await listCheckpoints(runDir)).reverse()) {
    try {
      const state = await loadCheckpoint(runDir, step, parts);
      if (problems.length > 0) log(`resume: ${problems.join("; ")}; resuming from step ${step}, the newest intact one`);
      return state;
    } catch (error) {
      problems.push(`checkpoint ${step} is unreadable (${(error as Error).message})`);
    }
  }
  if (problems.length > 0) {
    throw new RunDirectoryError(
      runPaths(runDir).checkpoints,
      "a checkpoint that reads back whole",
      `none (${problems.join("; ")})`,
    );
  }
  return null;
}
