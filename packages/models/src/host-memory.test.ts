import { afterAll, describe, expect, it } from "vitest";
import { initBackend } from "./node.js";
import { hostValues, preferHostMemory, tensorFromHost } from "./host-memory.js";
import * as tf from "./tfjs.js";

describe.each(["wasm", "cpu"] as const)("host memory on %s", (backend) => {
  afterAll(async () => {
    await initBackend("wasm", () => {});
  });

  it("reads a tensor's values and makes tensors that own their data", async () => {
    await initBackend(backend, () => {});
    expect(preferHostMemory()).toBe(true);
    const before = tf.memory().numTensors;
    const t = tf.tidy(() => tf.range(0, 1000, 1, "float32").reshape([10, 100]));
    const view = hostValues(t);
    expect(Array.from(view)).toEqual(Array.from(t.dataSync()));
    const buffer = new Float32Array([1, 2, 3, 4, 5, 6]);
    const made = tensorFromHost(buffer, [2, 3]);
    buffer.fill(-1); // the caller reuses its buffer: the tensor must not change
    expect(Array.from(made.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(made.shape).toEqual([2, 3]);
    const ints = tf.tensor1d([1], "int32");
    expect(() => hostValues(ints)).toThrow(/float32/);
    ints.dispose();
    tf.dispose([t, made]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

it("keeps state on the device for the native backends", () => {
  expect(preferHostMemory("tensorflow")).toBe(false);
  expect(preferHostMemory("wasm")).toBe(true);
});
