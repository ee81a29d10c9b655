import { InvalidArgumentError, requireInteger, requireNumber } from "../errors.js";
import { Mulberry32 } from "../random.js";
import type { Spectrogram } from "../spectrogram.js";
import { POWER_FLOOR } from "./envelope.js";
import { type RealFft, realFft } from "./real-fft.js";

export interface WorldSynthesisOptions {
  sampleRate: number;
  /** Milliseconds between frames. Default 5. */
  framePeriod?: number;
  /** Output length in samples. Default round(frames x hop). */
  length?: number;
  /** Seed of the noise source. Default 0. */
  seed?: number;
}

/**
 * Source-filter synthesis after WORLD (Morise et al. 2016): in voiced frames a pulse at every period of F0
 * (sample-accurate, with a fractional-delay phase), each pulse the minimum-phase response of the periodic part
 * of the envelope, sqrt(P (1 - ap^2)); everywhere, Gaussian noise one frame long through the minimum-phase
 * response of the aperiodic part, sqrt(P ap^2) (all of P where unvoiced); overlap-added. Envelope and
 * aperiodicity are fftSize/2 + 1 bins x frames (aperiodicity an amplitude ratio in [0, 1]); F0 in Hz, 0 unvoiced.
 * Pulses carry sqrt(T0) so a voiced frame has the power its envelope says.
 */
