import { compileKernels } from "./module.js";
import { stftKernelsWasmBase64 } from "./stft-kernels.js";
import { InvalidArgumentError } from "../errors.js";

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  stft_frames(
    padded: number,
    hop: number,
    frames: number,
    n: number,
    window: number,
    rev: number,
    tw: number,
    split: number,
    work: number,
    mode: number,
    bins: number,
    outRe: number,
    outIm: number,
    rowStride: number,
    blockScale: number,
  ): void;
  istft_frames(
    inRe: number,
    inIm: number,
    bins: number,
    frames: number,
    hop: number,
    n: number,
    window: number,
    rev: number,
    tw: number,
    split: number,
    work: number,
    acc: number,
    rowStride: number,
    blockScale: number,
  ): void;
  stft_filtered_power(
    padded: number,
    hop: number,
    frames: number,
    n: number,
    window: number,
    rev: number,
    tw: number,
    split: number,
    work: number,
    weights: number,
    start: number,
    end: number,
    bands: number,
    out: number,
  ): void;
  griffin_lim_update(
    s: number,
    tRe: number,
    tIm: number,
    pRe: number,
    pIm: number,
    decay: number,
    wRe: number,
    wIm: number,
    count: number,
  ): void;
}

/**
 * How a [bins, frames] spectrogram lies in kernel memory: freq-major (bin k of frame t at k * frames + t), or in
 * blocks of four frames, each holding its bins as one four-lane vector apiece (at {@link blockedIndex}; a last
 * partial block is padded, {@link blockedSize} values in all).
 */
export type SpectrogramLayout = "freq-major" | "blocked";

/** Where bin k of frame t lies in the blocked layout of a spectrogram with `bins` rows. */
export function blockedIndex(k: number, t: number, bins: number): number {
  return ((t >> 2) * bins + k) * 4 + (t & 3);
}

/** Values in the blocked layout of [bins, frames] (frames rounded up to a multiple of four). */
export function blockedSize(bins: number, frames: number): number {
  return bins * 4 * Math.ceil(frames / 4);
}

/** The kernels' (row stride, block scale): bin k of frame t0 + lane at k * rowStride + t0 * blockScale + lane. */
function layoutStrides(layout: SpectrogramLayout, bins: number, frames: number): [number, number] {
  return layout === "blocked" ? [4, bins] : [frames, 1];
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled SIMD kernels, or null where WebAssembly SIMD is unavailable (then the fft.js path runs). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileKernels(stftKernelsWasmBase64);
  return compiled;
}

/** True when the WebAssembly SIMD STFT kernels can run here. */
export function wasmKernelsAvailable(): boolean {
  return kernelModule() !== null;
}

/**
 * One n-point STFT configuration in its own WebAssembly instance: constant tables (window, bit reversal,
 * twiddles) at the bottom of its memory, then a per-call region that `reset` rewinds. Pointers are byte
 * offsets; views must be taken after all `reserve` calls of a phase, since growing memory detaches them.
 */
export class WasmStftEngine {
  private readonly exports: KernelExports;
  private readonly tables: { window: number; rev: number; tw: number; split: number; work: number };
  private readonly callBase: number;
  private top: number;

