import { type FeatureSpec, worldFeatureLayout } from "../feature-spec.js";
import { UNVOICED_LOG_F0 } from "../feature-statistics.js";
import type { Spectrogram } from "../spectrogram.js";
import { synthesizeWorldParameters } from "./analysis.js";
import { bandAperiodicity } from "./aperiodicity.js";
import { spectralEnvelope } from "./envelope.js";
import { assertFinite, f0 as estimateF0 } from "./f0.js";
import { melCepstrum, melCepstrumToEnvelope } from "./mel-cepstrum.js";

/** Milliseconds between frames of a world spec (its hop). */
export function framePeriodOf(spec: FeatureSpec): number {
  return (1000 * spec.hop) / spec.sampleRate;
}

/**
 * Audio (at spec.sampleRate) -> the rows of a "world" FeatureSpec: F0 (DIO + StoneMask), CheapTrick envelope ->
 * mel-cepstrum c0..c(order), ln F0 (0 where unvoiced), D4C band aperiodicity in dB.
 */
export function analyzeWorldFeatures(signal: Float32Array, spec: FeatureSpec): Spectrogram {
  const layout = worldFeatureLayout(spec);
  const world = spec.world as NonNullable<FeatureSpec["world"]>;
  assertFinite(signal, spec.sampleRate, "analyze(audio)");
  const framePeriod = framePeriodOf(spec);
  const { f0Floor, f0Ceil } = world;
  const contour = estimateF0(signal, spec.sampleRate, { framePeriod, f0Floor, f0Ceil });
  const envelope = spectralEnvelope(signal, spec.sampleRate, contour, { framePeriod, f0Floor, fftSize: spec.nFft });
  const mcep = melCepstrum(envelope, world.mcepOrder, world.alpha);
  const coded = bandAperiodicity(signal, spec.sampleRate, contour, {
    framePeriod,
    f0Floor,
    bands: world.aperiodicityBands,
  });
  const frames = contour.length;
  const data = new Float32Array(layout.rows * frames);
  data.set(mcep.data, layout.mcep * frames);
  for (let t = 0; t < frames; t++) {
    const v = contour[t] as number;
    data[layout.logF0 * frames + t] = v > 0 ? Math.log(v) : 0;
  }
  data.set(coded.data, layout.aperiodicity * frames);
  return { data, bins: layout.rows, frames };
}

/** The parts of a world feature matrix: F0 in Hz (0 unvoiced), mel-cepstrum rows, band aperiodicity rows (dB). */
export function splitWorldFeatures(
  features: Spectrogram,
  spec: FeatureSpec,
): { f0: Float64Array; mcep: Spectrogram; bandAperiodicity: Spectrogram } {
  const layout = worldFeatureLayout(spec);
  const { frames } = features;
  const f0 = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const v = features.data[layout.logF0 * frames + t] as number;
    // Anything near 0 (a converted or padded frame) is unvoiced.
    f0[t] = v > UNVOICED_LOG_F0 ? Math.exp(v) : 0;
  }
  const rows = (start: number, count: number): Spectrogram => ({
    data: features.data.slice(start * frames, (start + count) * frames),
    bins: count,
    frames,
  });
  return {
    f0,
    mcep: rows(layout.mcep, layout.mcepRows),
    bandAperiodicity: rows(layout.aperiodicity, layout.aperiodicityRows),
  };
}

/** The rows of a world FeatureSpec -> audio: envelope from the mel-cepstrum, aperiodicity decoded, WORLD synthesis. */
export function synthesizeWorldFeatures(
  features: Spectrogram,
  spec: FeatureSpec,
  options: { length?: number; seed?: number } = {},
): Float32Array {
  const world = spec.world as NonNullable<FeatureSpec["world"]>;
  const parts = splitWorldFeatures(features, spec);
  return synthesizeWorldParameters(
    {
      sampleRate: spec.sampleRate,
      framePeriod: framePeriodOf(spec),
      f0: parts.f0,
      envelope: melCepstrumToEnvelope(parts.mcep, spec.nFft, world.alpha),
      bandAperiodicity: parts.bandAperiodicity,
    },
    options,
  );
}
