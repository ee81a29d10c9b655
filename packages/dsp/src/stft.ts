import FFT from "fft.js";
import { InvalidArgumentError, requireInteger } from "./errors.js";
import { applyFilterbank, type MelFilterbank } from "./mel.js";
import type { ComplexSpectrogram, Spectrogram } from "./spectrogram.js";
import { WasmStftEngine, wasmKernelsAvailable } from "./wasm/engine.js";
import { hannWindow } from "./window.js";

export type PadMode = "constant" | "reflect";

/** STFT parameters with librosa's meaning; defaults are librosa 0.11's. */
export interface StftOptions {
  /** FFT size; a power of two (fft.js). Default 2048. */
  nFft?: number;
  /** Samples between frames. Default winLength / 4. */
  hop?: number;
  /** Hann window length, <= nFft, zero-padded to nFft, centred. Default nFft. */
  winLength?: number;
  /** Pad nFft/2 on both sides so frame t is centred on sample t*hop. Default true. */
  center?: boolean;
  /** How `center` pads: zeros ('constant', librosa >= 0.9) or mirror without the edge ('reflect'). */
  padMode?: PadMode;
  /**
   * Where the FFTs run: "wasm" (WebAssembly SIMD kernels, float32, four frames at once; the default where the
   * runtime supports it) or "js" (fft.js, float64).
   */
  engine?: StftEngineName;
}

export type StftEngineName = "wasm" | "js";

export interface ResolvedStftOptions {
  nFft: number;
  hop: number;
  winLength: number;
  center: boolean;
  padMode: PadMode;
  engine: StftEngineName;
}

export function resolveStftOptions(options: StftOptions = {}, where = "stft(options)"): ResolvedStftOptions {
  const nFft = requireInteger(`${where}.nFft`, options.nFft ?? 2048, 2);
  if ((nFft & (nFft - 1)) !== 0) throw new InvalidArgumentError(`${where}.nFft`, "a power of two (fft.js)", nFft);
  const winLength = requireInteger(`${where}.winLength`, options.winLength ?? nFft, 1, nFft);
  const hop = requireInteger(`${where}.hop`, options.hop ?? Math.floor(winLength / 4), 1);
  const padMode = options.padMode ?? "constant";
  if (padMode !== "constant" && padMode !== "reflect") {
    throw new InvalidArgumentError(`${where}.padMode`, '"constant" or "reflect"', padMode);
  }
  const engine = options.engine ?? (wasmKernelsAvailable() ? "wasm" : "js");
  if (engine !== "wasm" && engine !== "js") throw new InvalidArgumentError(`${where}.engine`, '"wasm" or "js"', engine);
  if (engine === "wasm" && !wasmKernelsAvailable()) {
    throw new InvalidArgumentError(
      `${where}.engine`,
      "an engine this runtime supports (no WebAssembly SIMD here)",
      engine,
    );
  }
  return { nFft, hop, winLength, center: options.center ?? true, padMode, engine };
}

/** Number of STFT frames librosa produces for a signal of `length` samples. */
export function frameCount(length: number, options: ResolvedStftOptions): number {
  if (options.center) return 1 + Math.floor(length / options.hop);
  return length < options.nFft ? 0 : 1 + Math.floor((length - options.nFft) / options.hop);
}

/**
 * One STFT configuration with its FFT, window and scratch buffers, reused across frames and calls
 * (fft.js style: allocate once, run many times). Not safe to share between concurrent callers.
 */
export class StftPlan {
  readonly options: ResolvedStftOptions;
  readonly bins: number;
  readonly window: Float64Array;
  private readonly fft: FFT;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly time: Float64Array;
  private inverseWindowSum: { frames: number; length: number; values: Float64Array } | null = null;

  constructor(options: StftOptions = {}) {
    this.options = resolveStftOptions(options);
    const { nFft, winLength } = this.options;
    this.bins = nFft / 2 + 1;
    this.window = hannWindow(winLength, nFft);
    this.fft = new FFT(nFft);
    this.frame = new Float64Array(nFft);
    this.spectrum = new Float64Array(2 * nFft);
    this.time = new Float64Array(2 * nFft);
    this.wasm = this.options.engine === "wasm" ? new WasmStftEngine(nFft, this.window) : null;
  }

