import type { ModelConfig, tf } from "@vox/models";
import type { TrainConfig } from "./config.js";

/** Which network a message is about. */
export type NetworkName = "generator" | "discriminator";

/** Float32 buffers shared between the trainer and its replica threads, one per network. */
export type SharedNetworks = Record<NetworkName, SharedArrayBuffer>;

/** Per-variable views into a network's shared buffer: its trainable weights in order, concatenated. */
export function variableViews(buffer: SharedArrayBuffer, variables: tf.Variable[]): Float32Array[] {
  const all = new Float32Array(buffer);
  let offset = 0;
  return variables.map((v) => {
    const view = all.subarray(offset, offset + v.size);
    offset += v.size;
    return view;
  });
}

/** One micro-batch as plain data (the features are copied, so the trainer may refill its batch buffer). */
export interface ChunkData {
  features: Float32Array;
  shape: [number, number, number, number];
  source: Int32Array;
  target: Int32Array;
  otherSource: Int32Array;
  mix: Float32Array;
}

export type ReplicaRequest =
  | {
      kind: "init";
      backend: string;
      config: TrainConfig;
      model: ModelConfig;
      numSpeakers: number;
      /** The trainer's weights, written by it after every update (trainable weights in order, concatenated). */
      weights: SharedNetworks;
      /** This replica's gradient sums, read by the trainer after each task. */
      grads: SharedNetworks;
    }
  | {
      kind: "gradients";
      network: NetworkName;
      /** Networks whose weights changed since the last task: read them from `weights` first. */
      reload: NetworkName[];
      step: number;
      chunks: ChunkData[];
    };

/** What a replica computed: each chunk's losses, and which variables (by index) got a gradient at all. */
export interface ReplicaResult {
  losses: Record<string, number>[];
  /** reached[i]: variable i had a gradient in some chunk; its sum in shared memory is meaningful only then. */
  reached: boolean[];
}

export type ReplicaReply = { id: number; result: ReplicaResult } | { id: number; error: string };
