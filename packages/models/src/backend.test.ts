import * as tf from "./tfjs.js";
import { describe, expect, it } from "vitest";
import { BackendUnavailableError } from "./errors.js";
import { initBackend } from "./backend.js";

describe("initBackend", () => {
  it("falls back past the native backends (no libtensorflow here) to wasm, saying why", async () => {
    const lines: string[] = [];
    const choice = await initBackend(undefined, (line) => lines.push(line));
    // On a machine with libtensorflow this would be "tensorflow"; CI has none.
    expect(["tensorflow-gpu", "tensorflow", "wasm"]).toContain(choice.name);
    if (choice.name === "wasm") {
      expect(choice.skipped.map((s) => s.name)).toEqual(["tensorflow-gpu", "tensorflow"]);
      expect(choice.skipped[0]?.reason).toMatch(/native addon not found: run `pnpm approve-builds`/);
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
      await expect(initBackend("tensorflow", () => {})).rejects.toThrow(/tensorflow: native addon not found/);
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
