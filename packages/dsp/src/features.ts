import { dbToPower, dbToUnit, powerToDb, unitToDb } from "./db.js";
import { InvalidArgumentError } from "./errors.js";
import { type FeatureSpec, featureBins, validateFeatureSpec } from "./feature-spec.js";
import { griffinLim } from "./griffin-lim.js";
import { hzToMel, type MelFilterbank, melFilterbank, melToHz } from "./mel.js";
import { melToLinear } from "./mel-inverse.js";
import { renderSpectrogramPng, type SpectrogramAxes } from "./png.js";
import { resample } from "./resample.js";
import type { Spectrogram } from "./spectrogram.js";
import { StftPlan } from "./stft.js";
import type { MonoAudio } from "./wav.js";
import { assertFinite } from "./world/f0.js";
import { melCepstrumToEnvelope } from "./world/mel-cepstrum.js";
import { analyzeWorldFeatures, splitWorldFeatures, synthesizeWorldFeatures } from "./world/world-features.js";

/** Filterbanks and STFT plans are costly to build and reused across calls with the same spec. */
const melCache = new Map<string, MelFilterbank>();
const planCache = new Map<string, StftPlan>();

function specKey(spec: FeatureSpec): string {
  return JSON.stringify(spec);
}

/** The mel filterbank a mel FeatureSpec uses (cached). */
export function specFilterbank(spec: FeatureSpec): MelFilterbank {
  const key = specKey(spec);
  let filterbank = melCache.get(key);
  if (!filterbank) {
    filterbank = melFilterbank({
      sampleRate: spec.sampleRate,
      nFft: spec.nFft,
      nMels: spec.nMels,
      fmin: spec.fmin,
      fmax: spec.fmax,
      scale: spec.melScale,
      norm: spec.melNorm,
    });
    melCache.set(key, filterbank);
  }
  return filterbank;
}

function specPlan(spec: FeatureSpec): StftPlan {
  const key = specKey(spec);
  let plan = planCache.get(key);
  if (!plan) {
    plan = new StftPlan({
      nFft: spec.nFft,
      hop: spec.hop,
      winLength: spec.winLength,
      center: spec.center,
      padMode: spec.padMode,
    });
    planCache.set(key, plan);
  }
  return plan;
}

/**
 * Audio -> features as `spec` describes them: STFT power (or mel power), dB relative to `refAmplitude` with
 * `amin` as the floor, then [0, 1] when `unitScale`. Audio given with another sample rate is resampled first.
 */
export function analyze(audio: Float32Array | MonoAudio, spec: FeatureSpec): Spectrogram {
  validateFeatureSpec(spec);
  let signal = audio instanceof Float32Array ? audio : audio.samples;
  if (!(audio instanceof Float32Array) && audio.sampleRate !== spec.sampleRate) {
    signal = resample(signal, audio.sampleRate, spec.sampleRate);
  }
  if (signal.length === 0) throw new InvalidArgumentError("analyze(audio)", "at least one sample", 0);
  assertFinite(signal, spec.sampleRate, "analyze(audio)");
  if (spec.kind === "world") return analyzeWorldFeatures(signal, spec);
  const plan = specPlan(spec);
  const power =
    spec.kind === "mel"
      ? plan.filteredPower(signal, specFilterbank(spec))
      : plan.magnitude(signal, 2, featureBins(spec));
  const db = powerToDb(power.data, { ref: spec.refAmplitude ** 2, amin: spec.amin ** 2, topDb: null });
  return { data: spec.unitScale ? dbToUnit(db, spec.floorDb) : db, bins: power.bins, frames: power.frames };
}

export interface SynthesizeOptions {
  /** Overrides spec.griffinLim.nIter. */
  nIter?: number;
  /** Overrides spec.griffinLim.momentum. */
  momentum?: number;
  /** Seed of Griffin-Lim's random initial phase. Default 0. */
  seed?: number;
  /** Output length in samples. */
  length?: number;
  onIteration?: (iteration: number, spectralConvergence: number) => void;
}

/**
 * Features -> audio: undo the scaling to get power, invert the mel filterbank (non-negative least squares)
 * for mel specs, put back a dropped Nyquist row, and recover phase with Griffin-Lim; world specs go through the
 * source-filter vocoder instead (Griffin-Lim options do not apply; `seed` seeds its noise).
 */