export function synthesizeWorld(
  f0: ArrayLike<number>,
  envelope: Spectrogram,
  aperiodicity: Spectrogram,
  options: WorldSynthesisOptions,
): Float32Array {
  const sampleRate = requireInteger("synthesizeWorld(options.sampleRate)", options.sampleRate, 1000, 384000);
  const framePeriod = requireNumber("synthesizeWorld(options.framePeriod)", options.framePeriod ?? 5, 0.1, 1000);
  const frames = envelope.frames;
  if (f0.length !== frames || aperiodicity.frames !== frames || aperiodicity.bins !== envelope.bins) {
    throw new InvalidArgumentError(
      "synthesizeWorld(f0, envelope, aperiodicity)",
      `one F0 per envelope frame (${frames}) and an aperiodicity of ${envelope.bins} x ${frames}`,
      `${f0.length} F0 values, aperiodicity ${aperiodicity.bins} x ${aperiodicity.frames}`,
    );
  }
  const fftSize = 2 * (envelope.bins - 1);
  if ((fftSize & (fftSize - 1)) !== 0) {
    throw new InvalidArgumentError(
      "synthesizeWorld(envelope.bins)",
      "fftSize / 2 + 1, fftSize a power of two",
      envelope.bins,
    );
  }
  const hop = (sampleRate * framePeriod) / 1000;
  const length = requireInteger("synthesizeWorld(options.length)", options.length ?? Math.round(frames * hop), 0);
  const out = new Float64Array(length + fftSize);
  if (frames === 0 || length === 0) return new Float32Array(length);
  const voiced = new Uint8Array(frames);
  for (let t = 0; t < frames; t++) {
    const v = f0[t] as number;
    if (!Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError("synthesizeWorld(f0)", "finite F0 >= 0 (0 = unvoiced)", `${v} at frame ${t}`);
    }
    voiced[t] = v > 0 ? 1 : 0;
  }
  const filter = new MinimumPhase(realFft(fftSize));
  const bins = envelope.bins;
  const periodicShape = new Float64Array(bins);
  const noiseShape = new Float64Array(bins);
  const noiseGain = new Float64Array(bins);
  // The periodic response of the frame the last pulse used: pulses come in time order, so one frame's is kept,
  // and frames no pulse falls in (half of them at 100 Hz) never need one.
  const periodicRe = new Float64Array(bins);
  const periodicIm = new Float64Array(bins);
  let periodicFrame = -1;
  const response = new Float64Array(fftSize);
  const gaussian = new GaussianSource(new Mulberry32(options.seed ?? 0));
  const noise = new Float64Array(fftSize);
  const nr = new Float64Array(bins);
  const ni = new Float64Array(bins);
  const hr = new Float64Array(bins);
  const hi = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      const p = Math.max(0, envelope.data[k * frames + t] as number);
      const ap = voiced[t] ? Math.min(1, Math.max(0, aperiodicity.data[k * frames + t] as number)) : 1;
      noiseShape[k] = p * ap * ap;
    }
    // The frame's noise: hop samples around its centre, through the aperiodic part's amplitude response taken
    // at zero phase (noise has random phase already, so the filter's phase only moves energy within a few
    // milliseconds; this saves a minimum-phase spectrum per frame). The burst sits a quarter of the buffer in,
    // so the response's two-sided spread does not wrap.
    const start = Math.round((t - 0.5) * hop);
    const end = Math.round((t + 0.5) * hop);
    const count = end - start;
    const lead = fftSize / 4;
    for (let k = 0; k < bins; k++) noiseGain[k] = Math.sqrt(noiseShape[k] as number);
    // Frames longer than half the buffer (long frame periods) go through in pieces.
    for (let piece = 0; piece < count; piece += fftSize / 2) {
      const size = Math.min(fftSize / 2, count - piece);
      for (let n = 0; n < size; n++) noise[lead + n] = gaussian.next();
      filter.plan.forward(noise, nr, ni);
      // Only the burst is ever written, so clearing it keeps the buffer zero elsewhere for the next frame.
      noise.fill(0, lead, lead + size);
      for (let k = 0; k < bins; k++) {
        nr[k] = (nr[k] as number) * (noiseGain[k] as number);
        ni[k] = (ni[k] as number) * (noiseGain[k] as number);
      }
      filter.plan.inverse(nr, ni, response);
      addAt(out, start + piece - lead, response, length);
    }
  }
  // Pulses: F0 interpolated per sample between voiced frames; a pulse where the phase passes a whole period.
  let phase = 0;
  let wasVoiced = false;
  for (let n = 0; n < length; n++) {
    const position = n / hop;
    const nearest = Math.min(frames - 1, Math.round(position));
    if (!voiced[nearest]) {
      wasVoiced = false;
      continue;
    }
    const a = Math.min(frames - 1, Math.floor(position));
    const b = Math.min(frames - 1, a + 1);
    const w = position - a;
    const fa = voiced[a] ? (f0[a] as number) : (f0[b] as number);
    const fb = voiced[b] ? (f0[b] as number) : fa;
    const frequency = fa * (1 - w) + fb * w;
    const advance = frequency / sampleRate;
    let fraction = -1;
    if (!wasVoiced) {
      fraction = 0;
      phase = 0;
    } else if (phase + advance >= 1) {
      fraction = (1 - phase) / advance; // the pulse lies this far past sample n - 1 ... n
      phase = phase + advance - 1;
    } else {
      phase += advance;
    }
    wasVoiced = true;
    if (fraction < 0) continue;
    // Pulse at time n - 1 + fraction (fraction in (0, 1]); place at sample n with a delay of fraction - 1 <= 0,
    // i.e. start at n - 1 and delay by `fraction`.
    const origin = fraction === 0 ? n : n - 1;
    const delay = fraction === 0 ? 0 : fraction;
    const period = sampleRate / frequency;
    const gain = Math.sqrt(period);
    if (periodicFrame !== nearest) {
      for (let k = 0; k < bins; k++) {
        const p = Math.max(0, envelope.data[k * frames + nearest] as number);
        const ap = Math.min(1, Math.max(0, aperiodicity.data[k * frames + nearest] as number));
        periodicShape[k] = p * (1 - ap * ap);
      }
      filter.spectrum(periodicShape, periodicRe, periodicIm);
      periodicFrame = nearest;
    }
    // The fractional delay's phase ramp e^(-2 pi i k delay / fftSize), by rotation: one sin/cos per pulse.
    const stepAngle = (-2 * Math.PI * delay) / fftSize;
    const stepC = Math.cos(stepAngle);
    const stepS = Math.sin(stepAngle);
    let c = gain;
    let s = 0;
    for (let k = 0; k < bins; k++) {
      const re = periodicRe[k] as number;
      const im = periodicIm[k] as number;
      hr[k] = re * c - im * s;
      hi[k] = re * s + im * c;
      const nextC = c * stepC - s * stepS;
      s = c * stepS + s * stepC;
      c = nextC;
    }
    filter.plan.inverse(hr, hi, response);
    removeDc(response, Math.min(fftSize, Math.round(2 * period)));
    addAt(out, origin, response, length);
  }
  const result = new Float32Array(length);
  for (let n = 0; n < length; n++) result[n] = out[n] as number;
  return result;
}

