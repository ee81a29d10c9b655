import * as tf from "./tfjs.js";
import { describe, expect, it } from "vitest";
import { BackendUnavailableError } from "./errors.js";
import { initBackend, parseTensorflowDevices, tensorflowDevices } from "./node.js";

describe("initBackend", () => {
  it("falls back past the native backends (no libtensorflow here) to wasm, saying why", async () => {
    const lines: string[] = [];
    const choice = await initBackend(undefined, (line) => lines.push(line));
    // On a machine with libtensorflow this would be "tensorflow"; CI has none.
    expect(["tensorflow-gpu", "tensorflow", "wasm"]).toContain(choice.name);
    if (choice.name === "wasm") {
      expect(choice.skipped.map((s) => s.name)).toEqual(["tensorflow-gpu", "tensorflow"]);
      // Not installed by default (opt-in optional peers): the reason says how to add one, not approve-builds.
      expect(choice.skipped[0]?.reason).toMatch(
        /@tensorflow\/tfjs-node-gpu is not installed \(an opt-in: `pnpm add -w @tensorflow\/tfjs-node-gpu@4\.22\.0`/,
      );
      expect(choice.skipped[0]?.reason).not.toMatch(/approve-builds/);
      // The last line says whether vox's native conv kernels run its convolutions, or why not.
      if (choice.nativeConv.active) expect(lines.at(-1)).toBe("backend: wasm with native AVX2 conv kernels");
      else
        expect(lines.slice(-2)).toEqual(["backend: wasm", `native conv kernels skipped: ${choice.nativeConv.reason}`]);
    }
    expect(tf.getBackend()).toBe(choice.name === "wasm" ? "wasm" : "tensorflow");
    const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, "same");
    expect(Array.from(await y.data()).slice(0, 4)).toEqual([4, 6, 6, 4]);
  });

  it("starts a named backend, and names the one it cannot start", async () => {
    expect((await initBackend("cpu", () => {})).name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    await expect(initBackend("gpu" as "cpu", () => {})).rejects.toThrow(
      /backend: expected one of tensorflow-gpu, tensorflow, wasm, cpu, found "gpu"/,
    );
    const native = initBackend("tensorflow", () => {});
    if (!(await native.then(() => true).catch(() => false))) {
      await expect(initBackend("tensorflow", () => {})).rejects.toBeInstanceOf(BackendUnavailableError);
      await expect(initBackend("tensorflow", () => {})).rejects.toThrow(
        /tensorflow: @tensorflow\/tfjs-node is not installed/,
      );
    }
    await initBackend("wasm", () => {});
  });

  it("shares buffers in the wasm Identity kernel (clones of saved tensors cost no memory) and keeps values", async () => {
    await initBackend("wasm", () => {});
    const x = tf.randomNormal([256, 1024]);
    const copy = tf.clone(x);
    expect(copy.dataId).toBe(x.dataId); // one wasm buffer, reference-counted
    const expected = Array.from(x.dataSync());
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual(expected);
    // A variable updated after cloning leaves the clone as it was (assign swaps buffers, never writes in place).
    const v = tf.variable(tf.ones([4]));
    const snapshot = tf.clone(v);
    v.assign(tf.zeros([4]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 1, 1, 1]);
    tf.dispose([copy, v, snapshot]);
  });
});

describe("tensorflowDevices", () => {
  it("reads the GPUs libtensorflow creates from its start-up log", () => {
    const log = [
      "2026-12-01 10:00:00.000001: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1510] Created device " +
        "/job:localhost/replica:0/task:0/device:GPU:0 with 22302 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3090, pci bus id: 0000:01:00.0, compute capability: 8.6",
      "2026-12-01 10:00:00.000002: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1418] Created TensorFlow " +
        "device (/job:localhost/replica:0/task:0/device:GPU:1 with 7000 MB memory) -> physical GPU (device: 1, name: Tesla T4, pci bus id: 0000:02:00.0, compute capability: 7.5)",
    ].join("\n");
    expect(parseTensorflowDevices(log)).toEqual(["GPU:0 NVIDIA GeForce RTX 3090 (22 GiB)", "GPU:1 Tesla T4 (7 GiB)"]);
  });

  it("says when TensorFlow runs without a GPU, and which CUDA library it could not load", () => {
    const log =
      "W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file";
    expect(parseTensorflowDevices(log)).toEqual([
      "CPU:0 (no GPU visible to TensorFlow: could not load libcudart.so.11.0)",
    ]);
    expect(parseTensorflowDevices("")).toEqual([]);
  });

  it("has nothing to report for wasm and cpu, or for a native package that is not installed", async () => {
    expect(await tensorflowDevices("wasm")).toEqual([]);
    expect(await tensorflowDevices("tensorflow-gpu")).toEqual([]);
  });
});