  /** The WebAssembly engine when this plan runs on it (Griffin-Lim drives it directly), else null. */
  readonly wasm: WasmStftEngine | null;

  /** Samples of the centre-padded signal the frames are cut from. */
  paddedLength(length: number): number {
    return this.options.center ? length + this.options.nFft : length;
  }

  /** Writes `signal` centre-padded (zeros or reflection, as configured) into `out` (paddedLength values). */
  padInto(signal: Float32Array, out: Float32Array): void {
    const { nFft, center, padMode } = this.options;
    if (!center) {
      out.set(signal);
      return;
    }
    const half = nFft / 2;
    const n = signal.length;
    out.set(signal, half);
    for (let i = 0; i < half; i++) {
      if (padMode === "constant" || n === 1) {
        out[half - 1 - i] = 0;
        out[half + n + i] = 0;
      } else {
        out[half - 1 - i] = signal[reflectIndex(-1 - i, n)] as number;
        out[half + n + i] = signal[reflectIndex(n + i, n)] as number;
      }
    }
  }

  /**
   * The last step of the inverse STFT: divide the overlap-added frames by the summed squared windows (where
   * that sum is not negligible) and drop the centre padding, into `output`.
   */
  normalizeOverlapAdd(accumulator: ArrayLike<number>, frames: number, output: Float32Array): Float32Array {
    const offset = this.options.center ? this.options.nFft / 2 : 0;
    const windowSum = this.windowSumSquare(frames, accumulator.length);
    const limit = Math.min(output.length, accumulator.length - offset);
    for (let i = 0; i < limit; i++) {
      const w = windowSum[i + offset] as number;
      const value = accumulator[i + offset] as number;
      output[i] = w > TINY_FLOAT32 ? value / w : value;
    }
    output.fill(0, Math.max(0, limit));
    return output;
  }

  /** Length of the overlap-add buffer for `frames` frames and an output of `length` samples. */
  overlapAddLength(frames: number, length: number): number {
    const { nFft, hop, center } = this.options;
    return Math.max(nFft + hop * (frames - 1), length + (center ? nFft / 2 : 0));
  }

  /** Frames of a signal of `length` samples (after centre padding). */
  frameCount(length: number): number {
    return frameCount(length, this.options);
  }

  /** Rewinds the engine's per-call memory and copies the centre-padded signal into it; returns its pointer. */
  private stagePadded(wasm: WasmStftEngine, signal: Float32Array): number {
    wasm.reset();
    const length = this.paddedLength(signal.length);
    const pointer = wasm.reserve(length);
    this.padInto(signal, wasm.f32(pointer, length));
    return pointer;
  }

  /** The signal as the frames read it: centre-padded by {@link padInto}, or itself. */
  private padded(signal: Float32Array): Float32Array {
    if (!this.options.center) return signal;
    const out = new Float32Array(this.paddedLength(signal.length));
    this.padInto(signal, out);
    return out;
  }

  /** Windows frame t of the padded signal into this.frame and transforms it into this.spectrum. */
  private transformFrame(padded: Float32Array, t: number): void {
    const { nFft, hop } = this.options;
    const frame = this.frame;
    const window = this.window;
    const start = t * hop;
    for (let i = 0; i < nFft; i++) frame[i] = (padded[start + i] as number) * (window[i] as number);
    this.fft.realTransform(this.spectrum, frame);
  }

  private checkLength(signal: Float32Array): number {
    const frames = this.frameCount(signal.length);
    if (frames < 1) {
      throw new InvalidArgumentError("stft(signal)", `at least nFft = ${this.options.nFft} samples`, signal.length);
    }
    if (this.options.center && this.options.padMode === "reflect" && signal.length <= this.options.nFft / 2) {
      throw new InvalidArgumentError("stft(signal)", `more than nFft/2 samples for reflect padding`, signal.length);
    }
    return frames;
  }

