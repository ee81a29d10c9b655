import { InvalidArgumentError, requireNumber } from "../errors.js";
import { resample } from "../resample.js";
import { nextPowerOfTwo, RealFft, realFft } from "./real-fft.js";

/** Options of {@link f0}; the defaults are those of the StarGAN-VC recipes (WORLD's DIO defaults). */
export interface F0Options {
  /** Milliseconds between frames; frame t is centred on t x framePeriod. Default 5. */
  framePeriod?: number;
  /** Lowest F0 searched, Hz. Default 71. */
  f0Floor?: number;
  /** Highest F0 searched, Hz. Default 800. */
  f0Ceil?: number;
  /** Low-pass filter bands per octave of DIO's search. Default 2. */
  channelsInOctave?: number;
  /**
   * Normalised autocorrelation at the refined period a frame needs to count as voiced (0..1). Default 0.5: noise
   * through DIO's narrow low-pass filters looks periodic to zero-crossing intervals, not to the waveform itself.
   */
  periodicityThreshold?: number;
  /** Frames this many dB below the loudest are unvoiced. Default 50. */
  silenceDb?: number;
}

const DIO_RATE = 4000;
/** Candidates down to this fraction of f0Floor are kept. */
const FLOOR_MARGIN = 0.9;

/** Frames covering `length` samples at `hop`: frame t is centred on sample t x hop (as a centred STFT). */
export function worldFrameCount(length: number, hop: number): number {
  return 1 + Math.floor(length / hop);
}

/**
 * F0 per frame (Hz; 0 = unvoiced), after Morise's DIO (2009): the signal, decimated to 4 kHz, goes through
 * low-pass filters an octave apart / channelsInOctave; in each band the intervals between the four kinds of
 * events of a sinusoid (rising and falling zero crossings, peaks, dips) give four F0 estimates whose spread
 * scores the band; the best-scored band wins. Each voiced frame is then refined from the instantaneous
 * frequencies of its first harmonics (StoneMask), and a frame counts as voiced only where the waveform repeats
 * at the refined period (or fills a gap of at most 15 ms between voiced frames), is not silent and is not an
 * isolated blip.
 */
export function f0(signal: Float32Array, sampleRate: number, options: F0Options = {}): Float64Array {
  const framePeriod = requireNumber("f0(options.framePeriod)", options.framePeriod ?? 5, 0.1, 1000);
  const f0Floor = requireNumber("f0(options.f0Floor)", options.f0Floor ?? 71, 10, sampleRate / 4);
  const f0Ceil = requireNumber("f0(options.f0Ceil)", options.f0Ceil ?? 800, f0Floor, DIO_RATE / 4);
  if (f0Ceil <= f0Floor) throw new InvalidArgumentError("f0(options.f0Ceil)", `more than f0Floor ${f0Floor}`, f0Ceil);
  const channels = requireNumber("f0(options.channelsInOctave)", options.channelsInOctave ?? 2, 1, 24);
  const threshold = requireNumber("f0(options.periodicityThreshold)", options.periodicityThreshold ?? 0.5, 0, 1);
  const silenceDb = requireNumber("f0(options.silenceDb)", options.silenceDb ?? 50, 0, 200);
  assertFinite(signal, sampleRate, "f0(signal)");
  const hop = (sampleRate * framePeriod) / 1000;
  const frames = worldFrameCount(signal.length, hop);
  const times = new Float64Array(frames);
  for (let t = 0; t < frames; t++) times[t] = (t * hop) / sampleRate;

  const candidates = dioCandidates(signal, sampleRate, times, f0Floor, f0Ceil, channels);
  const contour = pickContour(candidates, frames);
  const refined = new Float64Array(frames);
  const refinedCandidates = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const initial = contour[t] as number;
    if (initial <= 0) continue;
    const value = stoneMask(signal, sampleRate, times[t] as number, initial, f0Floor, f0Ceil);
    refinedCandidates[t] = value;
    if (periodicity(signal, sampleRate, times[t] as number, value) >= threshold) refined[t] = value;
  }
  fillShortGaps(refined, refinedCandidates, 3);
  silenceGate(signal, sampleRate, times, refined, silenceDb);
  dropShortRuns(refined, 4);
  return refined;
}

