import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./node.js";
import { withSeededRandom } from "./seeded-random.js";
import * as tf from "./tfjs.js";

/** Expects the largest difference from `expected` to be under `tolerance` of expected's largest magnitude. */
export function expectRelativelyClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  tolerance: number,
): void {
  expect(actual.length, label).toBe(expected.length);
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    peak = Math.max(peak, Math.abs(expected[i] as number));
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  expect(worst / peak, label).toBeLessThan(tolerance);
}

/**
 * Expects `analytic` (the gradient of the scalar f at t) to match central differences of f at the given flat
 * indices of t (default: first, a few inside, last), to 2 % of max(1, |numeric|). Test-only (as this whole file).
 */
export function expectFiniteDifferences(
  t: tf.Tensor4D,
  analytic: tf.Tensor,
  f: (t: tf.Tensor4D) => tf.Tensor,
  indices: number[] = [0, 5, 17, t.size - 1],
  eps = 1e-2,
): void {
  const values = t.dataSync().slice();
  const grad = analytic.dataSync();
  const at = (v: Float32Array | Int32Array | Uint8Array) =>
    f(tf.tensor(v, t.shape) as tf.Tensor4D).dataSync()[0] as number;
  for (const i of indices) {
    const plus = values.slice();
    const minus = values.slice();
    plus[i] = (plus[i] as number) + eps;
    minus[i] = (minus[i] as number) - eps;
    const numeric = (at(plus) - at(minus)) / (2 * eps);
    expect(Math.abs(numeric - (grad[i] as number)), `index ${i}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
  }
}

/** What the shared layer contract needs of one layer: how to make it, its inputs and the output they give. */
export interface LayerCase {
  name: string;
  make: () => tf.layers.Layer;
  /** Input shapes without the batch dimension; the batch is 2. */
  inputs: number[][];
  /** Shape of one output, batch included, for those inputs. */
  output: number[];
  hasWeights: boolean;
  /** Adam's step for the training-step check (0.05 unless a layer's loss is steeper). */
  learningRate?: number;
  /** Called in training mode (layers that behave differently there: batch statistics). */
  training?: boolean;
}

function randomInputs(shapes: number[][], seed: number): tf.Tensor[] {
  return shapes.map((shape, i) => tf.randomNormal([2, ...shape], 0, 1, "float32", seed + i));
}

function callLayer(layer: tf.layers.Layer, inputs: tf.Tensor[], training = false): tf.Tensor {
  return layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { training }) as tf.Tensor;
}

/**
 * The tfjs-layers contract every custom layer keeps, on wasm and cpu: the output shape it declares, one training
 * step, a config round trip (alone and inside a saved topology), no leaked tensors.
 */
export function describeLayerContract(title: string, cases: LayerCase[]): void {
  describe.each(["wasm", "cpu"] as const)(`${title} on %s (tfjs-layers pattern)`, (backend) => {
    beforeAll(async () => {
      await initBackend(backend, () => {});
    });

    for (const c of cases) {
      describe(c.name, () => {
        it("computes the output shape it declares", () => {
          const layer = c.make();
          const symbolic = c.inputs.map((shape) => tf.input({ shape }));
          const out = layer.apply(
            symbolic.length === 1 ? (symbolic[0] as tf.SymbolicTensor) : symbolic,
          ) as tf.SymbolicTensor;
          expect(out.shape).toEqual([null, ...c.output.slice(1)]);
          const actual = tf.tidy(() => callLayer(layer, randomInputs(c.inputs, 1), c.training).shape);
          expect(actual).toEqual(c.output);
        });

        it("takes one training step (weights move the loss down, or gradients reach the inputs)", () => {
          const layer = c.make();
          const inputs = randomInputs(c.inputs, 2);
          const target = tf.randomNormal(c.output, 0, 1, "float32", 9);
          // The layers' own initializers seed themselves from Math.random; seeding it makes the starting weights,
          // and so this check, the same on every run (an unseeded draw once let three Adam steps overshoot).
          withSeededRandom(50, () => tf.tidy(() => callLayer(layer, inputs, c.training)));
          const loss = () => tf.mean(tf.square(tf.sub(callLayer(layer, inputs, c.training), target))) as tf.Scalar;
          const before = tf.tidy(() => loss().dataSync()[0] as number);
          if (c.hasWeights) {
            const optimizer = tf.train.adam(c.learningRate ?? 0.05);
            for (let i = 0; i < 3; i++) tf.dispose(optimizer.minimize(loss, true) ?? []);
            const after = tf.tidy(() => loss().dataSync()[0] as number);
            expect(after).toBeLessThan(before);
            optimizer.dispose();
          }
          const grads = tf.grads((...xs: tf.Tensor[]) =>
            tf.mean(tf.square(tf.sub(callLayer(layer, xs, c.training), target))),
          )(inputs);
          const first = grads[0] as tf.Tensor;
          const norm = tf.tidy(() => tf.norm(first).dataSync()[0] as number);
          expect(Number.isFinite(norm) && norm > 0).toBe(true);
          tf.dispose([...inputs, target, ...grads]);
        });

        it("round-trips its config, alone and inside a saved model topology", () => {
          const layer = c.make();
          const symbolic = c.inputs.map((shape) => tf.input({ shape }));
          const out = layer.apply(
            symbolic.length === 1 ? (symbolic[0] as tf.SymbolicTensor) : symbolic,
          ) as tf.SymbolicTensor;
          const config = layer.getConfig();
          const className = (layer.constructor as unknown as { className: string }).className;
          const [ctor, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[className] ?? [];
          expect(ctor).toBe(layer.constructor);
          const clone = fromConfig?.(
            ctor as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
            config,
          ) as tf.layers.Layer | undefined;
          expect(clone?.getConfig()).toEqual(config);
          const model = tf.model({ inputs: symbolic, outputs: out });
          const json = model.toJSON(null, false) as tf.serialization.ConfigDict;
          const rebuilt = tf.models.modelFromJSON({ modelTopology: json } as unknown as tf.io.ModelJSON);
          return rebuilt.then((m) => {
            expect(m.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
            m.dispose();
            model.dispose();
          });
        });

        it("leaks no tensors across calls", () => {
          const layer = c.make();
          const inputs = randomInputs(c.inputs, 3);
          tf.dispose(callLayer(layer, inputs, c.training)); // builds weights
          const before = tf.memory().numTensors;
          for (let i = 0; i < 3; i++) tf.dispose(callLayer(layer, inputs, c.training));
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose(inputs);
        });
      });
    }
  });
}