  /** Complex STFT, `bins` = nFft/2 + 1 rows (or `keepBins` rows, dropping the top ones). */
  complex(signal: Float32Array, keepBins = this.bins, out?: ComplexSpectrogram): ComplexSpectrogram {
    const frames = this.checkLength(signal);
    if (out && (out.bins !== keepBins || out.frames !== frames)) {
      throw new InvalidArgumentError(
        "stft(out)",
        `a ${keepBins} x ${frames} spectrogram`,
        `${out.bins} x ${out.frames}`,
      );
    }
    const re = out?.re ?? new Float32Array(keepBins * frames);
    const im = out?.im ?? new Float32Array(keepBins * frames);
    if (this.wasm) {
      const wasm = this.wasm;
      const padded = this.stagePadded(wasm, signal);
      const outRe = wasm.reserve(keepBins * frames);
      const outIm = wasm.reserve(keepBins * frames);
      wasm.stft(padded, this.options.hop, frames, 0, keepBins, outRe, outIm);
      re.set(wasm.f32(outRe, keepBins * frames));
      im.set(wasm.f32(outIm, keepBins * frames));
      return { re, im, bins: keepBins, frames };
    }
    const spectrum = this.spectrum;
    const padded = this.padded(signal);
    for (let t = 0; t < frames; t++) {
      this.transformFrame(padded, t);
      for (let f = 0, o = t; f < keepBins; f++, o += frames) {
        re[o] = spectrum[2 * f] as number;
        im[o] = spectrum[2 * f + 1] as number;
      }
    }
    return { re, im, bins: keepBins, frames };
  }

  /** |STFT|^power (power 1: magnitude, 2: power), `keepBins` lowest bins, written into `out` when given. */
  magnitude(signal: Float32Array, power: 1 | 2 = 1, keepBins = this.bins, out?: Spectrogram): Spectrogram {
    const frames = this.checkLength(signal);
    const result = out ?? { data: new Float32Array(keepBins * frames), bins: keepBins, frames };
    if (result.bins !== keepBins || result.frames !== frames) {
      throw new InvalidArgumentError(
        "stft(out)",
        `a ${keepBins} x ${frames} spectrogram`,
        `${result.bins} x ${result.frames}`,
      );
    }
    const data = result.data;
    if (this.wasm) {
      const wasm = this.wasm;
      const padded = this.stagePadded(wasm, signal);
      const output = wasm.reserve(keepBins * frames);
      wasm.stft(padded, this.options.hop, frames, power === 2 ? 2 : 1, keepBins, output, 0);
      data.set(wasm.f32(output, keepBins * frames));
      return result;
    }
    const spectrum = this.spectrum;
    const padded = this.padded(signal);
    for (let t = 0; t < frames; t++) {
      this.transformFrame(padded, t);
      for (let f = 0, o = t; f < keepBins; f++, o += frames) {
        const a = spectrum[2 * f] as number;
        const b = spectrum[2 * f + 1] as number;
        const p = a * a + b * b;
        data[o] = power === 2 ? p : Math.sqrt(p);
      }
    }
    return result;
  }

  /**
   * STFT power projected through a filterbank (a mel spectrogram): out[m, t] = sum_k W[m, k] |X[k, t]|^2,
   * written into `out` when given. On the wasm engine the full-resolution power never leaves WebAssembly memory.
   */
  filteredPower(signal: Float32Array, filterbank: MelFilterbank, out?: Spectrogram): Spectrogram {
    const frames = this.checkLength(signal);
    if (filterbank.nFreq !== this.bins) {
      throw new InvalidArgumentError("filterbank.nFreq", `${this.bins} (nFft/2 + 1)`, filterbank.nFreq);
    }
    const bands = filterbank.nMels;
    if (out && (out.bins !== bands || out.frames !== frames)) {
      throw new InvalidArgumentError(
        "filteredPower(out)",
        `a ${bands} x ${frames} spectrogram`,
        `${out.bins} x ${out.frames}`,
      );
    }
    if (!this.wasm) return applyFilterbank(filterbank, this.magnitude(signal, 2), out);
    const wasm = this.wasm;
    const padded = this.stagePadded(wasm, signal);
    const pointer = wasm.filteredPower(padded, this.options.hop, frames, filterbank);
    const result = out ?? { data: new Float32Array(bands * frames), bins: bands, frames };
    result.data.set(wasm.f32(pointer, bands * frames));
    return result;
  }

