import { availableParallelism } from "node:os";
import { preferHostMemory, tf } from "@vox/models";
import { nativeConvThreads, setNativeConvThreads } from "@vox/models/node";
import type { TrainConfig } from "./config.js";
import type { Batch, StarGanObjective } from "./objective.js";
import type { Optimizer } from "./optimizers.js";
import { ReplicaPool } from "./replica.js";
import type { ChunkData, NetworkName, ReplicaResult } from "./replica-protocol.js";

/** A batch as the trainer holds it: the objective's batch plus its features in host memory (for replicas). */
export interface TrainBatch extends Batch {
  features: Float32Array;
}

/**
 * Updates of the discriminator and the generator from whole batches: micro-batches (memory), replica threads
 * (cores), the optimizers, weight clipping. The trainer owns the data, the loop and the run directory; the
 * benchmarks drive this directly.
 */
export class StarGanUpdater {
  /** Replica threads computing micro-batches alongside this one (none until started, or none at all). */
  private replicas: ReplicaPool | null = null;
  private started = false;
  /** The native conv thread count before the replicas started (restored when they stop). */
  private convThreadsBefore = 1;

  constructor(
    readonly objective: StarGanObjective,
    readonly generatorOptimizer: Optimizer,
    readonly discriminatorOptimizer: Optimizer,
    readonly backend: string,
  ) {}

  get config(): TrainConfig {
    return this.objective.config;
  }

  private get generatorVariables(): tf.Variable[] {
    return this.objective.generatorVariables;
  }

  private get discriminatorVariables(): tf.Variable[] {
    return this.objective.discriminatorVariables;
  }

  /** How many threads compute micro-batches: `threads`, or by default one per core on wasm/cpu (see README). */
  get threadCount(): number {
    const { batchSize, microBatch, threads } = this.config;
    const parts = batchSize / Math.min(batchSize, microBatch ?? batchSize);
    if (threads !== null) return Math.min(threads, parts);
    // The native backends use every core in each kernel already; wasm and cpu run one thread per backend.
    return preferHostMemory(this.backend) ? Math.min(availableParallelism(), parts) : 1;
  }

  /** Starts the replica threads (once; before the first update, after a resume has loaded its checkpoint). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const count = this.threadCount - 1;
    if (count < 1) return;
    // One replica per core already: a native conv call splitting over the cores too would only contend.
    this.convThreadsBefore = nativeConvThreads();
    setNativeConvThreads(1);
    try {
      this.replicas = await ReplicaPool.start(
        count,
        {
          backend: this.backend,
          config: this.config,
          model: this.objective.model,
          numSpeakers: this.objective.numSpeakers,
        },
        { generator: this.generatorVariables, discriminator: this.discriminatorVariables },
      );
    } catch (error) {
      setNativeConvThreads(this.convThreadsBefore);
      throw error;
    }
  }

  /** One discriminator update over the batch (in micro-batches when configured); returns its losses. */
  async discriminatorUpdate(batch: TrainBatch): Promise<Record<string, number>> {
    const losses = await this.overMicroBatches(batch, "discriminator", 0);
    if (this.config.adversarial === "wgan-clip") {
      const clip = this.config.clip;
      tf.tidy(() => {
        for (const variable of this.discriminatorVariables) variable.assign(tf.clipByValue(variable, -clip, clip));
      });
    }
    this.replicas?.publish("discriminator");
    return losses;
  }

  /** One generator update over the batch at training step `step` (in micro-batches when configured); returns its losses. */
  async generatorUpdate(batch: TrainBatch, step: number): Promise<Record<string, number>> {
    const losses = await this.overMicroBatches(batch, "generator", step);
    this.replicas?.publish("generator");
    return losses;
  }

  /**
   * One warm-up update of the generator on reconstruction alone (in micro-batches when configured), with
   * `optimizer`, the warm-up's own, on this thread only; the replicas get the new weights. Returns `g_warmup`.
   */
  async reconstructionUpdate(batch: TrainBatch, optimizer: Optimizer): Promise<Record<string, number>> {
    const losses = await this.overMicroBatches(batch, "generator", 0, { optimizer });
    this.replicas?.publish("generator");
    return losses;
  }