/** DIO's per-band candidates: `f0[band][frame]` (0 where a band has none) and their scores (relative spread). */
interface Candidates {
  f0: Float64Array[];
  score: Float64Array[];
}

function dioCandidates(
  signal: Float32Array,
  sampleRate: number,
  times: Float64Array,
  f0Floor: number,
  f0Ceil: number,
  channels: number,
): Candidates {
  const rate = sampleRate > DIO_RATE ? DIO_RATE : sampleRate;
  // F0 lies far below the 4 kHz rate's Nyquist, so a short decimation filter (16 zero crossings, not the
  // resampler's audio-grade 64) loses nothing DIO looks at and costs a quarter as much.
  const decimated = rate === sampleRate ? signal : resample(signal, sampleRate, rate, { zeroCrossings: 16 });
  let mean = 0;
  for (const v of decimated) mean += v;
  mean /= Math.max(1, decimated.length);
  const bands = Math.ceil(Math.log2(f0Ceil / f0Floor) * channels);
  const longestFilter = 4 * Math.round(rate / f0Floor / 2) + 1;
  const size = nextPowerOfTwo(decimated.length + longestFilter);
  const plan = size <= 1 << 16 ? realFft(size) : new RealFft(size);
  const padded = new Float64Array(size);
  for (let i = 0; i < decimated.length; i++) padded[i] = (decimated[i] as number) - mean;
  const xr = new Float64Array(plan.bins);
  const xi = new Float64Array(plan.bins);
  plan.forward(padded, xr, xi);
  const hr = new Float64Array(plan.bins);
  const hi = new Float64Array(plan.bins);
  const filtered = new Float64Array(size);
  const result: Candidates = { f0: [], score: [] };
  for (let band = 0; band < bands; band++) {
    const boundary = f0Floor * 2 ** ((band + 1) / channels);
    // A Nuttall window two periods of the band's boundary long, centred on sample 0 (zero-phase low-pass).
    const half = Math.max(1, Math.round(rate / boundary / 2));
    const length = 4 * half + 1;
    const taps = new Float64Array(size);
    let sum = 0;
    for (let n = 0; n < length; n++) sum += nuttall(n, length);
    for (let n = 0; n < length; n++) taps[(n - 2 * half + size) % size] = nuttall(n, length) / sum;
    plan.forward(taps, hr, hi);
    for (let k = 0; k < plan.bins; k++) {
      const re = (xr[k] as number) * (hr[k] as number) - (xi[k] as number) * (hi[k] as number);
      const im = (xr[k] as number) * (hi[k] as number) + (xi[k] as number) * (hr[k] as number);
      hr[k] = re;
      hi[k] = im;
    }
    plan.inverse(hr, hi, filtered);
    const z = filtered.subarray(0, decimated.length);
    const f0 = new Float64Array(times.length);
    const score = new Float64Array(times.length).fill(Number.POSITIVE_INFINITY);
    const events = [crossings(z, false, rate), crossings(z, true, rate), peaks(z, false, rate), peaks(z, true, rate)];
    // The floor is a search hint: a voice a few Hz below it is still found (it is reported as is).
    const low = Math.max(FLOOR_MARGIN * f0Floor, boundary / 2);
    const high = Math.min(f0Ceil, boundary);
    const cursors = [0, 0, 0, 0];
    for (let t = 0; t < times.length; t++) {
      const at = (times[t] as number) * rate;
      let s = 0;
      let s2 = 0;
      let ok = true;
      for (let e = 0; e < 4; e++) {
        const v = interpolateEvents(events[e] as EventIntervals, at, cursors, e);
        if (Number.isNaN(v)) {
          ok = false;
          break;
        }
        s += v;
        s2 += v * v;
      }
      if (!ok) continue;
      const m = s / 4;
      if (m < low || m > high) continue;
      f0[t] = m;
      score[t] = Math.sqrt(Math.max(0, (s2 - 4 * m * m) / 3)) / m;
    }
    result.f0.push(f0);
    result.score.push(score);
  }
  return result;
}

