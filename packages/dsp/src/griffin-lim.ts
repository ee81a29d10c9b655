import { InvalidArgumentError, requireInteger, requireNumber } from "./errors.js";
import { mulberry32 } from "./random.js";
import type { ComplexSpectrogram, Spectrogram } from "./spectrogram.js";
import { StftPlan, type StftOptions } from "./stft.js";
import { blockedIndex, blockedSize } from "./wasm/engine.js";

export interface GriffinLimOptions extends StftOptions {
  /** Iterations. Default 32 (librosa, torchaudio). */
  nIter?: number;
  /** "Fast Griffin-Lim" momentum; 0 is the classic algorithm. Default 0.99. */
  momentum?: number;
  /** Initial phase: uniformly random (seeded) or zero. Default "random". */
  init?: "random" | "zeros";
  /** Seed of the random initial phase. Default 0. */
  seed?: number;
  /** Output length in samples; default hop * (frames - 1). */
  length?: number;
  /**
   * Called after each iteration with the spectral convergence ||S - |STFT(ISTFT(S e^{i phase}))||| / ||S||
   * of that iteration's estimate (costs one extra pass over the spectrogram when given).
   */
  onIteration?: (iteration: number, spectralConvergence: number) => void;
}

/**
 * Phase reconstruction from a magnitude spectrogram (librosa's `griffinlim` update rule):
 * repeat t = STFT(ISTFT(S u)); u = t - (momentum / (1 + momentum)) t_prev; u /= |u| + tiny; then ISTFT(S u).
 * `magnitude` may have fewer rows than nFft/2 + 1 (a dropped Nyquist row is taken as zero).
 */
export function griffinLim(magnitude: Spectrogram, options: GriffinLimOptions = {}): Float32Array {
  const { bins, frames, data: S } = magnitude;
  const plan = new StftPlan({ nFft: options.nFft ?? 2 * (bins - 1), ...stripUndefined(options) });
  if (bins > plan.bins) {
    throw new InvalidArgumentError("griffinLim(magnitude.bins)", `at most nFft/2 + 1 = ${plan.bins}`, bins);
  }
  const nIter = requireInteger("griffinLim(options.nIter)", options.nIter ?? 32, 0);
  const momentum = requireNumber("griffinLim(options.momentum)", options.momentum ?? 0.99, 0);
  const init = options.init ?? "random";
  if (init !== "random" && init !== "zeros") {
    throw new InvalidArgumentError("griffinLim(options.init)", '"random" or "zeros"', init);
  }
  const { hop, center, nFft } = plan.options;
  const length = options.length ?? hop * (frames - 1) + (center ? 0 : nFft);
  const size = bins * frames;
  // angles: the current unit-modulus phase estimate u; rebuilt: t; previous: t_prev.
  const angleRe = new Float32Array(size);
  const angleIm = new Float32Array(size);
  if (init === "random") {
    const random = mulberry32(options.seed ?? 0);
    for (let i = 0; i < size; i++) {
      const phase = 2 * Math.PI * random();
      angleRe[i] = Math.cos(phase);
      angleIm[i] = Math.sin(phase);
    }
  } else {
    angleRe.fill(1);
  }
  const decay = momentum / (1 + momentum);
  let magnitudeNorm = 0;
  if (options.onIteration) for (let i = 0; i < size; i++) magnitudeNorm += (S[i] as number) ** 2;
  magnitudeNorm = Math.sqrt(magnitudeNorm) || 1;
  if (plan.wasm) {
    return griffinLimWasm(
      plan,
      magnitude,
      angleRe,
      angleIm,
      { nIter, decay, length, magnitudeNorm },
      options.onIteration,
    );
  }
  const weighted: ComplexSpectrogram = { re: new Float32Array(size), im: new Float32Array(size), bins, frames };
  let rebuilt: ComplexSpectrogram = { re: new Float32Array(size), im: new Float32Array(size), bins, frames };
  let previous: ComplexSpectrogram = { re: new Float32Array(size), im: new Float32Array(size), bins, frames };
  const tiny = 1.1754943508222875e-38;

  const applyMagnitude = (): void => {
    for (let i = 0; i < size; i++) {
      const s = S[i] as number;
      weighted.re[i] = s * (angleRe[i] as number);
      weighted.im[i] = s * (angleIm[i] as number);
    }
  };
  for (let iteration = 0; iteration < nIter; iteration++) {
    [previous, rebuilt] = [rebuilt, previous];
    applyMagnitude();
    const signal = plan.inverse(weighted, length);
    plan.complex(signal, bins, rebuilt);
    const { re, im } = rebuilt;
    const prevRe = previous.re;
    const prevIm = previous.im;
    let error = 0;
    for (let i = 0; i < size; i++) {
      const tr = re[i] as number;
      const ti = im[i] as number;
      if (options.onIteration) error += ((S[i] as number) - Math.sqrt(tr * tr + ti * ti)) ** 2;
      // On the first iteration previous is all zeros, which is librosa's "skip the momentum term".
      const ur = tr - decay * (prevRe[i] as number);
      const ui = ti - decay * (prevIm[i] as number);
      const norm = Math.sqrt(ur * ur + ui * ui) + tiny;
      angleRe[i] = ur / norm;
      angleIm[i] = ui / norm;
    }
    options.onIteration?.(iteration, Math.sqrt(error) / magnitudeNorm);
  }
  applyMagnitude();
  return plan.inverse(weighted, length);
}

