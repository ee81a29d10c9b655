import * as tf from "../tfjs.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../node.js";
import { leakyReluTwice } from "./activations.js";
import { expectFiniteDifferences, expectRelativelyClose } from "../test-support.js";
import { useNativeConvKernels } from "../node.js";
import {
  type ConvGeometry,
  conv2dFast,
  conv2dFilterGrad,
  conv2dTransposeFast,
  convOutputSize,
  isWeightBound,
  setConvGradientMode,
} from "./conv.js";

/** Reference convolution with tfjs's own kernels (explicit symmetric padding). */
function referenceConv(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [ph, pw] = g.pad as [number, number];
  const padded = tf.pad(x, [
    [0, 0],
    [ph, ph],
    [pw, pw],
    [0, 0],
  ]);
  return tf.conv2d(padded, w, g.strides, "valid");
}

const geometries: Case[] = [
  { name: "7x7 stride 1 pad 3 (seed down1/up4)", kernel: [7, 7], g: { strides: [1, 1], pad: [3, 3] }, size: [9, 10] },
  { name: "4x4 stride 2 pad 1 (seed down/up)", kernel: [4, 4], g: { strides: [2, 2], pad: [1, 1] }, size: [8, 10] },
  { name: "4x4 stride 2 pad 1, odd size", kernel: [4, 4], g: { strides: [2, 2], pad: [1, 1] }, size: [9, 11] },
  { name: "3x5 stride 1 pad 1x2 (seed bottleneck)", kernel: [3, 5], g: { strides: [1, 1], pad: [1, 2] }, size: [6, 9] },
  {
    name: "3x5 stride 1 pad 1x2 at batch 1 (the patch-row filter gradient)",
    kernel: [3, 5],
    g: { strides: [1, 1], pad: [1, 2] },
    size: [6, 9],
    channels: [5, 4],
    batch: 1,
  },
  {
    name: "5x5 stride 1x2 pad 2 (stargan-vc2 down)",
    kernel: [5, 5],
    g: { strides: [1, 2], pad: [2, 2] },
    size: [7, 8],
  },
  // Weight-bound (isWeightBound): the patch-product input gradient (col2im) and the im2col filter gradient.
  {
    name: "weight-bound 4x4 stride 2 pad 1 on an odd 5x5 map, 128 -> 160 channels",
    kernel: [4, 4],
    g: { strides: [2, 2], pad: [1, 1] },
    size: [5, 5],
    channels: [128, 160],
  },
  {
    name: "weight-bound 3x5 stride 1 pad 1x2, 256 -> 64 channels on 1x2",
    kernel: [3, 5],
    g: { strides: [1, 1], pad: [1, 2] },
    size: [1, 2],
    channels: [256, 64],
  },
  {
    name: "weight-bound 4x4 stride 2 pad 1, 128 -> 160 channels on 4x4 (the seed D's last levels)",
    kernel: [4, 4],
    g: { strides: [2, 2], pad: [1, 1] },
    size: [4, 4],
    channels: [128, 160],
  },
  {
    name: "weight-bound kernel covering the map, 256 -> 96 (the seed D's cls head)",
    kernel: [2, 2],
    g: { strides: [1, 1], pad: [0, 0] },
    size: [2, 2],
    channels: [256, 96],
  },
];

interface Case {
  name: string;
  kernel: [number, number];
  g: ConvGeometry;
  size: [number, number];
  /** [in, out] channels; default [3, 4]. */
  channels?: [number, number];
  /** Default 2. */
  batch?: number;
}

