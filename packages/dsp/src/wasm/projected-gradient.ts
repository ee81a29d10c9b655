import type { MelFilterbank } from "../mel.js";
import { melInverseKernelsWasmBase64 } from "./mel-inverse-kernels.js";
import { compileKernels } from "./module.js";

interface FistaExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  fista(
    w: number,
    start: number,
    end: number,
    nMels: number,
    nFreq: number,
    frames: number,
    x: number,
    prev: number,
    y: number,
    proj: number,
    grad: number,
    target: number,
    step: number,
    maxIterations: number,
    out: number,
    outFrames: number,
    map: number,
    frameResidual: number,
    frameStop: number,
    toleranceSquared: number,
    keep: number,
  ): number;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The projected-gradient iterations of melToLinear in WebAssembly SIMD (wasm/mel-inverse-kernels.c): `x`
 * (nFreq x frames, the start; gets the result) and `target` (nMels x frames) frequency-major. Returns the
 * iterations run, or null where WebAssembly SIMD is unavailable (the caller runs its JavaScript loop).
 */
export function projectedGradientKernel(
  filterbank: MelFilterbank,
  x: Float64Array,
  target: Float64Array,
  frames: number,
  step: Float64Array,
  toleranceSquared: number,
  maxIterations: number,
): number | null {
  if (compiled === undefined) compiled = compileKernels(melInverseKernelsWasmBase64);
  if (!compiled) return null;
  const { nMels, nFreq } = filterbank;
  // Two frames per vector: an odd count gets a zero frame (zero target, zero start), which stays zero.
  const padded = frames + (frames % 2);
  const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as FistaExports;
  let top = (Number(exports.__heap_base.value) + 15) & ~15;
  const reserve = (bytes: number): number => {
    const at = top;
    top = (top + bytes + 15) & ~15;
    return at;
  };
  const w = reserve(8 * nMels * nFreq);
  const start = reserve(4 * nMels);
  const end = reserve(4 * nMels);
  const stepAt = reserve(8 * nFreq);
  const xAt = reserve(8 * nFreq * padded);
  const prev = reserve(8 * nFreq * padded);
  const y = reserve(8 * nFreq * padded);
  const grad = reserve(8 * nFreq * padded);
  const proj = reserve(8 * nMels * padded);
  const targetAt = reserve(8 * nMels * padded);
  const out = reserve(8 * nFreq * padded);
  const map = reserve(4 * padded);
  const frameResidual = reserve(8 * padded);
  const frameStop = reserve(8 * padded);
  const keep = reserve(4 * padded);
  const memory = exports.memory;
  if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
  const buffer = memory.buffer;
  new Float64Array(buffer, w, nMels * nFreq).set(filterbank.weights);
  new Int32Array(buffer, start, nMels).set(filterbank.start);
  new Int32Array(buffer, end, nMels).set(filterbank.end);
  new Float64Array(buffer, stepAt, nFreq).set(step);
  const xs = new Float64Array(buffer, xAt, nFreq * padded);
  const ms = new Float64Array(buffer, targetAt, nMels * padded);
  for (let k = 0; k < nFreq; k++) xs.set(x.subarray(k * frames, (k + 1) * frames), k * padded);
  for (let m = 0; m < nMels; m++) ms.set(target.subarray(m * frames, (m + 1) * frames), m * padded);
  const frameOrder = new Int32Array(buffer, map, padded);
  for (let t = 0; t < padded; t++) frameOrder[t] = t;
  const iterations = exports.fista(
    w,
    start,
    end,
    nMels,
    nFreq,
    padded,
    xAt,
    prev,
    y,
    proj,
    grad,
    targetAt,
    stepAt,
    maxIterations,
    out,
    padded,
    map,
    frameResidual,
    frameStop,
    toleranceSquared,
    keep,
  );
  const result = new Float64Array(buffer, out, nFreq * padded);
  for (let k = 0; k < nFreq; k++) x.set(result.subarray(k * padded, k * padded + frames), k * frames);
  return iterations;
}
