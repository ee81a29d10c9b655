import { InvalidArgumentError, requireNumber } from "../errors.js";
import { WORLD_POWER_FLOOR } from "../feature-spec.js";
import type { Spectrogram } from "../spectrogram.js";
import { assertFinite } from "./f0.js";
import { nextPowerOfTwo, realFft } from "./real-fft.js";
import { dcCorrection, linearSmoothing } from "./spectral-smoothing.js";

/**
 * F0 whose three periods make the analysis window of unvoiced frames (20 ms). WORLD uses 500 Hz (6 ms); that
 * periodogram is so noisy that fricatives came back as a different noise each frame (pocketsphinx WER on the
 * human set 0.435 at 500 Hz, 0.402 at 250, 0.36-0.40 at 150; README).
 */
export const UNVOICED_F0 = 150;
/** ... scaled by the power under a 6 ms window (3 periods of 500 Hz) over the 20 ms one's, so bursts keep their onsets. */
const UNVOICED_GAIN_F0 = 500;
/** Power floor of envelopes and syntheses: digital silence stays finite in the log domain. */
export const POWER_FLOOR = WORLD_POWER_FLOOR;

export interface EnvelopeOptions {
  /** Milliseconds between frames. Default 5. */
  framePeriod?: number;
  /** FFT size; default the smallest that holds three periods of f0Floor (1024 at 16 kHz). */
  fftSize?: number;
  /** Lowest F0 the analysis expects (sets the default FFT size). Default 71. */
  f0Floor?: number;
  /** CheapTrick's compensation lifter parameter. Default -0.15. */
  q1?: number;
}

/** WORLD's FFT size rule for CheapTrick: 2^(1 + floor(log2(3 fs / f0Floor + 1))). */
export function envelopeFftSize(sampleRate: number, f0Floor = 71): number {
  return 2 ** (1 + Math.floor(Math.log2((3 * sampleRate) / f0Floor + 1)));
}

/**
 * Spectral envelope (power, fftSize/2 + 1 bins x frames) after Morise's CheapTrick (2015): per frame a Hann
 * window three periods long (unit power, weighted mean removed), the power spectrum with the leak below F0
 * folded back, smoothed over 2/3 F0, then liftered in the cepstrum by sin(pi f0 q)/(pi f0 q) x
 * ((1 - 2 q1) + 2 q1 cos(2 pi f0 q)). Because window and smoothing follow F0, the envelope of one voice does not
 * change with its pitch. Unvoiced frames (f0 0) take their shape from a 20 ms window, scaled by the signal's
 * power under a 6 ms window over its power under the 20 ms one.
 */
export function spectralEnvelope(
  signal: Float32Array,
  sampleRate: number,
  f0: Float64Array,
  options: EnvelopeOptions = {},
): Spectrogram {
  assertFinite(signal, sampleRate, "spectralEnvelope(signal)");
  const framePeriod = requireNumber("spectralEnvelope(options.framePeriod)", options.framePeriod ?? 5, 0.1, 1000);
  const f0Floor = requireNumber("spectralEnvelope(options.f0Floor)", options.f0Floor ?? 71, 10, sampleRate / 4);
  const fftSize = options.fftSize ?? envelopeFftSize(sampleRate, f0Floor);
  if (fftSize !== nextPowerOfTwo(fftSize) || fftSize < (3 * sampleRate) / f0Floor) {
    throw new InvalidArgumentError(
      "spectralEnvelope(options.fftSize)",
      `a power of two >= 3 x sampleRate / f0Floor (${Math.ceil((3 * sampleRate) / f0Floor)})`,
      fftSize,
    );
  }
  const q1 = requireNumber("spectralEnvelope(options.q1)", options.q1 ?? -0.15, -1, 1);
  const hop = (sampleRate * framePeriod) / 1000;
  const frames = f0.length;
  const plan = realFft(fftSize);
  const bins = plan.bins;
  const out = new Float32Array(bins * frames);
  const segment = new Float64Array(fftSize);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const power = new Float64Array(bins);
  const cepstrum = new Float64Array(fftSize);
  const window = new Float64Array(fftSize);
  const shortWindow = new Float64Array(fftSize);
  const shortLength = unitPowerHann(shortWindow, UNVOICED_GAIN_F0, sampleRate);
  // Frames are finished one at a time but the result is frequency-major (a frame's bins lie `frames` apart):
  // a block of frames is kept frame-major and written out along rows, not one strided bin at a time.
  const block = new Float64Array(FRAME_BLOCK * bins);
  for (let t = 0; t < frames; t++) {
    const current = (f0[t] as number) > 0 ? Math.max(f0[t] as number, f0Floor) : UNVOICED_F0;
    const length = unitPowerHann(window, current, sampleRate);
    const half = (length - 1) / 2;
    const centre = Math.round(t * hop);
    windowedSegment(signal, centre - half, window, length, segment);
    plan.forward(segment, re, im);
    for (let k = 0; k < bins; k++) power[k] = (re[k] as number) ** 2 + (im[k] as number) ** 2;
    dcCorrection(power, current, sampleRate, fftSize);
    linearSmoothing(power, (2 * current) / 3, sampleRate, fftSize);
    for (let k = 0; k < bins; k++) power[k] = Math.log(Math.max(power[k] as number, 0) + POWER_FLOOR);
    plan.evenInverse(power, cepstrum);
    lifter(cepstrum, current, sampleRate, q1);
    plan.forward(cepstrum, re, im);
    for (let k = 0; k < bins; k++) power[k] = Math.exp(re[k] as number);
    // Unvoiced: the long window's shape, scaled by how much stronger the signal is under the short window than
    // under the long one, so bursts keep their onsets. Both powers are raw (nothing removed): the short window's
    // mean removal took out everything below ~170 Hz, and dividing by the shape's own power then spread a hum's
    // or rumble's share over the whole band (speech-band noise 13 dB too quiet under a 60 Hz hum; the human
    // recordings' unvoiced frames 4.4 dB too quiet on average).
    const gain =
      (f0[t] as number) > 0
        ? 1
        : rawPower(signal, centre, shortWindow, shortLength) /
          Math.max(POWER_FLOOR, rawPower(signal, centre, window, length));
    const slot = t % FRAME_BLOCK;
    for (let k = 0; k < bins; k++) block[slot * bins + k] = Math.max(POWER_FLOOR, gain * (power[k] as number));
    if (slot === FRAME_BLOCK - 1 || t === frames - 1) writeBlock(block, bins, t - slot, slot + 1, out, frames);
  }
  return { data: out, bins, frames };
}