  /**
   * Inverse STFT by weighted overlap-add, librosa's `istft`: frames of `irfft` times the window, divided by the
   * overlapping squared windows where their sum is not negligible. Missing top bins (a dropped Nyquist row) are
   * taken as zero. Output `length` defaults to hop * (frames - 1) when centred.
   */
  inverse(spectrogram: ComplexSpectrogram, length?: number): Float32Array {
    const { nFft, hop, center } = this.options;
    const { re, im, frames, bins } = spectrogram;
    if (bins > this.bins) {
      throw new InvalidArgumentError("istft(spectrogram.bins)", `at most nFft/2 + 1 = ${this.bins}`, bins);
    }
    const outLength = length ?? nFft + hop * (frames - 1) - (center ? nFft : 0);
    const accumulatorLength = this.overlapAddLength(frames, outLength);
    const output = new Float32Array(outLength);
    if (this.wasm) {
      const wasm = this.wasm;
      wasm.reset();
      const inRe = wasm.reserve(bins * frames);
      const inIm = wasm.reserve(bins * frames);
      const accumulator = wasm.reserve(accumulatorLength);
      wasm.f32(inRe, bins * frames).set(re);
      wasm.f32(inIm, bins * frames).set(im);
      wasm.f32(accumulator, accumulatorLength).fill(0);
      wasm.istft(inRe, inIm, bins, frames, hop, accumulator);
      return this.normalizeOverlapAdd(wasm.f32(accumulator, accumulatorLength), frames, output);
    }
    const accumulator = new Float64Array(accumulatorLength);
    const spectrum = this.spectrum;
    const time = this.time;
    const window = this.window;
    for (let t = 0; t < frames; t++) {
      spectrum.fill(0);
      for (let f = 0, o = t; f < bins; f++, o += frames) {
        spectrum[2 * f] = re[o] as number;
        spectrum[2 * f + 1] = im[o] as number;
      }
      // irfft ignores the imaginary parts of DC and Nyquist; mirror the conjugate half for the complex inverse.
      spectrum[1] = 0;
      spectrum[nFft + 1] = 0;
      for (let f = 1; f < nFft / 2; f++) {
        spectrum[2 * (nFft - f)] = spectrum[2 * f] as number;
        spectrum[2 * (nFft - f) + 1] = -(spectrum[2 * f + 1] as number);
      }
      this.fft.inverseTransform(time, spectrum);
      const start = t * hop;
      for (let i = 0; i < nFft; i++) accumulator[start + i] += (time[2 * i] as number) * (window[i] as number);
    }
    return this.normalizeOverlapAdd(accumulator, frames, output);
  }

  /** Sum of squared windows shifted by hop over `frames` frames (librosa's window_sumsquare), cached. */
  private windowSumSquare(frames: number, length: number): Float64Array {
    const cached = this.inverseWindowSum;
    if (cached && cached.frames === frames && cached.length === length) return cached.values;
    const { nFft, hop } = this.options;
    const values = new Float64Array(length);
    const window = this.window;
    for (let t = 0; t < frames; t++) {
      const start = t * hop;
      for (let i = 0; i < nFft && start + i < length; i++) values[start + i] += (window[i] as number) ** 2;
    }
    this.inverseWindowSum = { frames, length, values };
    return values;
  }
}

/** numpy.finfo(float32).tiny: librosa divides by the window sum only where it exceeds this. */
const TINY_FLOAT32 = 1.1754943508222875e-38;

/** numpy 'reflect' padding: mirror about the edge sample without repeating it (period 2n - 2). */
function reflectIndex(index: number, n: number): number {
  const period = 2 * n - 2;
  let i = index % period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

/** Complex STFT with librosa's conventions (see {@link StftOptions}). */
export function stft(signal: Float32Array, options: StftOptions = {}): ComplexSpectrogram {
  return new StftPlan(options).complex(signal);
}

/** |STFT| (power 1) or |STFT|^2 (power 2). */
export function stftMagnitude(signal: Float32Array, options: StftOptions = {}, power: 1 | 2 = 1): Spectrogram {
  return new StftPlan(options).magnitude(signal, power);
}

/** Inverse STFT with librosa's conventions; nFft defaults to 2 * (bins - 1). */
export function istft(spectrogram: ComplexSpectrogram, options: StftOptions = {}, length?: number): Float32Array {
  return new StftPlan({ nFft: 2 * (spectrogram.bins - 1), ...options }).inverse(spectrogram, length);
}