  /**
   * One update of `network` from the batch in micro-batches of `microBatch` items: each micro-batch's gradients
   * are summed into the optimizer, which applies their mean (the whole batch's update for every loss here: all
   * are means over items) in the memory of one micro-batch. With replica threads the micro-batches are shared
   * out: the main thread takes the first share while the replicas compute theirs. Returns the mean losses.
   */
  private async overMicroBatches(
    batch: TrainBatch,
    network: NetworkName,
    step: number,
    reconstruction?: { optimizer: Optimizer },
  ): Promise<Record<string, number>> {
    const size = batch.source.length;
    const micro = Math.min(size, this.config.microBatch ?? size);
    const parts = size / micro;
    const optimizer =
      reconstruction?.optimizer ?? (network === "generator" ? this.generatorOptimizer : this.discriminatorOptimizer);
    const variables = network === "generator" ? this.generatorVariables : this.discriminatorVariables;
    const sink = (grads: tf.NamedTensorMap) => optimizer.accumulate(variables, grads);
    const compute = (chunk: Batch) =>
      reconstruction
        ? this.objective.reconstructionGradients(chunk, sink)
        : network === "generator"
          ? this.objective.generatorGradients(chunk, step, sink)
          : this.objective.discriminatorGradients(chunk, sink);
    // The replicas compute the GAN objectives only: a reconstruction update stays on this thread.
    const threads = reconstruction ? 1 : Math.min(parts, 1 + (this.replicas?.replicas.length ?? 0));
    // Thread t takes micro-batches [first(t), first(t + 1)); the main thread is thread 0.
    const first = (t: number) => Math.floor((t * parts) / threads);
    const itemSize = batch.x.size / size;
    const remote: Promise<ReplicaResult>[] = [];
    for (let t = 1; t < threads; t++) {
      const chunks: ChunkData[] = [];
      for (let part = first(t); part < first(t + 1); part++) {
        const [start, end] = [part * micro, (part + 1) * micro];
        chunks.push({
          features: batch.features.slice(start * itemSize, end * itemSize),
          shape: [micro, batch.x.shape[1], batch.x.shape[2], batch.x.shape[3]],
          source: batch.source.slice(start, end),
          target: batch.target.slice(start, end),
          otherSource: batch.otherSource.slice(start, end),
          mix: batch.mix.slice(start, end),
        });
      }
      remote.push((this.replicas as ReplicaPool).gradients(t - 1, network, step, chunks));
    }
    const results: Record<string, number>[] = [];
    if (micro === size) results.push(compute(batch));
    else {
      for (let part = 0; part < first(1); part++) {
        const [start, end] = [part * micro, (part + 1) * micro];
        const x = tf.slice(batch.x, [start, 0, 0, 0], [micro, -1, -1, -1]) as tf.Tensor4D;
        const chunk: Batch = {
          x,
          source: batch.source.subarray(start, end),
          target: batch.target.subarray(start, end),
          otherSource: batch.otherSource.subarray(start, end),
          mix: batch.mix.subarray(start, end),
        };
        try {
          results.push(compute(chunk));
        } finally {
          x.dispose();
        }
      }
    }
    const replies = await Promise.all(remote);
    for (const [i, reply] of replies.entries()) {
      optimizer.accumulateValues(variables, (this.replicas as ReplicaPool).gradientSums(i, network, reply.reached));
      results.push(...reply.losses);
    }
    optimizer.step(variables, parts);
    const totals: Record<string, number> = {};
    for (const losses of results) {
      for (const [name, value] of Object.entries(losses)) totals[name] = (totals[name] ?? 0) + value / parts;
    }
    return totals;
  }

  /** Stops the replica threads (they are unref'd: the process may exit before they are gone). */
  close(): void {
    if (this.replicas) setNativeConvThreads(this.convThreadsBefore);
    void this.replicas?.close();
    this.replicas = null;
  }
}
