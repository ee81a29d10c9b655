import { requireInteger, requireNumber } from "../errors.js";
import type { Spectrogram } from "../spectrogram.js";
import { bandAperiodicity, decodeAperiodicity, defaultAperiodicityBands } from "./aperiodicity.js";
import { envelopeFftSize, spectralEnvelope } from "./envelope.js";
import { assertFinite, f0 as estimateF0 } from "./f0.js";
import { synthesizeWorld } from "./synthesis.js";

/** The parameters of a WORLD-style analysis, as a FeatureSpec of kind "world" carries them. */
export interface WorldOptions {
  /** Milliseconds between frames. Default 5. */
  framePeriod?: number;
  f0Floor?: number;
  f0Ceil?: number;
  /** Envelope FFT size; default WORLD's rule (1024 at 16 kHz). */
  fftSize?: number;
  /** Band aperiodicities; default D4C's count for the rate (1 at 16 kHz). */
  aperiodicityBands?: number;
}

/** F0 (Hz, 0 unvoiced), the power envelope and band aperiodicity (dB) of one signal, frame for frame. */
export interface WorldParameters {
  sampleRate: number;
  framePeriod: number;
  f0: Float64Array;
  /** Power, fftSize/2 + 1 bins x frames. */
  envelope: Spectrogram;
  /** dB per band (0 = noise), bands x frames. */
  bandAperiodicity: Spectrogram;
}

/** F0, spectral envelope and band aperiodicity of `signal` (the three analyses of a source-filter vocoder). */
export function analyzeWorld(signal: Float32Array, sampleRate: number, options: WorldOptions = {}): WorldParameters {
  requireInteger("analyzeWorld(sampleRate)", sampleRate, 8000, 384000);
  assertFinite(signal, sampleRate, "analyzeWorld(signal)");
  const framePeriod = requireNumber("analyzeWorld(options.framePeriod)", options.framePeriod ?? 5, 0.1, 1000);
  const f0Floor = options.f0Floor ?? 71;
  const f0Ceil = options.f0Ceil ?? 800;
  const contour = estimateF0(signal, sampleRate, { framePeriod, f0Floor, f0Ceil });
  const fftSize = options.fftSize ?? envelopeFftSize(sampleRate, f0Floor);
  const envelope = spectralEnvelope(signal, sampleRate, contour, { framePeriod, f0Floor, fftSize });
  const bands = options.aperiodicityBands ?? defaultAperiodicityBands(sampleRate);
  const coded = bandAperiodicity(signal, sampleRate, contour, { framePeriod, f0Floor, bands });
  return { sampleRate, framePeriod, f0: contour, envelope, bandAperiodicity: coded };
}

/** Audio from WORLD parameters (band aperiodicity decoded onto the envelope's bins first). */
export function synthesizeWorldParameters(
  parameters: WorldParameters,
  options: { length?: number; seed?: number } = {},
): Float32Array {
  const fftSize = 2 * (parameters.envelope.bins - 1);
  const ap = decodeAperiodicity(parameters.bandAperiodicity, parameters.sampleRate, fftSize);
  return synthesizeWorld(parameters.f0, parameters.envelope, ap, {
    sampleRate: parameters.sampleRate,
    framePeriod: parameters.framePeriod,
    ...options,
  });
}
