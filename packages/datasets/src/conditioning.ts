/**
 * Signal conditioning before analysis: silence trimming and loudness normalisation. Both are plain functions on
 * samples so they can be tested on their own and run inside worker threads.
 */

export interface TrimOptions {
  /** Frames quieter than the loudest frame by more than this many dB are silence (librosa's `top_db`). Default 40. */
  topDb?: number;
  frameLength?: number;
  hop?: number;
}

/**
 * [start, end) of the signal without its leading and trailing silence, on frame boundaries as librosa.effects.trim
 * finds them (RMS per frame relative to the loudest frame). Returns [0, 0] for digital silence.
 */
export function nonSilentRange(signal: Float32Array, options: TrimOptions = {}): [number, number] {
  const topDb = options.topDb ?? 40;
  const frameLength = options.frameLength ?? 1024;
  const hop = options.hop ?? 256;
  const frames = Math.max(1, Math.ceil(signal.length / hop));
  // Prefix sums of squares make each frame's energy O(1): the whole pass is O(samples), not O(samples x frame).
  const cumulative = new Float64Array(signal.length + 1);
  for (let i = 0; i < signal.length; i++)
    cumulative[i + 1] = (cumulative[i] ?? 0) + (signal[i] ?? 0) * (signal[i] ?? 0);
  const energy = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    // Centred frames, like librosa's rms(center=True), zero beyond the edges.
    const from = Math.max(0, f * hop - (frameLength >> 1));
    const to = Math.min(signal.length, f * hop + (frameLength >> 1));
    energy[f] = ((cumulative[to] ?? 0) - (cumulative[from] ?? 0)) / frameLength;
    if ((energy[f] ?? 0) > peak) peak = energy[f] ?? 0;
  }
  if (peak <= 0) return [0, 0];
  const threshold = peak * 10 ** (-topDb / 10);
  let first = -1;
  let last = -1;
  for (let f = 0; f < frames; f++) {
    if ((energy[f] ?? 0) > threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  return [first * hop, Math.min(signal.length, (last + 1) * hop)];
}

export interface LoudnessOptions {
  /** Target RMS level in dBFS (of the whole, already trimmed signal). Default -23. */
  targetDb?: number;
  /** Highest sample peak after the gain; the gain is lowered to keep it. Default 0.95. */
  peakLimit?: number;
}

/**
 * The gain that brings the signal's RMS to `targetDb` dBFS without letting its peak pass `peakLimit`. RMS, not
 * LUFS: the corpora are clean read speech, where the two differ by a near-constant offset.
 */
export function loudnessGain(signal: Float32Array, options: LoudnessOptions = {}): number {
  const targetDb = options.targetDb ?? -23;
  const peakLimit = options.peakLimit ?? 0.95;
  const peak = samplePeak(signal);
  if (peak === 0) return 1;
  let sum = 0;
  for (const v of signal) sum += v * v;
  const rms = Math.sqrt(sum / signal.length);
  return Math.min(10 ** (targetDb / 20) / rms, peakLimit / peak);
}

/**
 * Below this sample peak a recording is near-silence (dither, a muted input), not speech: -70 dBFS, about 10 steps
 * of 16-bit audio. Loudness normalisation would otherwise lift it into loud noise; a quiet but real recording
 * (speech at -50 dBFS) is far above it.
 */
export const audiblePeakDbfs = -70;

/** The largest absolute sample. */
function samplePeak(signal: Float32Array): number {
  let peak = 0;
  for (const v of signal) {
    const a = Math.abs(v);
    if (a > peak) peak = a;
  }
  return peak;
}

/** The sample peak of a signal in dBFS (-Infinity for digital silence). */
export function peakDbfs(signal: Float32Array): number {
  return 20 * Math.log10(samplePeak(signal));
}