function nuttall(n: number, length: number): number {
  const x = (2 * Math.PI * n) / (length - 1);
  return 0.355768 - 0.487396 * Math.cos(x) + 0.144232 * Math.cos(2 * x) - 0.012604 * Math.cos(3 * x);
}

/** Where each interval between successive events lies (its midpoint, in samples) and the F0 it implies. */
interface EventIntervals {
  at: Float64Array;
  f0: Float64Array;
}

function intervals(positions: number[], rate: number): EventIntervals {
  const n = Math.max(0, positions.length - 1);
  const at = new Float64Array(n);
  const f0 = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const a = positions[j] as number;
    const b = positions[j + 1] as number;
    at[j] = (a + b) / 2;
    f0[j] = rate / (b - a);
  }
  return { at, f0 };
}

/** Falling (or rising) zero crossings of `z`, at sub-sample positions. */
function crossings(z: Float64Array, rising: boolean, rate: number): EventIntervals {
  const positions: number[] = [];
  for (let i = 0; i + 1 < z.length; i++) {
    const a = z[i] as number;
    const b = z[i + 1] as number;
    if (rising ? a < 0 && b >= 0 : a > 0 && b <= 0) positions.push(i + a / (a - b));
  }
  return intervals(positions, rate);
}

/** Peaks (or dips): zero crossings of the first difference, falling (rising). */
function peaks(z: Float64Array, dips: boolean, rate: number): EventIntervals {
  const positions: number[] = [];
  for (let i = 1; i + 1 < z.length; i++) {
    const a = (z[i] as number) - (z[i - 1] as number);
    const b = (z[i + 1] as number) - (z[i] as number);
    if (dips ? a < 0 && b >= 0 : a > 0 && b <= 0) positions.push(i - 0.5 + a / (a - b));
  }
  return intervals(positions, rate);
}

/** Linear interpolation of the intervals' F0 at `at`; NaN outside their span. `cursors[e]` walks forward. */
function interpolateEvents(events: EventIntervals, at: number, cursors: number[], e: number): number {
  const n = events.at.length;
  if (n < 2 || at < (events.at[0] as number) || at > (events.at[n - 1] as number)) return Number.NaN;
  let j = cursors[e] as number;
  while (j + 2 < n && (events.at[j + 1] as number) <= at) j++;
  cursors[e] = j;
  const a = events.at[j] as number;
  const b = events.at[j + 1] as number;
  const w = b > a ? (at - a) / (b - a) : 0;
  return (events.f0[j] as number) * (1 - w) + (events.f0[j + 1] as number) * w;
}

/**
 * The best-scored band per frame, then octave jumps repaired: a frame more than a third of an octave from the
 * median of its neighbours takes the candidate of another band nearest that median, if one is within 10 %.
 */
function pickContour(candidates: Candidates, frames: number): Float64Array {
  const contour = new Float64Array(frames);
  const bands = candidates.f0.length;
  for (let t = 0; t < frames; t++) {
    let best = Number.POSITIVE_INFINITY;
    for (let b = 0; b < bands; b++) {
      const s = candidates.score[b]?.[t] as number;
      if (s < best) {
        best = s;
        contour[t] = candidates.f0[b]?.[t] as number;
      }
    }
    // A spread of 20 % between the four estimates is no sinusoid at all.
    if (!(best < 0.2)) contour[t] = 0;
  }
  const repaired = contour.slice();
  const neighbours: number[] = [];
  for (let t = 0; t < frames; t++) {
    const value = contour[t] as number;
    if (value <= 0) continue;
    neighbours.length = 0;
    for (let u = Math.max(0, t - 5); u <= Math.min(frames - 1, t + 5); u++) {
      if (u !== t && (contour[u] as number) > 0) neighbours.push(contour[u] as number);
    }
    if (neighbours.length < 3) continue;
    neighbours.sort((a, b) => a - b);
    const median = neighbours[neighbours.length >> 1] as number;
    if (Math.abs(Math.log2(value / median)) <= 1 / 3) continue;
    let replacement = 0;
    let distance = 0.1;
    for (let b = 0; b < bands; b++) {
      const v = candidates.f0[b]?.[t] as number;
      if (v > 0 && Math.abs(v / median - 1) < distance) [replacement, distance] = [v, Math.abs(v / median - 1)];
    }
    repaired[t] = replacement;
  }
  return repaired;
}

