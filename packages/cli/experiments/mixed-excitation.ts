/**
 * Mixed excitation, one change at a time, heard through copy-synthesis: world's analysis and synthesis with (a)
 * the decoded aperiodicity below the first band flattened towards that band's value when the band is mostly
 * noise (the 0 Hz pin moves from -60 dB to the band's value as the band goes from -6 to 0 dB), so a frame of
 * weak periodicity is synthesised as pulses and noise at every frequency, not pulses below 3 kHz; (b) the same with
 * frames of periodicity >= 0.3 (not 0.5) counted voiced, so weakly periodic frames get that mixed excitation instead
 * of noise alone. WER by pocketsphinx per voice, each variant under noise seeds 0-2, beside the recording.
 *
 *   npx tsx --conditions vox-source experiments/mixed-excitation.ts [voices] [sentences per voice, default 10]
 *
 * voices: demo corpus voices (default all five) and `human` (Debian's pocketsphinx-testdata librivox reader).
 */
import {
  bandAperiodicity,
  decodeAperiodicity,
  f0 as estimateF0,
  melCepstrum,
  melCepstrumToEnvelope,
  type Spectrogram,
  spectralEnvelope,
  synthesizeWorld,
} from "@vox/dsp";
import { compareCopySyntheses, world } from "./copy-synthesis.js";

const { rate, framePeriod, nFft } = world;

/** decodeAperiodicity, with the 0 Hz pin moved towards the first band's value as that band nears 0 dB. */
function decodeMixed(coded: Spectrogram, fftSize: number): Spectrogram {
  const ap = decodeAperiodicity(coded, rate, fftSize);
  const { frames, bins } = ap;
  const centre = 3000;
  for (let t = 0; t < frames; t++) {
    const band = Math.min(0, coded.data[t] as number);
    const w = Math.min(1, Math.max(0, (band + 6) / 6));
    if (w === 0) continue;
    const pin = -60 + (band + 60) * w;
    for (let k = 0; k < bins; k++) {
      const f = (k * rate) / fftSize;
      if (f >= centre) break;
      const db = pin + (band - pin) * (f / centre);
      ap.data[k * frames + t] = 10 ** (db / 20);
    }
  }
  return ap;
}

function resynthesize(signal: Float32Array, threshold: number, mixed: boolean, seed: number): Float32Array {
  const { f0Floor, f0Ceil, mcepOrder, alpha } = world;
  const f0 = estimateF0(signal, rate, { framePeriod, f0Floor, f0Ceil, periodicityThreshold: threshold });
  const envelope = spectralEnvelope(signal, rate, f0, { framePeriod, f0Floor, fftSize: nFft });
  const smooth = melCepstrumToEnvelope(melCepstrum(envelope, mcepOrder, alpha), nFft, alpha);
  const coded = bandAperiodicity(signal, rate, f0, { framePeriod, f0Floor, bands: world.aperiodicityBands });
  const ap = mixed ? decodeMixed(coded, nFft) : decodeAperiodicity(coded, rate, nFft);
  return synthesizeWorld(f0, smooth, ap, { sampleRate: rate, framePeriod, length: signal.length, seed });
}

const variants: [string, number, boolean][] = [
  ["world", 0.5, false],
  ["mixed-ap", 0.5, true],
  ["mixed-ap+voiced0.3", 0.3, true],
];
await compareCopySyntheses(
  "out/mixed-excitation",
  variants.map(([name, threshold, mixed]) => ({
    name,
    resynthesize: (x: Float32Array, seed: number) => resynthesize(x, threshold, mixed, seed),
  })),
);