/** Inputs of a case, the same numbers on every backend. */
function inputs({ kernel, size, channels, batch = 2 }: Case) {
  const [cin, cout] = channels ?? [3, 4];
  const x = tf.randomNormal([batch, size[0], size[1], cin], 0, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomNormal([kernel[0], kernel[1], cin, cout], 0, 1, "float32", 2) as tf.Tensor4D;
  return { x, w };
}

/** Reference values on the cpu backend: its Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter kernels. */
function referenceValues(c: Case): {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  u: Float32Array;
  uShape: number[];
} {
  return tf.tidy(() => {
    const { x, w } = inputs(c);
    const y = referenceConv(x, w, c.g);
    const u = tf.randomNormal(y.shape, 0, 1, "float32", 3);
    const [dx, dw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
      tf.sum(tf.mul(referenceConv(xi as tf.Tensor4D, wi as tf.Tensor4D, c.g), u)),
    )([x, w]);
    return {
      y: y.dataSync() as Float32Array,
      dx: (dx as tf.Tensor).dataSync() as Float32Array,
      dw: (dw as tf.Tensor).dataSync() as Float32Array,
      u: u.dataSync() as Float32Array,
      uShape: y.shape,
    };
  });
}

function expectNear(actual: tf.Tensor, expected: Float32Array, label: string): void {
  expectRelativelyClose(actual.dataSync() as Float32Array, expected, label, 1e-4);
}

/** A WGAN-GP penalty through a stride-2 conv, a second-order-safe LeakyReLU and a 3x5 conv. */
interface PenaltyCase {
  size: number;
  /** Channels of the input, between the convs, and out. */
  channels: [number, number, number];
}

function penaltyGrads(conv: typeof referenceConv, { size, channels: [c0, c1, c2] }: PenaltyCase): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, size, size, c0], 0, 1, "float32", 4) as tf.Tensor4D;
    const w1 = tf.randomNormal([4, 4, c0, c1], 0, 0.5 / Math.sqrt(c0), "float32", 5) as tf.Tensor4D;
    const w2 = tf.randomNormal([3, 5, c1, c2], 0, 0.5 / Math.sqrt(c1), "float32", 6) as tf.Tensor4D;
    const down: ConvGeometry = { strides: [2, 2], pad: [1, 1] };
    const same: ConvGeometry = { strides: [1, 1], pad: [1, 2] };
    const penalty = (a: tf.Tensor, b: tf.Tensor) => {
      const critic = (xi: tf.Tensor) =>
        tf.sum(
          tf.tanh(
            conv(
              leakyReluTwice(conv(xi as tf.Tensor4D, a as tf.Tensor4D, down), 0.01) as tf.Tensor4D,
              b as tf.Tensor4D,
              same,
            ),
          ),
        );
      const dx = tf.grad(critic)(x);
      const norm = tf.sqrt(tf.add(tf.sum(tf.square(dx), [1, 2, 3]), 1e-12));
      return tf.mean(tf.square(tf.sub(norm, 1)));
    };
    return tf
      .grads(penalty)([w1, w2])
      .map((g) => g.dataSync() as Float32Array);
  });
}

const references = new Map<string, ReturnType<typeof referenceValues>>();
const penaltyCases: PenaltyCase[] = [
  { size: 8, channels: [2, 3, 2] },
  { size: 32, channels: [2, 3, 2] },
  // weight-bound (both convs at 1 x 1 outputs): the patch-product input gradient, whose own gradient is registered here
  { size: 2, channels: [64, 128, 96] },
];
const penaltyReference = new Map<PenaltyCase, Float32Array[]>();

