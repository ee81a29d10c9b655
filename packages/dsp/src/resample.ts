import { InvalidArgumentError } from "./errors.js";

/** Quality of the band-limited resampler: a Kaiser-windowed sinc. */
export interface ResampleOptions {
  /** Zero crossings of the sinc on each side, at the lower of the two rates; longer = sharper transition. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency. */
  rolloff?: number;
  /** Kaiser window beta; 8.6 gives about 90 dB stop-band attenuation. */
  kaiserBeta?: number;
}

const DEFAULTS: Required<ResampleOptions> = { zeroCrossings: 64, rolloff: 0.945, kaiserBeta: 8.6 };
/** Past this many distinct filter phases the taps are computed per output sample instead of tabulated. */
const MAX_TABULATED_PHASES = 4096;

/**
 * Band-limited resampling from `fromRate` to `toRate` (any rates, rational ratio): each output sample is the
 * input convolved with a Kaiser-windowed sinc low-pass at `rolloff` x the lower Nyquist, so content above the
 * new Nyquist is removed rather than folded back. Output length is ceil(n * toRate / fromRate), as librosa.
 */
export function resample(
  signal: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  for (const [name, rate] of [
    ["fromRate", fromRate],
    ["toRate", toRate],
  ] as const) {
    if (!Number.isInteger(rate) || rate <= 0)
      throw new InvalidArgumentError(`resample(${name})`, "a positive integer", rate);
  }
  if (fromRate === toRate) return signal.slice();
  const { zeroCrossings, rolloff, kaiserBeta } = { ...DEFAULTS, ...options };
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor; // output advances by `down` input samples every `up` outputs
  const down = fromRate / divisor;
  const cutoff = Math.min(1, up / down) * rolloff; // in cycles per input sample x 2 (1 = input Nyquist)
  const halfWidth = Math.ceil(zeroCrossings / cutoff); // taps each side, in input samples
  const taps = 2 * halfWidth;
  const outLength = Math.ceil((signal.length * up) / down);
  const output = new Float32Array(outLength);
  const kernel = (offset: number): number => {
    // offset in input samples from the output instant; the window reaches zero at +-halfWidth.
    const ratio = offset / halfWidth;
    if (ratio <= -1 || ratio >= 1) return 0;
    const x = cutoff * offset;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    return cutoff * sinc * besselI0(kaiserBeta * Math.sqrt(1 - ratio * ratio));
  };
  const norm = 1 / besselI0(kaiserBeta);
  const phaseTable = up <= MAX_TABULATED_PHASES ? new Float64Array(up * taps) : null;
  if (phaseTable) {
    for (let phase = 0; phase < up; phase++) {
      const delta = phase / up;
      for (let k = 0; k < taps; k++) phaseTable[phase * taps + k] = kernel(k - halfWidth + 1 - delta) * norm;
    }
  }
  const scratch = new Float64Array(taps);
  const n = signal.length;
  for (let i = 0; i < outLength; i++) {
    const position = i * down; // in units of 1/up input samples
    const base = Math.floor(position / up);
    const phase = position - base * up;
    let weights: Float64Array = scratch;
    let weightOffset = 0;
    if (phaseTable) {
      weights = phaseTable;
      weightOffset = phase * taps;
    } else {
      const delta = phase / up;
      for (let k = 0; k < taps; k++) scratch[k] = kernel(k - halfWidth + 1 - delta) * norm;
    }
    const first = base - halfWidth + 1;
    const kStart = first < 0 ? -first : 0;
    const kEnd = Math.min(taps, n - first);
    let sum = 0;
    for (let k = kStart; k < kEnd; k++) sum += (weights[weightOffset + k] as number) * (signal[first + k] as number);
    output[i] = sum;
  }
  return output;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