export function synthesize(features: Spectrogram, spec: FeatureSpec, options: SynthesizeOptions = {}): Float32Array {
  validateFeatureSpec(spec);
  const bins = featureBins(spec);
  if (features.bins !== bins) {
    throw new InvalidArgumentError("synthesize(features.bins)", `${bins} rows for this FeatureSpec`, features.bins);
  }
  if (features.frames < 1 || features.data.length !== bins * features.frames) {
    throw new InvalidArgumentError("synthesize(features)", `${bins} x frames values`, features.data.length);
  }
  if (spec.kind === "world") {
    return synthesizeWorldFeatures(features, spec, {
      seed: options.seed ?? 0,
      ...(options.length !== undefined ? { length: options.length } : {}),
    });
  }
  const db = spec.unitScale ? unitToDb(features.data, spec.floorDb) : features.data;
  const power = dbToPower(db, spec.refAmplitude ** 2);
  const plan = specPlan(spec);
  let magnitude: Spectrogram;
  if (spec.kind === "mel") {
    magnitude = melToLinear({ data: power, bins, frames: features.frames }, specFilterbank(spec), { power: 2 });
  } else {
    const rows = plan.bins;
    const data = new Float32Array(rows * features.frames); // a dropped Nyquist row stays zero
    for (let i = 0; i < power.length; i++) data[i] = Math.sqrt(power[i] as number);
    magnitude = { data, bins: rows, frames: features.frames };
  }
  return griffinLim(magnitude, {
    nFft: spec.nFft,
    hop: spec.hop,
    winLength: spec.winLength,
    center: spec.center,
    padMode: spec.padMode,
    nIter: options.nIter ?? spec.griffinLim.nIter,
    momentum: options.momentum ?? spec.griffinLim.momentum,
    seed: options.seed ?? 0,
    ...(options.length !== undefined ? { length: options.length } : {}),
    ...(options.onIteration ? { onIteration: options.onIteration } : {}),
  });
}

/**
 * Features as a picture of the spectrum, for PNGs and reports: linear and mel features as they are (on their
 * scale), world features as the spectral envelope from the mel-cepstrum in dB (floored at -100 dB). `axes` gives
 * each frame's time and each row's frequency; `toDb` maps a value to dB (unit-scale features).
 */
export function spectrogramOfFeatures(
  features: Spectrogram,
  spec: FeatureSpec,
): { spectrogram: Spectrogram; min: number; max: number; axes: SpectrogramAxes; toDb: (value: number) => number } {
  const secondsPerFrame = spec.hop / spec.sampleRate;
  const linearRows: SpectrogramAxes = { secondsPerFrame, hertzOfRow: (row) => (row * spec.sampleRate) / spec.nFft };
  if (spec.kind !== "world") {
    let axes = linearRows;
    if (spec.kind === "mel") {
      // Band k's centre: librosa's mel_frequencies(nMels + 2, fmin, fmax)[k + 1].
      const low = hzToMel(spec.fmin, spec.melScale);
      const high = hzToMel(spec.fmax, spec.melScale);
      const centre = (row: number) => melToHz(low + ((row + 1) * (high - low)) / (spec.nMels + 1), spec.melScale);
      axes = { secondsPerFrame, hertzOfRow: centre };
    }
    return {
      spectrogram: features,
      min: spec.unitScale ? 0 : spec.floorDb,
      max: spec.unitScale ? 1 : 0,
      axes,
      toDb: spec.unitScale ? (value) => spec.floorDb * (1 - value) : (value) => value,
    };
  }
  const world = spec.world as NonNullable<FeatureSpec["world"]>;
  const envelope = melCepstrumToEnvelope(splitWorldFeatures(features, spec).mcep, spec.nFft, world.alpha);
  const data = new Float32Array(envelope.data.length);
  let max = -100;
  for (let i = 0; i < data.length; i++) {
    const db = 10 * Math.log10(Math.max(1e-10, envelope.data[i] as number));
    data[i] = db;
    if (db > max) max = db;
  }
  return {
    spectrogram: { data, bins: envelope.bins, frames: envelope.frames },
    min: max - 80,
    max,
    axes: linearRows,
    toDb: (value) => value,
  };
}

/**
 * A PNG of features sized for reading: the picture of {@link spectrogramOfFeatures} with time and frequency
 * axes and a dB colour bar, each row drawn about 256 / rows pixels tall (at least 1, at most 4), each frame 2
 * pixels wide up to 400 frames.
 */
export function featuresPng(features: Spectrogram, spec: FeatureSpec): Uint8Array {
  const { spectrogram, min, max, axes, toDb } = spectrogramOfFeatures(features, spec);
  return renderSpectrogramPng(spectrogram, {
    min,
    max,
    axes,
    colorBar: { unit: "dB", toLabel: toDb },
    pixelsPerBin: Math.min(4, Math.max(1, Math.round(256 / spectrogram.bins))),
    pixelsPerFrame: spectrogram.frames <= 400 ? 2 : 1,
  });
}
