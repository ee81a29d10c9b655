/**
 * A low band of its own, heard through copy-synthesis: (a) band aperiodicity coded every 1 kHz (centres 1..7
 * kHz) instead of D4C's 3 kHz bands, so the periodic share below 3 kHz is measured, not interpolated from a pin at
 * 0 Hz; (b) frames counted voiced when the waveform repeats at its period in the whole band or below 1 kHz (F0
 * estimated again on the signal low-passed there, by resampling to 2 kHz and back): a voiced fricative's voice bar;
 * (c) both, so a frame voiced by its low band alone gets pulses where it is periodic and noise where it is not.
 * WER by pocketsphinx per voice, each variant under noise seeds 0-2, beside the recording.
 *
 *   npx tsx --conditions vox-source experiments/low-band-voicing.ts [voices] [sentences per voice, default 10]
 *
 * voices: demo corpus voices (default all five) and `human` (Debian's pocketsphinx-testdata librivox reader).
 */
import {
  bandAperiodicity,
  decodeAperiodicity,
  f0 as estimateF0,
  melCepstrum,
  melCepstrumToEnvelope,
  resample,
  spectralEnvelope,
  synthesizeWorld,
} from "@vox/dsp";
import { compareCopySyntheses, world } from "./copy-synthesis.js";

const { f0Floor, f0Ceil, mcepOrder, alpha, rate, framePeriod, nFft } = world;
const LOW_RATE = 2000;

/** F0 voiced in the whole band, or else below 1 kHz (the low-passed signal's own F0 there). */
function lowBandVoicedF0(signal: Float32Array): Float64Array {
  const whole = estimateF0(signal, rate, { framePeriod, f0Floor, f0Ceil });
  const low = resample(resample(signal, rate, LOW_RATE), LOW_RATE, rate).subarray(0, signal.length);
  const below = estimateF0(low, rate, { framePeriod, f0Floor, f0Ceil: Math.min(f0Ceil, 480) });
  for (let t = 0; t < whole.length; t++) if (!((whole[t] as number) > 0)) whole[t] = below[t] ?? 0;
  return whole;
}

function resynthesize(signal: Float32Array, lowVoiced: boolean, spacing: number, seed: number): Float32Array {
  const f0 = lowVoiced ? lowBandVoicedF0(signal) : estimateF0(signal, rate, { framePeriod, f0Floor, f0Ceil });
  const envelope = spectralEnvelope(signal, rate, f0, { framePeriod, f0Floor, fftSize: nFft });
  const smooth = melCepstrumToEnvelope(melCepstrum(envelope, mcepOrder, alpha), nFft, alpha);
  const bands = Math.floor((rate / 2 - 1) / spacing) - (spacing === 3000 ? 1 : 0);
  const coded = bandAperiodicity(signal, rate, f0, { framePeriod, f0Floor, bands, bandSpacing: spacing });
  const ap = decodeAperiodicity(coded, rate, nFft, spacing);
  return synthesizeWorld(f0, smooth, ap, { sampleRate: rate, framePeriod, length: signal.length, seed });
}

const variants: [string, boolean, number][] = [
  ["world", false, 3000],
  ["ap-1k", false, 1000],
  ["voiced-below-1k", true, 3000],
  ["voiced-below-1k+ap-1k", true, 1000],
];
await compareCopySyntheses(
  "out/low-band-voicing",
  variants.map(([name, lowVoiced, spacing]) => ({
    name,
    resynthesize: (x: Float32Array, seed: number) => resynthesize(x, lowVoiced, spacing, seed),
  })),
);