/** Frames kept before they are written out (64 frames of 513 bins: 256 KiB). */
const FRAME_BLOCK = 64;

/** Frames first..first + count of `block` (frame-major, `bins` per frame) into the frequency-major `out`. */
function writeBlock(
  block: Float64Array,
  bins: number,
  first: number,
  count: number,
  out: Float32Array,
  frames: number,
) {
  for (let k = 0; k < bins; k++) {
    const row = k * frames + first;
    for (let j = 0; j < count; j++) out[row + j] = block[j * bins + k] as number;
  }
}

/**
 * CheapTrick's liftering of an even cepstrum (fftSize values, c[n] = c[fftSize - n]) in place: the smoothing
 * lifter sin(x) / x and the compensation 1 - 2 q1 + 2 q1 cos(2x), x = pi f0 n / sampleRate. sin(nθ) and
 * cos(2nθ) come from rotations (no trigonometry per quefrency); the second half mirrors the first.
 */
function lifter(cepstrum: Float64Array, f0: number, sampleRate: number, q1: number): void {
  const size = cepstrum.length;
  const theta = (Math.PI * f0) / sampleRate;
  const stepC = Math.cos(theta);
  const stepS = Math.sin(theta);
  let c = 1; // cos(n theta)
  let s = 0; // sin(n theta)
  for (let n = 0; n <= size / 2; n++) {
    const x = n * theta;
    const smoothing = n === 0 ? 1 : s / x;
    const compensation = 1 - 2 * q1 + 2 * q1 * (2 * c * c - 1);
    const gain = smoothing * compensation;
    cepstrum[n] = (cepstrum[n] as number) * gain;
    if (n > 0 && n < size / 2) cepstrum[size - n] = (cepstrum[size - n] as number) * gain;
    const nextC = c * stepC - s * stepS;
    s = s * stepC + c * stepS;
    c = nextC;
  }
}

/** Power of the signal around `centre` under a unit-power `window`, nothing removed. */
function rawPower(signal: Float32Array, centre: number, window: Float64Array, length: number): number {
  const start = centre - (length - 1) / 2;
  let power = 0;
  for (let n = 0; n < length; n++) {
    const i = start + n;
    const x = i >= 0 && i < signal.length ? (signal[i] as number) : 0;
    power += (x * (window[n] as number)) ** 2;
  }
  return power;
}

/** A Hann window 3 periods of `f0` long (odd length), scaled to unit power; returns its length. */
export function unitPowerHann(window: Float64Array, f0: number, sampleRate: number): number {
  const half = Math.round((1.5 * sampleRate) / f0);
  const length = Math.min(2 * half + 1, window.length - (window.length % 2 === 0 ? 1 : 0));
  const h = (length - 1) / 2;
  let energy = 0;
  // 0.5 cos(2 pi f0 (n - h) / (3 sampleRate)) + 0.5, the cosine by rotation from n = 0.
  const step = (2 * Math.PI * f0) / (3 * sampleRate);
  const stepC = Math.cos(step);
  const stepS = Math.sin(step);
  let c = Math.cos(-h * step);
  let s = Math.sin(-h * step);
  for (let n = 0; n < length; n++) {
    const w = 0.5 * c + 0.5;
    window[n] = w;
    energy += w * w;
    const nextC = c * stepC - s * stepS;
    s = s * stepC + c * stepS;
    c = nextC;
  }
  const scale = 1 / Math.sqrt(energy);
  for (let n = 0; n < length; n++) window[n] = (window[n] as number) * scale;
  return length;
}

/**
 * segment[0..length) = signal[start..] x window, minus the window times the weighted mean (no DC leaks in);
 * the rest of `segment` is zeroed. Samples outside the signal count as 0.
 */
export function windowedSegment(
  signal: Float32Array,
  start: number,
  window: Float64Array,
  length: number,
  segment: Float64Array,
): void {
  let weighted = 0;
  let weights = 0;
  for (let n = 0; n < length; n++) {
    const i = start + n;
    const x = i >= 0 && i < signal.length ? (signal[i] as number) : 0;
    const w = window[n] as number;
    segment[n] = x * w;
    weighted += x * w;
    weights += w;
  }
  const mean = weights > 0 ? weighted / weights : 0;
  for (let n = 0; n < length; n++) segment[n] = (segment[n] as number) - mean * (window[n] as number);
  segment.fill(0, length);
}
