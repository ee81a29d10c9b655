import { readFileSync } from "node:fs";
import * as tf from "../tfjs.js";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../node.js";
import { expectFiniteDifferences, expectRelativelyClose } from "../test-support.js";
import { conv2dFilterGrad } from "./conv.js";
import {
  nativeConvActive,
  nativeConvThreads,
  nativeConvUnavailableReason,
  setNativeConvThreads,
  useNativeConvKernels,
} from "../node.js";

/** Whether this machine can run the addon: x86-64 Linux with AVX2 and FMA, as CI's. */
function machineHasAvx2(): boolean {
  if (process.platform !== "linux" || process.arch !== "x64") return false;
  const flags =
    readFileSync("/proc/cpuinfo", "utf8")
      .match(/^flags\s*:(.*)$/m)?.[1]
      ?.split(/\s+/) ?? [];
  return flags.includes("avx2") && flags.includes("fma");
}

interface KernelCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: "same" | "valid" | tf.backend_util.ExplicitPadding;
  dilations?: [number, number];
}

// Shapes that reach every edge of the GEMM blocking (conv_kernels.cc: MR 6, NR 16, KC 256, NC 1024, input-gradient
// row blocks of 4 M values): ragged rows and columns, several depth blocks, more than one column block, several row
// blocks, strides and padding on each side, dilation (forward only: tfjs's backprop kernels have no dilation).
const cases: KernelCase[] = [
  { name: "3x5 same, ragged everything", x: [2, 7, 9, 5], filter: [3, 5, 5, 7], strides: [1, 1], pad: "same" },
  {
    name: "4x4 stride 2, explicit asymmetric padding",
    x: [1, 9, 10, 6],
    filter: [4, 4, 6, 17],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 2],
      [2, 1],
      [0, 0],
    ],
  },
  { name: "2x3 stride 2x3 same", x: [3, 5, 7, 2], filter: [2, 3, 2, 3], strides: [2, 3], pad: "same" },
  {
    name: "1x1 over 300 channels to 1030 (two column blocks)",
    x: [1, 3, 3, 300],
    filter: [1, 1, 300, 1030],
    strides: [1, 1],
    pad: "valid",
  },
  {
    name: "3x3 over 300 channels (depth blocks, input-grad row blocks)",
    x: [1, 40, 40, 300],
    filter: [3, 3, 300, 5],
    strides: [1, 1],
    pad: "same",
  },
  {
    name: "kernel covering the map (a cls head)",
    x: [2, 2, 2, 64],
    filter: [2, 2, 64, 33],
    strides: [1, 1],
    pad: "valid",
  },
  {
    name: "4x4 stride 2 over a wide map (whole panels of one output row, strided)",
    x: [2, 10, 30, 8],
    filter: [4, 4, 8, 20],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  { name: "7x7 from one channel", x: [1, 12, 11, 1], filter: [7, 7, 1, 32], strides: [1, 1], pad: "same" },
  // One input channel, stride 1: the direct loops (8-position blocks and their tails; filter-gradient rows of
  // width 3, 5, 7 or 9, others by the GEMM).
  {
    name: "3x9 from one channel to 64, two images",
    x: [2, 10, 21, 1],
    filter: [3, 9, 1, 64],
    strides: [1, 1],
    pad: "same",
  },
  { name: "5x5 valid from one channel to 8", x: [1, 9, 14, 1], filter: [5, 5, 1, 8], strides: [1, 1], pad: "valid" },
  {
    name: "7x7 from one channel, map narrower than the kernel",
    x: [2, 5, 4, 1],
    filter: [7, 7, 1, 16],
    strides: [1, 1],
    pad: "same",
  },
  {
    name: "3x6 from one channel, asymmetric padding",
    x: [1, 8, 17, 1],
    filter: [3, 6, 1, 16],
    strides: [1, 1],
    pad: [
      [0, 0],
      [2, 0],
      [1, 4],
      [0, 0],
    ],
  },
  // Thin (4 output channels or fewer): direct dot products and axpys instead of the GEMM; channel counts off the
  // 8-wide vectors.
  {
    name: "thin: 5x15 over 64 channels to 1 (stargan-vc2's output conv)",
    x: [2, 6, 20, 64],
    filter: [5, 15, 64, 1],
    strides: [1, 1],
    pad: "same",
  },
  {
    name: "thin: 4x4 stride 2, 13 channels to 3",
    x: [1, 9, 8, 13],
    filter: [4, 4, 13, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 1],
      [1, 2],
      [0, 0],
    ],
  },
  { name: "3x3 dilation 2", x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "same", dilations: [2, 2] },
];

type Values = Float32Array[];

