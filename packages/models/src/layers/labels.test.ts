import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../node.js";
import * as tf from "../tfjs.js";
import { PaddedConv2D } from "./conv.js";
import { TiledLabelConv2D, TileLabels } from "./labels.js";
import { describeLayerContract, type LayerCase } from "../test-support.js";

/** TiledLabelConv2D against its definition: TileLabels then PaddedConv2D with the same kernel and bias. */
describe.each(["wasm", "cpu"] as const)("TiledLabelConv2D on %s", (backend) => {
  beforeAll(async () => {
    await initBackend(backend, () => {});
  });

  for (const [kernelSize, padding, size] of [
    [
      [3, 5],
      [1, 2],
      [6, 9],
    ],
    [
      [4, 4],
      [1, 1],
      [5, 6],
    ],
    [
      [7, 7],
      [3, 3],
      [8, 8],
    ],
  ] as [[number, number], [number, number], [number, number]][]) {
    it(`equals tiling then convolving (${kernelSize.join("x")} kernel, padding ${padding.join("x")}), values and gradients`, () => {
      const features = tf.randomNormal([2, ...size, 3], 0, 1, "float32", 1);
      const labels = tf.randomUniform([2, 6], 0, 1, "float32", 2);
      const target = new PaddedConv2D({ filters: 4, kernelSize, padding });
      target.apply(tf.input({ shape: [null, null, 9] }));
      const fast = new TiledLabelConv2D({ filters: 4, kernelSize, padding });
      fast.apply([tf.input({ shape: [null, null, 3] }), tf.input({ shape: [6] })]);
      fast.setWeights(target.getWeights());
      const tile = new TileLabels();
      const viaTiling = (f: tf.Tensor, l: tf.Tensor) => target.apply(tile.apply([f, l]) as tf.Tensor) as tf.Tensor;
      const direct = (f: tf.Tensor, l: tf.Tensor) => fast.apply([f, l]) as tf.Tensor;
      const before = tf.memory().numTensors;
      const [a, b] = [tf.tidy(() => viaTiling(features, labels)), direct(features, labels)];
      expect(b.shape).toEqual(a.shape);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThan(1e-4);
      const weight = (layer: tf.layers.Layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const lossOf = (fn: typeof direct) => () => tf.sum(tf.mul(fn(features, labels), tf.sin(a))) as tf.Scalar;
      const g1 = tf.variableGrads(lossOf(viaTiling), weight(target));
      const g2 = tf.variableGrads(lossOf(direct), weight(fast));
      const [k1, b1] = weight(target).map((w) => g1.grads[w.name] as tf.Tensor);
      const [k2, b2] = weight(fast).map((w) => g2.grads[w.name] as tf.Tensor);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(k1 as tf.Tensor, k2 as tf.Tensor))).dataSync()[0])).toBeLessThan(1e-3);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(b1 as tf.Tensor, b2 as tf.Tensor))).dataSync()[0])).toBeLessThan(1e-3);
      const dl = (fn: typeof direct) =>
        tf.grads((f: tf.Tensor, l: tf.Tensor) => tf.sum(tf.mul(fn(f, l), tf.sin(a))))([features, labels]);
      const [df1, dl1] = dl(viaTiling) as [tf.Tensor, tf.Tensor];
      const [df2, dl2] = dl(direct) as [tf.Tensor, tf.Tensor];
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(df1, df2))).dataSync()[0])).toBeLessThan(1e-3);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(dl1, dl2))).dataSync()[0])).toBeLessThan(1e-3);
      tf.dispose([
        a,
        b,
        g1.value,
        g2.value,
        ...Object.values(g1.grads),
        ...Object.values(g2.grads),
        df1,
        dl1,
        df2,
        dl2,
      ]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([features, labels]);
      target.dispose();
      fast.dispose();
    });
  }
});

const cases: LayerCase[] = [
  {
    name: "TileLabels",
    make: () => new TileLabels(),
    inputs: [[4, 6, 3], [5]],
    output: [2, 4, 6, 8],
    hasWeights: false,
  },
  {
    name: "TiledLabelConv2D 3x5 p1x2",
    make: () => new TiledLabelConv2D({ filters: 4, kernelSize: [3, 5], padding: [1, 2], useBias: false }),
    inputs: [[6, 7, 3], [5]],
    output: [2, 6, 7, 4],
    hasWeights: true,
    // A label's weights act at every position at once: Adam's fixed 0.05 step overshoots.
    learningRate: 0.01,
  },
  {
    name: "TiledLabelConv2D 4x4 p1",
    make: () => new TiledLabelConv2D({ filters: 3, kernelSize: [4, 4], padding: [1, 1] }),
    inputs: [[5, 6, 2], [3]],
    output: [2, 4, 5, 3],
    hasWeights: true,
    // A label's weights act at every position at once: Adam's fixed 0.05 step overshoots.
    learningRate: 0.01,
  },
];

describeLayerContract("label layers", cases);