/**
 * StoneMask-style refinement: the instantaneous frequency at the bins of the first harmonics (phase advance
 * between two Blackman-windowed spectra one sample apart), combined as sum(A_k IF_k) / sum(A_k k); twice, with 2
 * then 6 harmonics. A refinement that moves F0 by more than 20 % or out of range is not taken.
 */
function stoneMask(
  signal: Float32Array,
  sampleRate: number,
  time: number,
  initial: number,
  f0Floor: number,
  f0Ceil: number,
): number {
  const first = harmonicFrequency(signal, sampleRate, time, initial, 2);
  if (!(first > 0) || Math.abs(first / initial - 1) > 0.2) return initial;
  const second = harmonicFrequency(signal, sampleRate, time, first, 6);
  const refined = second > 0 && Math.abs(second / initial - 1) <= 0.2 ? second : first;
  return refined >= FLOOR_MARGIN * f0Floor && refined <= f0Ceil ? refined : initial;
}

/** Blackman-windowed samples of one frame, reused across frames. */
let frameScratch = new Float64Array(0);

/**
 * sum(A_k IF_k) / sum(A_k k) over the first `harmonics` harmonics of the Blackman-windowed frame (3 periods) at
 * `time`: A_k the amplitude at harmonic k's bin of a zero-padded FFT twice the window long, IF_k the phase
 * advanced between the frame and the frame one sample later. Only those few bins are needed, so each is a direct
 * DFT (phasors by rotation) instead of two whole FFTs per call.
 */
function harmonicFrequency(signal: Float32Array, rate: number, time: number, f0: number, harmonics: number): number {
  const half = Math.round((1.5 * rate) / f0);
  const length = 2 * half + 1;
  const size = nextPowerOfTwo(2 * length);
  if (frameScratch.length < length + 1) frameScratch = new Float64Array(2 * (length + 1));
  // x[n] = signal[centre - half + n], n = 0..length (one more than the window, for the later frame).
  const x = frameScratch;
  const first = Math.round(time * rate) - half;
  for (let n = 0; n <= length; n++) x[n] = sampleAt(signal, first + n);
  const bins = size / 2 + 1;
  let numerator = 0;
  let denominator = 0;
  for (let k = 1; k <= harmonics; k++) {
    const bin = Math.round((k * f0 * size) / rate);
    if (bin >= bins - 1) break;
    // X = sum w[n] x[n] e^(-i omega n), Y = sum w[n] x[n + 1] e^(-i omega n), omega = 2 pi bin / size; the
    // Blackman window 0.42 - 0.5 cos(2 pi (n + 0.5) / length) + 0.08 cos(4 pi (n + 0.5) / length) by rotation.
    const omega = (2 * Math.PI * bin) / size;
    const stepC = Math.cos(omega);
    const stepS = -Math.sin(omega);
    const windowStep = (2 * Math.PI) / length;
    const w1StepC = Math.cos(windowStep);
    const w1StepS = Math.sin(windowStep);
    let w1c = Math.cos(windowStep / 2);
    let w1s = Math.sin(windowStep / 2);
    let pc = 1;
    let ps = 0;
    let xr = 0;
    let xi = 0;
    let yr = 0;
    let yi = 0;
    for (let n = 0; n < length; n++) {
      const w = 0.42 - 0.5 * w1c + 0.08 * (2 * w1c * w1c - 1);
      const a = w * (x[n] as number);
      const b = w * (x[n + 1] as number);
      xr += a * pc;
      xi += a * ps;
      yr += b * pc;
      yi += b * ps;
      const nextPc = pc * stepC - ps * stepS;
      ps = pc * stepS + ps * stepC;
      pc = nextPc;
      const nextW = w1c * w1StepC - w1s * w1StepS;
      w1s = w1c * w1StepS + w1s * w1StepC;
      w1c = nextW;
    }
    // arg(Y conj(X)): the phase advanced in one sample.
    const advance = Math.atan2(yi * xr - yr * xi, yr * xr + yi * xi);
    const frequency = (advance * rate) / (2 * Math.PI);
    const amplitude = Math.hypot(xr, xi);
    numerator += amplitude * frequency;
    denominator += amplitude * k;
  }
  return denominator > 0 ? numerator / denominator : 0;
}

