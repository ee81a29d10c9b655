/**
 * A replica thread: its own backend (its own wasm heap) and copies of the generator and discriminator, which
 * computes the gradients of the micro-batches the trainer hands it and writes their sum into shared memory.
 */
import { parentPort } from "node:worker_threads";
import { buildDiscriminator, buildGenerator, hostValues, tensorFromHost, tf } from "@vox/models";
import { initBackend } from "@vox/models/node";
import { StarGanObjective } from "./objective.js";
import {
  type NetworkName,
  type ReplicaReply,
  type ReplicaRequest,
  type ReplicaResult,
  type SharedNetworks,
  variableViews,
} from "./replica-protocol.js";

let objective: StarGanObjective | null = null;
let shared: { weights: SharedNetworks; grads: SharedNetworks } | null = null;

function variablesOf(network: NetworkName): tf.Variable[] {
  const o = objective as StarGanObjective;
  return network === "generator" ? o.generatorVariables : o.discriminatorVariables;
}

function reload(network: NetworkName): void {
  const variables = variablesOf(network);
  const weights = variableViews((shared as { weights: SharedNetworks }).weights[network], variables);
  for (const [i, variable] of variables.entries()) {
    const next = tensorFromHost(weights[i] as Float32Array, variable.shape);
    variable.assign(next);
    next.dispose();
  }
}

async function handle(request: ReplicaRequest): Promise<ReplicaResult> {
  if (request.kind === "init") {
    await initBackend(request.backend as never, () => {});
    const generator = buildGenerator(request.model.generator);
    const discriminator = buildDiscriminator(request.model.discriminator);
    objective = new StarGanObjective(generator, discriminator, request.config, request.model, request.numSpeakers);
    shared = { weights: request.weights, grads: request.grads };
    reload("generator");
    reload("discriminator");
    return { losses: [], reached: [] };
  }
  for (const network of request.reload) reload(network);
  const o = objective as StarGanObjective;
  const variables = variablesOf(request.network);
  const sums = variableViews((shared as { grads: SharedNetworks }).grads[request.network], variables);
  for (const sum of sums) sum.fill(0);
  // A weight no loss reaches has no gradient: the trainer must skip it (not apply a zero, which moves Adam's state).
  const reached = variables.map(() => false);
  const sink = (grads: tf.NamedTensorMap) => {
    for (const [i, variable] of variables.entries()) {
      const grad = grads[variable.name];
      if (!grad) continue;
      reached[i] = true;
      const values = hostValues(grad);
      const sum = sums[i] as Float32Array;
      for (let k = 0; k < values.length; k++) (sum[k] as number) += values[k] as number;
    }
    tf.dispose(Object.values(grads));
  };
  const losses: Record<string, number>[] = [];
  for (const chunk of request.chunks) {
    const x = tf.tensor4d(chunk.features, chunk.shape);
    const batch = { x, source: chunk.source, target: chunk.target, otherSource: chunk.otherSource, mix: chunk.mix };
    losses.push(
      request.network === "generator"
        ? o.generatorGradients(batch, request.step, sink)
        : o.discriminatorGradients(batch, sink),
    );
    x.dispose();
  }
  return { losses, reached };
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
