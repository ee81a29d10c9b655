/**
 * A replica thread: its own backend (its own wasm heap) and copies of the generator and discriminator, which
 * computes the gradients of the micro-batches the trainer hands it and writes their sum into shared memory.
 */
import { parentPort } from "node:worker_threads";
import { buildDiscriminator, buildGenerator, hostValues, initBackend, tensorFromHost, tf } from "@vox/models";
import { StarGanObjective } from "./objective.js";
import type { NetworkName, ReplicaReply, ReplicaRequest, SharedNetworks } from "./replica-protocol.js";

let objective: StarGanObjective | null = null;
let shared: { weights: SharedNetworks; grads: SharedNetworks } | null = null;

function variablesOf(network: NetworkName): tf.Variable[] {
  const o = objective as StarGanObjective;
  return network === "generator" ? o.generatorVariables : o.discriminatorVariables;
}

function reload(network: NetworkName): void {
  const buffer = new Float32Array((shared as { weights: SharedNetworks }).weights[network]);
  let offset = 0;
  for (const variable of variablesOf(network)) {
    const next = tensorFromHost(buffer.subarray(offset, offset + variable.size), variable.shape);
    variable.assign(next);
    next.dispose();
    offset += variable.size;
  }
}

async function handle(request: ReplicaRequest): Promise<Record<string, number>[]> {
  if (request.kind === "init") {
    await initBackend(request.backend as never, () => {});
    const generator = buildGenerator(request.model.generator);
    const discriminator = buildDiscriminator(request.model.discriminator);
    objective = new StarGanObjective(generator, discriminator, request.config, request.model, request.numSpeakers);
    shared = { weights: request.weights, grads: request.grads };
    reload("generator");
    reload("discriminator");
    return [];
  }
  for (const network of request.reload) reload(network);
  const o = objective as StarGanObjective;
  const variables = variablesOf(request.network);
  const sums = new Float32Array((shared as { grads: SharedNetworks }).grads[request.network]);
  const offsets: number[] = [];
  let offset = 0;
  for (const variable of variables) {
    offsets.push(offset);
    offset += variable.size;
  }
  const losses: Record<string, number>[] = [];
  for (const [index, chunk] of request.chunks.entries()) {
    // Gradients a network has none for (a weight no loss reaches) stay zero.
    if (index === 0) sums.fill(0);
    const sink = (grads: tf.NamedTensorMap) => {
      for (const [i, variable] of variables.entries()) {
        const grad = grads[variable.name];
        if (!grad) continue;
        const values = hostValues(grad);
        const start = offsets[i] as number;
        for (let k = 0; k < values.length; k++) (sums[start + k] as number) += values[k] as number;
      }
      tf.dispose(Object.values(grads));
    };
    const x = tf.tensor4d(chunk.features, chunk.shape);
    const batch = { x, source: chunk.source, target: chunk.target, otherSource: chunk.otherSource, mix: chunk.mix };
    losses.push(
      request.network === "generator"
        ? o.generatorGradients(batch, request.step, sink)
        : o.discriminatorGradients(batch, sink),
    );
    x.dispose();
  }
  return losses;
}

const port = parentPort;
if (port) {
  port.on("message", (message: { id: number; request: ReplicaRequest }) => {
    handle(message.request).then(
      (result) => port.postMessage({ id: message.id, result } satisfies ReplicaReply),
      (error: unknown) =>
        port.postMessage({
          id: message.id,
          error: (error as Error).message?.split("\n")[0] ?? String(error),
        } satisfies ReplicaReply),
    );
  });
}

export default null;
