/**
 * GFLOP/s of the three convolution kernels a training step runs (forward, input gradient, filter gradient) at
 * the seed preset's shapes, on the default backend: with vox's native kernels on one thread and split over the
 * cores ("native", "native xN"), and with the backend's own kernels under vox's forward-conv gradient routes ("own").
 */
import { availableParallelism } from "node:os";
import { initBackend } from "../src/node.js";
import {
  type ConvGeometry,
  conv2dFast,
  conv2dFilterGrad,
  conv2dTransposeFast,
  convOutputSize,
} from "../src/ops/conv.js";
import { type NativeConvBackend, setNativeConvThreads, useNativeConvKernels } from "../src/node.js";
import * as tf from "../src/tfjs.js";

interface Shape {
  name: string;
  input: [number, number, number, number];
  kernel: [number, number];
  cout: number;
  g: ConvGeometry;
}

const shapes: Shape[] = [
  {
    name: "down2 4x4/2 32->64 @256",
    input: [2, 256, 256, 32],
    kernel: [4, 4],
    cout: 64,
    g: { strides: [2, 2], pad: [1, 1] },
  },
  {
    name: "bottleneck 3x5 256->256 @32",
    input: [2, 32, 32, 256],
    kernel: [3, 5],
    cout: 256,
    g: { strides: [1, 1], pad: [1, 2] },
  },
  {
    name: "merge 3x5 1735->256 @32",
    input: [2, 32, 32, 1735],
    kernel: [3, 5],
    cout: 256,
    g: { strides: [1, 1], pad: [1, 2] },
  },
  {
    name: "down1 7x7 1->32 @256",
    input: [2, 256, 256, 1],
    kernel: [7, 7],
    cout: 32,
    g: { strides: [1, 1], pad: [3, 3] },
  },
];

async function time(fn: () => tf.Tensor, repeats = 3): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = fn();
    await out.data();
    times.push(performance.now() - start);
    out.dispose();
  }
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)] as number) / 1000;
}

export async function benchConvKernels(): Promise<void> {
  const backend = await initBackend();
  const cores = availableParallelism();
  const variants = backend.nativeConv.active ? ["native", `native x${cores}`, "own"] : ["own"];
  if (!backend.nativeConv.active) console.log(`native conv kernels not in: ${backend.nativeConv.reason}`);
  console.log(
    `conv kernels on ${backend.name} (GFLOP/s = 2 x MACs / median seconds; one core, except "native x${cores}": one call split over ${cores} threads)`,
  );
  console.log(
    [
      "shape".padEnd(30),
      "kernels".padEnd(9),
      "forward".padStart(9),
      "input grad".padStart(11),
      "filter grad".padStart(12),
    ].join(" "),
  );
  for (const s of shapes) {
    const [n, h, w, cin] = s.input;
    const [kh, kw] = s.kernel;
    const [ph, pw] = s.g.pad as [number, number];
    const ho = convOutputSize(h, kh, s.g.strides[0], ph);
    const wo = convOutputSize(w, kw, s.g.strides[1], pw);
    const macs = n * ho * wo * kh * kw * cin * s.cout;
    const x = tf.randomNormal(s.input) as tf.Tensor4D;
    const filter = tf.randomNormal([kh, kw, cin, s.cout], 0, 0.05) as tf.Tensor4D;
    const dy = tf.randomNormal([n, ho, wo, s.cout]) as tf.Tensor4D;
    const rate = (seconds: number) => ((2 * macs) / seconds / 1e9).toFixed(1);
    for (const variant of variants) {
      // "own": the backend's kernels under vox's forward-conv gradient routes (ops/conv.ts).
      useNativeConvKernels(backend.name as NativeConvBackend, variant !== "own");
      setNativeConvThreads(variant === "native" ? 1 : cores);
      const forward = await time(() => tf.tidy(() => conv2dFast(x, filter, s.g)));
      const inputGrad = await time(() => tf.tidy(() => conv2dTransposeFast(dy, filter, s.g, [h, w])));
      const filterGrad = await time(() => tf.tidy(() => conv2dFilterGrad(x, dy, s.g, s.kernel)));
      console.log(
        [
          s.name.padEnd(30),
          variant.padEnd(9),
          rate(forward).padStart(9),
          rate(inputGrad).padStart(11),
          rate(filterGrad).padStart(12),
        ].join(" "),
      );
    }
    useNativeConvKernels(backend.name as NativeConvBackend, backend.nativeConv.active);
    tf.dispose([x, filter, dy]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchConvKernels();