// Each backend with its own kernels (the forward-conv routes above) and with vox's native ones (native-conv.ts).
describe.each([
  ["cpu", "plain"],
  ["wasm", "plain"],
  ["cpu", "native"],
  ["wasm", "native"],
] as const)("fast conv ops on %s (%s kernels) against the cpu backend's reference kernels", (backend, kernels) => {
  beforeAll(async () => {
    if (references.size === 0) {
      await initBackend("cpu", () => {});
      useNativeConvKernels("cpu", false);
      setConvGradientMode("tfjs");
      try {
        for (const c of geometries) references.set(c.name, referenceValues(c));
        for (const p of penaltyCases) penaltyReference.set(p, penaltyGrads(referenceConv, p));
      } finally {
        setConvGradientMode("fast");
      }
    }
    await initBackend(backend, () => {});
    // A machine where the addon cannot run fails native-conv.test.ts; here the native cases then repeat the plain ones.
    useNativeConvKernels(backend, kernels === "native");
  });

  for (const c of geometries) {
    it(c.name, () => {
      tf.tidy(() => {
        const ref = references.get(c.name) as ReturnType<typeof referenceValues>;
        const { x, w } = inputs(c);
        const y = conv2dFast(x, w, c.g);
        const { size, kernel, g } = c;
        const [ph, pw] = g.pad as [number, number];
        expect(y.shape).toEqual([
          c.batch ?? 2,
          convOutputSize(size[0], kernel[0], g.strides[0], ph),
          convOutputSize(size[1], kernel[1], g.strides[1], pw),
          (c.channels ?? [3, 4])[1],
        ]);
        expectNear(y, ref.y, "conv");
        if (c.name.startsWith("weight-bound")) {
          expect(isWeightBound(y.shape[0] * y.shape[1] * y.shape[2], w.size), "takes the weight-bound route").toBe(
            true,
          );
        }
        const u = tf.tensor4d(ref.u, ref.uShape as [number, number, number, number]);
        expectNear(conv2dTransposeFast(u, w, g, size), ref.dx, "transposed conv = input gradient");
        expectNear(conv2dFilterGrad(x, u, g, kernel), ref.dw, "filter gradient");
        // The custom op's own gradients are the same two maps.
        const [dx, dw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
          tf.sum(tf.mul(conv2dFast(xi as tf.Tensor4D, wi as tf.Tensor4D, g), u)),
        )([x, w]);
        expectNear(dx as tf.Tensor, ref.dx, "tf.grads dx");
        expectNear(dw as tf.Tensor, ref.dw, "tf.grads dw");
      });
    });
  }

  it("second-order gradients (a WGAN-GP penalty through two convs) equal the reference kernels'", () => {
    for (const p of penaltyCases) {
      const fast = penaltyGrads(conv2dFast, p);
      const reference = penaltyReference.get(p) as Float32Array[];
      for (let i = 0; i < 2; i++) {
        expectNear(tf.tensor(fast[i] as Float32Array), reference[i] as Float32Array, `${p.size}: w${i + 1}`);
      }
    }
  });

  it("leaves no tensors behind", () => {
    const c = geometries[1] as Case;
    const step = () => {
      const { x, w } = tf.tidy(() => inputs(c));
      const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(conv2dFast(xi as tf.Tensor4D, wi as tf.Tensor4D, c.g)),
      )([x, w]);
      tf.dispose([x, w, ...grads]);
    };
    step(); // first use may cache constants (e.g. scalars) for the backend's lifetime
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is the gradient tfjs uses for tf.conv2d", async () => {
    const { convGradientMode } = await import("./conv.js");
    expect(convGradientMode()).toBe("fast");
  });
});

describe("isWeightBound", () => {
  it("routes the seed D's last levels to the patch products and the generator's layers to the phase decomposition", () => {
    expect(isWeightBound(2 * 4 * 4, 4 * 4 * 1024 * 2048)).toBe(true); // D conv6 at batch 2
    expect(isWeightBound(2, 4 * 4 * 2048 * 1479)).toBe(true); // D cls head
    expect(isWeightBound(2 * 32 * 32, 3 * 5 * 1735 * 256)).toBe(false); // G merge
    expect(isWeightBound(4 * 10 * 8, 4 * 4 * 32 * 64)).toBe(false); // tiny D level 3
  });
});

describe("fast conv ops against finite differences", () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await initBackend("cpu", () => {});
    useNativeConvKernels("cpu", false);
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it("match central differences of a smooth loss in x, w (conv) and u (transposed conv)", () => {
    const g: ConvGeometry = { strides: [2, 2], pad: [1, 1] };
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, "float32", 7) as tf.Tensor4D;
    const w = tf.randomNormal([4, 4, 2, 2], 0, 1, "float32", 8) as tf.Tensor4D;
    const u = tf.randomNormal([1, 3, 3, 2], 0, 1, "float32", 9) as tf.Tensor4D;
    const loss = (xi: tf.Tensor4D, wi: tf.Tensor4D) => tf.sum(tf.sin(conv2dFast(xi, wi, g)));
    const lossT = (ui: tf.Tensor4D) => tf.sum(tf.sin(conv2dTransposeFast(ui, w, g, [6, 6])));
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
    const du = tf.grad((a: tf.Tensor) => lossT(a as tf.Tensor4D))(u);
    expectFiniteDifferences(x, dx as tf.Tensor, (xi) => loss(xi, w));
    expectFiniteDifferences(w, dw as tf.Tensor, (wi) => loss(x, wi));
    expectFiniteDifferences(u, du, (ui) => lossT(ui));
  });
});