function stripUndefined(options: StftOptions): StftOptions {
  const { nFft, hop, winLength, center, padMode, engine } = options;
  return Object.fromEntries(
    Object.entries({ nFft, hop, winLength, center, padMode, engine }).filter(([, v]) => v !== undefined),
  ) as StftOptions;
}

/**
 * The same iteration with every spectrogram-sized buffer resident in the plan's WebAssembly memory: ISTFT,
 * STFT and the angle update run as SIMD kernels; only the window normalisation and padding run here. The buffers
 * hold the spectrogram in blocks of four frames (the kernels' "blocked" layout), so each kernel walks memory in
 * order; the update is element by element, so it does not care, and the padding of a last partial block stays 0.
 */
function griffinLimWasm(
  plan: StftPlan,
  magnitude: Spectrogram,
  angleRe: Float32Array,
  angleIm: Float32Array,
  { nIter, decay, length, magnitudeNorm }: { nIter: number; decay: number; length: number; magnitudeNorm: number },
  onIteration: GriffinLimOptions["onIteration"],
): Float32Array {
  const wasm = plan.wasm as NonNullable<StftPlan["wasm"]>;
  const { bins, frames } = magnitude;
  const { hop } = plan.options;
  const rebuiltFrames = plan.frameCount(length);
  if (rebuiltFrames !== frames) {
    throw new InvalidArgumentError("griffinLim(options.length)", `a length giving ${frames} frames`, length);
  }
  const size = blockedSize(bins, frames);
  const accumulatorLength = plan.overlapAddLength(frames, length);
  const paddedLength = plan.paddedLength(length);
  wasm.reset();
  const s = wasm.reserve(size);
  const wRe = wasm.reserve(size);
  const wIm = wasm.reserve(size);
  let tRe = wasm.reserve(size);
  let tIm = wasm.reserve(size);
  let pRe = wasm.reserve(size);
  let pIm = wasm.reserve(size);
  const accumulator = wasm.reserve(accumulatorLength);
  const padded = wasm.reserve(paddedLength);
  const signal = new Float32Array(length);
  const blockedS = wasm.f32(s, size);
  const weightedRe = wasm.f32(wRe, size);
  const weightedIm = wasm.f32(wIm, size);
  blockedS.fill(0);
  weightedRe.fill(0);
  weightedIm.fill(0);
  const S = magnitude.data;
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < frames; t++) {
      const from = k * frames + t;
      const to = blockedIndex(k, t, bins);
      const m = S[from] as number;
      blockedS[to] = m;
      weightedRe[to] = m * (angleRe[from] as number);
      weightedIm[to] = m * (angleIm[from] as number);
    }
  }
  wasm.f32(tRe, size).fill(0);
  wasm.f32(tIm, size).fill(0);
  const inverse = (): Float32Array => {
    const acc = wasm.f32(accumulator, accumulatorLength);
    acc.fill(0);
    wasm.istft(wRe, wIm, bins, frames, hop, accumulator, "blocked");
    return plan.normalizeOverlapAdd(acc, frames, signal);
  };
  for (let iteration = 0; iteration < nIter; iteration++) {
    [pRe, tRe] = [tRe, pRe];
    [pIm, tIm] = [tIm, pIm];
    plan.padInto(inverse(), wasm.f32(padded, paddedLength));
    wasm.stft(padded, hop, frames, 0, bins, tRe, tIm, "blocked");
    if (onIteration) {
      const re = wasm.f32(tRe, size);
      const im = wasm.f32(tIm, size);
      let error = 0;
      for (let i = 0; i < size; i++) {
        error += ((blockedS[i] as number) - Math.hypot(re[i] as number, im[i] as number)) ** 2;
      }
      onIteration(iteration, Math.sqrt(error) / magnitudeNorm);
    }
    // On the first iteration t_prev is all zeros, which is librosa's "skip the momentum term".
    wasm.griffinLimUpdate(s, tRe, tIm, pRe, pIm, decay, wRe, wIm, size);
  }
  return inverse().slice();
}
