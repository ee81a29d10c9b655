import { Worker } from "node:worker_threads";
import { workerEntry } from "@vox/datasets";
import { hostValues, type ModelConfig, type tf } from "@vox/models";
import type { TrainConfig } from "./config.js";
import { TrainError } from "./errors.js";
import {
  type ChunkData,
  type NetworkName,
  type ReplicaReply,
  type ReplicaResult,
  type ReplicaRequest,
  type SharedNetworks,
  variableViews,
} from "./replica-protocol.js";

const workerUrl = new URL(
  import.meta.url.endsWith(".ts") ? "./replica-worker.ts" : "./replica-worker.js",
  import.meta.url,
);

function sharedFor(variables: Record<NetworkName, tf.Variable[]>): SharedNetworks {
  const size = (list: tf.Variable[]) => list.reduce((sum, v) => sum + v.size, 0) * 4;
  return {
    generator: new SharedArrayBuffer(size(variables.generator)),
    discriminator: new SharedArrayBuffer(size(variables.discriminator)),
  };
}

/** One replica thread as the trainer sees it: send a request, await its reply. */
class Replica {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: ReplicaResult) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  /** Networks whose weights changed since this replica last read them. */
  readonly dirty = new Set<NetworkName>();

  constructor(
    readonly index: number,
    private readonly worker: Worker,
    readonly grads: SharedNetworks,
  ) {
    worker.unref(); // a replica never keeps the process alive; pending requests ref it
    worker.on("message", (reply: ReplicaReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ("error" in reply)
        waiting.reject(new TrainError(`replica thread ${index}`, "a finished step", String(reply.error)));
      else waiting.resolve(reply.result);
    });
    const fail = (error: Error) => {
      this.failure = new TrainError(
        `replica thread ${index}`,
        "a running thread",
        `it stopped: ${error.message.split("\n")[0]}`,
      );
      for (const waiting of this.pending.values()) waiting.reject(this.failure);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
  }

  request(request: ReplicaRequest, transfer: ArrayBuffer[] = []): Promise<ReplicaResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request }, transfer);
    });
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners("exit");
    return this.worker.terminate();
  }
}

/**
 * Replica threads for data-parallel micro-batches: wasm runs one thread per backend, so each replica has its
 * own backend and copies of both networks (2 cores: 2 micro-batches at once). The trainer writes its weights
 * into shared memory after each update; a replica reads them before its next task and writes its gradient sum
 * into shared memory of its own, which the trainer adds to its optimizer's.
 */
export class ReplicaPool {
  private constructor(
    readonly replicas: Replica[],
    private readonly weights: SharedNetworks,
    private readonly variables: Record<NetworkName, tf.Variable[]>,
  ) {}

  static async start(
    count: number,
    setup: { backend: string; config: TrainConfig; model: ModelConfig; numSpeakers: number },
    variables: Record<NetworkName, tf.Variable[]>,
  ): Promise<ReplicaPool> {
    const weights = sharedFor(variables);
    const { filename, execArgv } = workerEntry(workerUrl);
    const replicas = Array.from({ length: count }, (_, i) => {
      const worker = new Worker(new URL(filename), execArgv.length > 0 ? { execArgv } : {});
      return new Replica(i + 1, worker, sharedFor(variables));
    });
    const pool = new ReplicaPool(replicas, weights, variables);
    pool.publish("generator");
    pool.publish("discriminator");
    for (const r of replicas) r.dirty.clear(); // init reads both
    try {
      await Promise.all(replicas.map((r) => r.request({ kind: "init", ...setup, weights, grads: r.grads })));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Copies a network's current weights to shared memory; replicas read them before their next task. */
  publish(network: NetworkName): void {
    const targets = variableViews(this.weights[network], this.variables[network]);
    for (const [i, variable] of this.variables[network].entries())
      (targets[i] as Float32Array).set(hostValues(variable));
    for (const r of this.replicas) r.dirty.add(network);
  }

  /** Starts replica `i` on `chunks` of a network's gradients; resolves to each chunk's losses and what they reached. */
  gradients(i: number, network: NetworkName, step: number, chunks: ChunkData[]): Promise<ReplicaResult> {
    const replica = this.replicas[i] as Replica;
    const reload = [...replica.dirty];
    replica.dirty.clear();
    return replica.request(
      { kind: "gradients", network, reload, step, chunks },
      chunks.map((c) => c.features.buffer as ArrayBuffer),
    );
  }

  /**
   * Replica `i`'s gradient sum of its last task, per variable (views into shared memory), undefined for the
   * variables it had no gradient for.
   */
  gradientSums(i: number, network: NetworkName, reached: boolean[]): (Float32Array | undefined)[] {
    const views = variableViews((this.replicas[i] as Replica).grads[network], this.variables[network]);
    return views.map((view, k) => (reached[k] ? view : undefined));
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }
}