function sampleAt(signal: Float32Array, i: number): number {
  return i >= 0 && i < signal.length ? (signal[i] as number) : 0;
}

/** Normalised autocorrelation at lag rate/f0 (linearly interpolated) over three periods centred on `time`. */
function periodicity(signal: Float32Array, rate: number, time: number, f0: number): number {
  const lag = rate / f0;
  const whole = Math.floor(lag);
  const fraction = lag - whole;
  const span = Math.round(1.5 * lag);
  const centre = Math.round(time * rate);
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let n = centre - span; n < centre + span - whole; n++) {
    const x = sampleAt(signal, n);
    const y = (1 - fraction) * sampleAt(signal, n + whole) + fraction * sampleAt(signal, n + whole + 1);
    xy += x * y;
    xx += x * x;
    yy += y * y;
  }
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
}

/** Frames whose 25 ms RMS is `silenceDb` below the loudest frame's are unvoiced. */
function silenceGate(signal: Float32Array, rate: number, times: Float64Array, f0: Float64Array, silenceDb: number) {
  const half = Math.round(0.0125 * rate);
  const energy = new Float64Array(times.length);
  let loudest = 0;
  for (let t = 0; t < times.length; t++) {
    const centre = Math.round((times[t] as number) * rate);
    let s = 0;
    for (let n = centre - half; n < centre + half; n++) s += sampleAt(signal, n) ** 2;
    energy[t] = s;
    if (s > loudest) loudest = s;
  }
  const floor = loudest * 10 ** (-silenceDb / 10);
  for (let t = 0; t < times.length; t++) if ((energy[t] as number) <= floor) f0[t] = 0;
}

/**
 * Unvoiced runs of at most `longest` frames between voiced frames become voiced: a vowel's few frames of weak
 * periodicity (a transition, a glottal irregularity) would otherwise be synthesised as a burst of noise. A gap
 * frame takes its refined candidate when that is within 10 % of the line between its neighbours, else the line.
 */
function fillShortGaps(f0: Float64Array, candidates: Float64Array, longest: number): void {
  let t = 0;
  while (t < f0.length) {
    if ((f0[t] as number) > 0 || t === 0) {
      t++;
      continue;
    }
    let end = t;
    while (end < f0.length && (f0[end] as number) <= 0) end++;
    const before = f0[t - 1] as number;
    const after = end < f0.length ? (f0[end] as number) : 0;
    if (before > 0 && after > 0 && end - t <= longest) {
      for (let u = t; u < end; u++) {
        const w = (u - t + 1) / (end - t + 1);
        const line = before * (1 - w) + after * w;
        const candidate = candidates[u] as number;
        f0[u] = candidate > 0 && Math.abs(candidate / line - 1) < 0.1 ? candidate : line;
      }
    }
    t = end;
  }
}

/** Voiced runs shorter than `minimum` frames become unvoiced. */
function dropShortRuns(f0: Float64Array, minimum: number): void {
  let start = -1;
  for (let t = 0; t <= f0.length; t++) {
    const voiced = t < f0.length && (f0[t] as number) > 0;
    if (voiced && start < 0) start = t;
    if (!voiced && start >= 0) {
      if (t - start < minimum) f0.fill(0, start, t);
      start = -1;
    }
  }
}

/** Throws naming `where` and the time of the first NaN or infinite sample. */
export function assertFinite(signal: Float32Array, sampleRate: number, where: string): void {
  for (let i = 0; i < signal.length; i++) {
    if (!Number.isFinite(signal[i] as number)) {
      throw new InvalidArgumentError(
        where,
        "finite samples",
        `${signal[i]} at sample ${i} (${(i / sampleRate).toFixed(3)} s)`,
      );
    }
  }
}