/**
 * Takes the response's sum (its DC) out with a Hann window two periods long at its start. The window's spectrum
 * is zero at every multiple of F0 / 2 past the first, so no harmonic of the pulse train changes; without this,
 * the DC and low-frequency tail of each response rang on 30-40 dB above the original in the silence after
 * voiced segments. (Zeroing the DC bin instead spreads -mean over the whole FFT length, which is worse.)
 */
function removeDc(response: Float64Array, span: number): void {
  let sum = 0;
  for (const v of response) sum += v;
  // Hann weights 0.5 - 0.5 cos(2 pi (n + 0.5) / span), the cosine by rotation; they sum to span / 2 (span >= 2).
  const step = (2 * Math.PI) / span;
  const stepC = Math.cos(step);
  const stepS = Math.sin(step);
  let c = Math.cos(step / 2);
  let s = Math.sin(step / 2);
  const scale = span >= 2 ? sum / (span / 2) : sum;
  for (let n = 0; n < span; n++) {
    response[n] = (response[n] as number) - scale * (0.5 - 0.5 * c);
    const nextC = c * stepC - s * stepS;
    s = c * stepS + s * stepC;
    c = nextC;
  }
}

function addAt(out: Float64Array, start: number, values: Float64Array, length: number): void {
  const from = Math.max(0, -start);
  const to = Math.min(values.length, length - start);
  for (let n = from; n < to; n++) out[start + n] = (out[start + n] as number) + (values[n] as number);
}

/** Standard normals by Box-Muller from the seeded uniform source, both of each pair used. */
class GaussianSource {
  private spare = 0;
  private hasSpare = false;

  constructor(private readonly random: Mulberry32) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.random.next()));
    const angle = 2 * Math.PI * this.random.next();
    this.spare = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }
}

/**
 * Minimum-phase spectrum with a given power response: log amplitude -> real cepstrum -> folded onto positive
 * quefrencies (causal) -> back to a complex log spectrum -> exp.
 */
export class MinimumPhase {
  readonly plan: RealFft;
  private readonly logAmplitude: Float64Array;
  private readonly cepstrum: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(plan: RealFft) {
    this.plan = plan;
    this.logAmplitude = new Float64Array(plan.bins);
    this.cepstrum = new Float64Array(plan.size);
    this.re = new Float64Array(plan.bins);
    this.im = new Float64Array(plan.bins);
  }

  /** The minimum-phase spectrum (half) whose power is `power` (half, fftSize/2 + 1 bins). */
  spectrum(power: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const { size, bins } = this.plan;
    for (let k = 0; k < bins; k++) this.logAmplitude[k] = Math.log((power[k] as number) + POWER_FLOOR) / 2;
    this.plan.evenInverse(this.logAmplitude, this.cepstrum);
    const c = this.cepstrum;
    for (let n = 1; n < size / 2; n++) c[n] = 2 * (c[n] as number);
    for (let n = size / 2 + 1; n < size; n++) c[n] = 0;
    this.plan.forward(c, this.re, this.im);
    for (let k = 0; k < bins; k++) {
      const magnitude = Math.exp(this.re[k] as number);
      outRe[k] = magnitude * Math.cos(this.im[k] as number);
      outIm[k] = magnitude * Math.sin(this.im[k] as number);
    }
  }
}