/** Forward, input gradient and filter gradient through the active backend's kernels. */
function kernelValues(c: KernelCase): Values {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal(c.filter, 0, 1, "float32", 2) as tf.Tensor4D;
    const y = tf.conv2d(x, w, c.strides, c.pad, "NHWC", c.dilations ?? 1);
    const values = [y.dataSync() as Float32Array];
    if (c.dilations) return values;
    const dy = tf.randomNormal(y.shape, 0, 1, "float32", 3) as tf.Tensor4D;
    values.push(tf.conv2dTranspose(dy, w, c.x, c.strides, c.pad).dataSync() as Float32Array);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", filterShape: c.filter };
    const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs as unknown as tf.NamedAttrMap);
    values.push((dw as tf.Tensor).dataSync() as Float32Array);
    return values;
  });
}

describe("native conv kernels", () => {
  it("are built and run on an x86-64 Linux machine with AVX2/FMA (as CI's)", () => {
    if (!machineHasAvx2() || process.env.VOX_NATIVE_KERNELS === "0") return;
    expect(nativeConvUnavailableReason()).toBe("");
  });

  describe.skipIf(nativeConvUnavailableReason() !== "")("against the cpu backend's own kernels", () => {
    const reference = new Map<string, Values>();
    beforeAll(async () => {
      await initBackend("cpu", () => {});
      useNativeConvKernels("cpu", false);
      for (const c of cases) reference.set(c.name, kernelValues(c));
    }, 60_000); // the cpu backend's own filter gradient runs ~0.01 GFLOP/s

    it.each(["cpu", "wasm"] as const)("Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter on %s", async (backend) => {
      const choice = await initBackend(backend, () => {});
      expect(choice.nativeConv).toEqual({ active: true, reason: "" });
      expect(nativeConvActive()).toBe(true);
      for (const c of cases) {
        const expected = reference.get(c.name) as Values;
        kernelValues(c).forEach((v, i) => {
          expectRelativelyClose(v, expected[i] as Float32Array, `${c.name}: ${["y", "dx", "dw"][i]}`, 1e-5);
        });
      }
    });

    it("split a call over threads without changing any value", async () => {
      await initBackend("wasm", () => {});
      // Big enough for 3 threads on every kernel (rows of the GEMMs, channels of the input gradient's scatter).
      const c: KernelCase = {
        name: "3x3 64 -> 96",
        x: [2, 48, 40, 64],
        filter: [3, 3, 64, 96],
        strides: [1, 1],
        pad: "same",
      };
      const before = nativeConvThreads();
      setNativeConvThreads(1);
      const one = kernelValues(c);
      setNativeConvThreads(3);
      expect(nativeConvThreads()).toBe(3);
      const three = kernelValues(c);
      setNativeConvThreads(before);
      // Each output value is summed in the same order whichever thread makes it: bit-identical.
      for (const [i, v] of three.entries()) {
        expect(Buffer.from(v.buffer).equals(Buffer.from((one[i] as Float32Array).buffer))).toBe(true);
      }
      expect(() => setNativeConvThreads(0)).toThrow(/expected a whole number >= 1, found 0/);
    });

    it("go in and out of a backend, restoring its own kernels", async () => {
      await initBackend("wasm", () => {});
      const native = tf.getKernel("Conv2D", "wasm");
      expect(useNativeConvKernels("wasm", false)).toBe(false);
      expect(nativeConvActive()).toBe(false);
      expect(tf.getKernel("Conv2D", "wasm")).not.toBe(native);
      expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeUndefined(); // wasm has none of its own
      expect(useNativeConvKernels("wasm", true)).toBe(true);
      expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
    });

    it("leave no tensors behind and name what they cannot do", async () => {
      await initBackend("wasm", () => {});
      const x = tf.randomNormal([2, 6, 6, 3]) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
      const step = () => {
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"))),
        )([x, w]);
        tf.dispose(grads);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      const nchw = tf.randomNormal([1, 3, 6, 6]) as tf.Tensor4D;
      expect(() => tf.conv2d(nchw, w, 1, "same", "NCHW")).toThrow(/native Conv2D: expected NHWC, found NCHW/);
      tf.dispose([x, w, nchw]);
    });

    it("differentiate the filter gradient (a third derivative of a conv) as finite differences do", async () => {
      await initBackend("cpu", () => {});
      const geometry = { strides: [2, 2] as [number, number], pad: [1, 1] as [number, number] };
      const x = tf.randomNormal([1, 6, 6, 2], 0, 1, "float32", 7) as tf.Tensor4D;
      const dy = tf.randomNormal([1, 3, 3, 2], 0, 1, "float32", 8) as tf.Tensor4D;
      const loss = (xi: tf.Tensor4D, dyi: tf.Tensor4D) => tf.sum(tf.sin(conv2dFilterGrad(xi, dyi, geometry, [4, 4])));
      const [dx, ddy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, dy]);
      expectFiniteDifferences(x, dx as tf.Tensor, (xi) => loss(xi, dy), [0, 7, x.size - 1]);
      expectFiniteDifferences(dy, ddy as tf.Tensor, (dyi) => loss(x, dyi), [0, 7, dy.size - 1]);
    });
  });
});
