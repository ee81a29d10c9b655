import * as tf from "../tfjs.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../node.js";
import { BatchNorm } from "../layers/normalization.js";
import { expectRelativelyClose } from "../test-support.js";
import { BATCH_NORM_TRAINING } from "./native-batch-norm.js";
import { nativeConvActive, useNativeConvKernels } from "../node.js";

/** vox's BatchNorm and tfjs-layers' BatchNormalization with the same (non-trivial) weights. */
function twins(channels: number) {
  const ours = new BatchNorm({ momentum: 0.9, epsilon: 1e-5 });
  const theirs = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  const shape = [2, 5, 6, channels];
  ours.build(shape);
  theirs.build(shape);
  const weights = [
    tf.randomUniform([channels], 0.5, 1.5, "float32", 11),
    tf.randomUniform([channels], -1, 1, "float32", 12),
    tf.randomUniform([channels], -1, 1, "float32", 13),
    tf.randomUniform([channels], 0.5, 2, "float32", 14),
  ];
  ours.setWeights(weights);
  theirs.setWeights(weights);
  tf.dispose(weights);
  return { ours, theirs, shape };
}

/** Frees layers' weights (a layer never applied to a symbolic input cannot be disposed as a whole). */
function release(...layers: tf.layers.Layer[]): void {
  for (const layer of layers) for (const w of layer.weights) w.dispose();
}

/** y, the moving statistics after one training call, and the gradients of sum(y * probe) for x, gamma, beta. */
function trainingPass(layer: tf.layers.Layer, x: tf.Tensor, probe: tf.Tensor) {
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  let y: number[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    y = Array.from(out.dataSync());
    return tf.sum(tf.mul(out, probe)) as tf.Scalar;
  }, [gamma as tf.Variable, beta as tf.Variable]);
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, probe)))(
    x,
  );
  const moving = layer
    .getWeights()
    .slice(2)
    .map((w) => Array.from(w.dataSync()));
  const result = {
    y,
    dx: Array.from(dx.dataSync()),
    dgamma: Array.from((grads[(gamma as tf.Variable).name] as tf.Tensor).dataSync()),
    dbeta: Array.from((grads[(beta as tf.Variable).name] as tf.Tensor).dataSync()),
    moving,
  };
  tf.dispose([value, dx, ...Object.values(grads)]);
  return result;
}

describe.each(["wasm", "cpu"] as const)("BatchNorm's native training kernels on %s", (backend) => {
  beforeAll(async () => {
    await initBackend(backend, () => {});
  });
  afterAll(() => {
    useNativeConvKernels(backend, true);
  });

  it("are in wherever the native conv kernels are", () => {
    expect(Boolean(tf.getKernel(BATCH_NORM_TRAINING, backend))).toBe(nativeConvActive());
  });

  // 4 and 9 channels reach the scalar tail of the 8-wide loops, 16 only the vector body; the map's mean is far
  // from zero, where a one-pass variance would lose digits.
  for (const channels of [4, 9, 16]) {
    it(`match tfjs-layers' BatchNormalization: output, moving statistics, gradients (${channels} channels)`, () => {
      const before = tf.memory().numTensors;
      const { ours, theirs, shape } = twins(channels);
      const x = tf.randomNormal(shape, 3, 2, "float32", 21);
      const probe = tf.randomNormal(shape, 0, 1, "float32", 22);
      const got = trainingPass(ours, x, probe);
      const want = trainingPass(theirs, x, probe);
      expectRelativelyClose(got.y, want.y, "y", 1e-5);
      expectRelativelyClose(got.dx, want.dx, "dx", 1e-4);
      expectRelativelyClose(got.dgamma, want.dgamma, "dgamma", 1e-4);
      expectRelativelyClose(got.dbeta, want.dbeta, "dbeta", 1e-5);
      expectRelativelyClose(got.moving.flat(), want.moving.flat(), "moving statistics", 1e-5);
      tf.dispose([x, probe]);
      release(ours, theirs);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("fall back to tfjs-layers' ops, exactly, when the native kernels are out", () => {
    useNativeConvKernels(backend, false);
    try {
      expect(tf.getKernel(BATCH_NORM_TRAINING, backend)).toBeUndefined();
      const { ours, theirs, shape } = twins(5);
      const x = tf.randomNormal(shape, 1, 2, "float32", 31);
      const probe = tf.randomNormal(shape, 0, 1, "float32", 32);
      expect(trainingPass(ours, x, probe)).toEqual(trainingPass(theirs, x, probe));
      tf.dispose([x, probe]);
      release(ours, theirs);
    } finally {
      useNativeConvKernels(backend, true);
    }
  });

  it("normalise with the moving statistics outside training, as tfjs-layers does", () => {
    const { ours, theirs, shape } = twins(6);
    const x = tf.randomNormal(shape, 0, 1, "float32", 41);
    const a = tf.tidy(() => Array.from((ours.apply(x) as tf.Tensor).dataSync()));
    const b = tf.tidy(() => Array.from((theirs.apply(x) as tf.Tensor).dataSync()));
    expect(a).toEqual(b);
    x.dispose();
    release(ours, theirs);
  });
});