  constructor(
    readonly n: number,
    window: Float64Array,
  ) {
    const module = kernelModule();
    if (!module) throw new Error("WebAssembly SIMD kernels are not available in this runtime");
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    this.top = Number(this.exports.__heap_base.value);
    const m = n / 2;
    const windowPtr = this.reserve(n);
    const revPtr = this.reserve(m);
    const twPtr = this.reserve(m);
    const splitPtr = this.reserve(2 * (m + 1));
    const workPtr = this.reserve((3 * m + 1) * 4);
    this.tables = { window: windowPtr, rev: revPtr, tw: twPtr, split: splitPtr, work: workPtr };
    this.f32(windowPtr, n).set(window);
    const rev = new Int32Array(this.exports.memory.buffer, revPtr, m);
    const bits = Math.log2(m);
    for (let k = 0; k < m; k++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((k >> b) & 1) << (bits - 1 - b);
      rev[k] = r;
    }
    const tw = this.f32(twPtr, m);
    for (let j = 0; j < m / 2; j++) {
      tw[j] = Math.cos((2 * Math.PI * j) / m);
      tw[m / 2 + j] = -Math.sin((2 * Math.PI * j) / m);
    }
    const split = this.f32(splitPtr, 2 * (m + 1));
    for (let k = 0; k <= m; k++) {
      split[k] = Math.cos((2 * Math.PI * k) / n);
      split[m + 1 + k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.callBase = this.top;
  }

  /** Rewinds the per-call region (everything reserved after the tables). */
  reset(): void {
    this.top = this.callBase;
  }

  /** Reserves `floats` float32 slots (16-byte aligned), growing memory as needed; returns the byte offset. */
  reserve(floats: number): number {
    const pointer = (this.top + 15) & ~15;
    const end = pointer + floats * 4;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
    }
    this.top = end;
    return pointer;
  }

  /** The plan's size and constant tables, in the order every kernel takes them (n, window, rev, tw, split, work). */
  private planTables(): [number, number, number, number, number, number] {
    const t = this.tables;
    return [this.n, t.window, t.rev, t.tw, t.split, t.work];
  }

  f32(pointer: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, pointer, length);
  }

  /**
   * mode 0: complex into outRe/outIm; 1: magnitude; 2: power (into outRe). Freq-major ([bins, frames]), or with
   * `layout` "blocked" in blocks of four frames (see {@link blockedIndex}).
   */
  stft(
    padded: number,
    hop: number,
    frames: number,
    mode: 0 | 1 | 2,
    bins: number,
    outRe: number,
    outIm: number,
    layout: SpectrogramLayout = "freq-major",
  ): void {
    const strides = layoutStrides(layout, bins, frames);
    this.exports.stft_frames(padded, hop, frames, ...this.planTables(), mode, bins, outRe, outIm, ...strides);
  }

  /** Windowed overlap-add of irfft frames (laid out as `stft` writes them) into `acc` (which the caller zeroes). */
  istft(
    inRe: number,
    inIm: number,
    bins: number,
    frames: number,
    hop: number,
    acc: number,
    layout: SpectrogramLayout = "freq-major",
  ): void {
    const strides = layoutStrides(layout, bins, frames);
    this.exports.istft_frames(inRe, inIm, bins, frames, hop, ...this.planTables(), acc, ...strides);
  }

  /**
   * STFT power of the centre-padded signal at `padded`, projected through a sparse filterbank (mel), all in
   * wasm memory; returns the pointer of the [nMels, frames] result (valid until the next reset).
   */
  filteredPower(
    padded: number,
    hop: number,
    frames: number,
    filterbank: { weights: Float32Array; start: Int32Array; end: Int32Array; nMels: number; nFreq: number },
  ): number {
    const { weights, start, end, nMels, nFreq } = filterbank;
    const out = this.reserve(nMels * frames);
    const w = this.reserve(weights.length);
    const s = this.reserve(nMels);
    const e = this.reserve(nMels);
    this.f32(w, weights.length).set(weights);
    new Int32Array(this.exports.memory.buffer, s, nMels).set(start);
    new Int32Array(this.exports.memory.buffer, e, nMels).set(end);
    if (nFreq !== this.n / 2 + 1)
      throw new InvalidArgumentError("filterbank", `${this.n / 2 + 1} bins (the STFT's)`, `${nFreq}`);
    this.exports.stft_filtered_power(padded, hop, frames, ...this.planTables(), w, s, e, nMels, out);
    return out;
  }

  griffinLimUpdate(
    s: number,
    tRe: number,
    tIm: number,
    pRe: number,
    pIm: number,
    decay: number,
    wRe: number,
    wIm: number,
    count: number,
  ): void {
    this.exports.griffin_lim_update(s, tRe, tIm, pRe, pIm, decay, wRe, wIm, count);
  }
}
