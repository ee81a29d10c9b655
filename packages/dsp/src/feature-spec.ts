import { DspError } from "./errors.js";
import type { MelNorm, MelScale } from "./mel.js";
import type { PadMode } from "./stft.js";

/**
 * Every feature parameter in one typed object, written next to every feature cache and every saved model and
 * read back by conversion and evaluation, so training features and the vocoder can never silently disagree.
 *
 * Feature value of bin f at frame t: dB = 10 log10(max(amin^2, P)) - 20 log10(refAmplitude), where P is the
 * STFT power (linear) or the mel-filtered power (mel); then, with `unitScale`, clip((dB - floorDb) / -floorDb, 0, 1).
 */
export interface FeatureSpec {
  version: 1;
  /** Samples per second the features assume; audio at other rates is resampled first. */
  sampleRate: number;
  /** FFT size, a power of two. */
  nFft: number;
  hop: number;
  winLength: number;
  window: "hann";
  center: boolean;
  padMode: PadMode;
  kind: "linear" | "mel";
  /** linear only: drop the Nyquist row (nFft/2 bins instead of nFft/2 + 1); a zero row goes back before inversion. */
  dropNyquist: boolean;
  /** mel only. */
  nMels: number;
  fmin: number;
  fmax: number;
  melScale: MelScale;
  melNorm: MelNorm;
  /** STFT magnitude that maps to 0 dB; 128 = a full-scale sine through a periodic Hann window of 512. */
  refAmplitude: number;
  /** Amplitude floor before the logarithm; also the quietest representable value. */
  amin: number;
  /** dB that maps to 0 on the unit scale (and below which everything is silence). */
  floorDb: number;
  /** Map dB to [0, 1] (true) or keep dB (false). */
  unitScale: boolean;
  /** Griffin-Lim settings used by `synthesize`. */
  griffinLim: { nIter: number; momentum: number };
}

/**
 * The seed experiment's spectrogram (record 31f31449): 256 linear bins (n_fft 512, Nyquist dropped) x frames,
 * 16 kHz, hop 128 (256 frames = 2.05 s), [0, 1] = clip((dB + 100) / 100, 0, 1) with dB relative to a full-scale sine.
 */
export const seedFeatureSpec: FeatureSpec = Object.freeze({
  version: 1,
  sampleRate: 16000,
  nFft: 512,
  hop: 128,
  winLength: 512,
  window: "hann",
  center: true,
  padMode: "constant",
  kind: "linear",
  dropNyquist: true,
  nMels: 0,
  fmin: 0,
  fmax: 8000,
  melScale: "slaney",
  melNorm: "slaney",
  refAmplitude: 128,
  amin: 1e-5,
  floorDb: -100,
  unitScale: true,
  griffinLim: Object.freeze({ nIter: 32, momentum: 0.99 }),
}) as FeatureSpec;

/** 80-band log-mel at 16 kHz, n_fft 1024, hop 128, 80-7600 Hz (the official StarGAN-VC range), [0, 1] scaled. */
export const mel80FeatureSpec: FeatureSpec = Object.freeze({
  version: 1,
  sampleRate: 16000,
  nFft: 1024,
  hop: 128,
  winLength: 1024,
  window: "hann",
  center: true,
  padMode: "constant",
  kind: "mel",
  dropNyquist: false,
  nMels: 80,
  fmin: 80,
  fmax: 7600,
  melScale: "slaney",
  melNorm: "slaney",
  refAmplitude: 256,
  amin: 1e-5,
  floorDb: -100,
  unitScale: true,
  griffinLim: Object.freeze({ nIter: 32, momentum: 0.99 }),
}) as FeatureSpec;

/** Named FeatureSpecs, the names the CLI accepts. */
export const featureSpecs: Readonly<Record<"seed" | "mel80", FeatureSpec>> = Object.freeze({
  seed: seedFeatureSpec,
  mel80: mel80FeatureSpec,
});

/** A FeatureSpec that failed validation; `field` names the first wrong field, e.g. `spec.hop`. */
export class FeatureSpecError extends DspError {
  override name = "FeatureSpecError";
}

/** Rows of the features this spec produces. */
export function featureBins(spec: FeatureSpec): number {
  if (spec.kind === "mel") return spec.nMels;
  return spec.nFft / 2 + (spec.dropNyquist ? 0 : 1);
}

/** Seconds of audio covered by `frames` frames (the last frame's centre). */
/**
 * The feature value of digital silence under `spec` (what analyze() gives for all-zero audio): the amin floor in
 * dB, or its unit-scale image. Padding a crop with this, not with 0 of some scale, keeps padding silent.
 */
export function silenceValue(spec: FeatureSpec): number {
  const db = 20 * Math.log10(spec.amin) - 20 * Math.log10(spec.refAmplitude);
  if (!spec.unitScale) return db;
  return Math.min(1, Math.max(0, (db - spec.floorDb) / -spec.floorDb));
}

export function framesToSeconds(spec: FeatureSpec, frames: number): number {
  return ((frames - 1) * spec.hop) / spec.sampleRate;
}

/**
 * Checks an unknown value (parsed JSON, a user's object) field by field and returns it as a FeatureSpec.
 * Every problem is reported, each naming its field; `source` names the file it came from.
 */
export function validateFeatureSpec(value: unknown, source = "spec"): FeatureSpec {
  const problems: string[] = [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FeatureSpecError(`${source}: expected a FeatureSpec object, found ${describe(value)}`, source);
  }
  const v = value as Record<string, unknown>;
  const field = (name: string) => `${source}.${name}`;
  const integer = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const x = v[name];
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) {
      problems.push(
        `${field(name)}: expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? "inf" : max}], found ${describe(x)}`,
      );
    }
  };
  const number = (name: string, min: number, max: number, exclusiveMin = false) => {
    const x = v[name];
    if (typeof x !== "number" || !Number.isFinite(x) || (exclusiveMin ? x <= min : x < min) || x > max) {
      problems.push(
        `${field(name)}: expected a number in ${exclusiveMin ? "(" : "["}${min}, ${max}], found ${describe(x)}`,
      );
    }
  };
  const oneOf = (name: string, options: readonly unknown[]) => {
    if (!options.includes(v[name])) {
      problems.push(
        `${field(name)}: expected one of ${options.map((o) => JSON.stringify(o)).join(", ")}, found ${describe(v[name])}`,
      );
    }
  };
  oneOf("version", [1]);
  integer("sampleRate", 1000, 384000);
  integer("nFft", 16, 65536);
  if (typeof v.nFft === "number" && Number.isInteger(v.nFft) && (v.nFft & (v.nFft - 1)) !== 0) {
    problems.push(`${field("nFft")}: expected a power of two (fft.js), found ${v.nFft}`);
  }
  const nFft = typeof v.nFft === "number" ? v.nFft : 0;
  integer("winLength", 1, nFft || 65536);
  integer("hop", 1, typeof v.winLength === "number" ? v.winLength : 65536);
  oneOf("window", ["hann"]);
  oneOf("center", [true, false]);
  oneOf("padMode", ["constant", "reflect"]);
  oneOf("kind", ["linear", "mel"]);
  oneOf("dropNyquist", [true, false]);
  const nyquist = typeof v.sampleRate === "number" ? v.sampleRate / 2 : Infinity;
  if (v.kind === "mel") {
    integer("nMels", 1, nFft ? nFft / 2 + 1 : 65536);
    number("fmin", 0, nyquist);
    number("fmax", typeof v.fmin === "number" ? v.fmin : 0, nyquist, true);
    oneOf("melScale", ["slaney", "htk"]);
    oneOf("melNorm", ["slaney", "none"]);
    if (v.dropNyquist === true) problems.push(`${field("dropNyquist")}: expected false for kind "mel", found true`);
  } else {
    integer("nMels", 0);
    number("fmin", 0, nyquist);
    number("fmax", 0, nyquist);
    oneOf("melScale", ["slaney", "htk"]);
    oneOf("melNorm", ["slaney", "none"]);
  }
  number("refAmplitude", 0, Number.MAX_VALUE, true);
  number("amin", 0, 1, true);
  number("floorDb", -400, 0, false);
  if (v.floorDb === 0) problems.push(`${field("floorDb")}: expected a negative number of dB, found 0`);
  oneOf("unitScale", [true, false]);
  const gl = v.griffinLim as Record<string, unknown> | undefined;
  if (typeof gl !== "object" || gl === null) {
    problems.push(`${field("griffinLim")}: expected { nIter, momentum }, found ${describe(gl)}`);
  } else {
    if (typeof gl.nIter !== "number" || !Number.isInteger(gl.nIter) || gl.nIter < 0) {
      problems.push(`${field("griffinLim.nIter")}: expected an integer >= 0, found ${describe(gl.nIter)}`);
    }
    if (typeof gl.momentum !== "number" || !(gl.momentum >= 0)) {
      problems.push(`${field("griffinLim.momentum")}: expected a number >= 0, found ${describe(gl.momentum)}`);
    }
  }
  const known = new Set(Object.keys(seedFeatureSpec));
  for (const key of Object.keys(v)) if (!known.has(key)) problems.push(`${field(key)}: unknown field`);
  if (problems.length > 0) {
    const firstField = problems[0]?.split(":")[0] ?? source;
    throw new FeatureSpecError(`invalid FeatureSpec: ${problems.join("; ")}`, firstField);
  }
  return { ...(v as unknown as FeatureSpec), griffinLim: { ...(gl as FeatureSpec["griffinLim"]) } };
}

/** Parses and validates FeatureSpec JSON; `source` (a file path) names where it came from in errors. */
export function parseFeatureSpec(json: string, source = "spec"): FeatureSpec {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new FeatureSpecError(
      `${source}: expected FeatureSpec JSON, found unparsable text (${(error as Error).message})`,
      source,
    );
  }
  return validateFeatureSpec(value, source);
}

/** JSON text of a spec (validated first, so a bad spec is never written). */
export function serializeFeatureSpec(spec: FeatureSpec): string {
  return `${JSON.stringify(validateFeatureSpec(spec), null, 2)}\n`;
}

/**
 * Throws naming the first field where `found` differs from `expected` (e.g. the spec a model was trained on vs
 * the spec of the features fed to it): a mismatch is an error, never silence.
 */
export function assertSameFeatureSpec(expected: FeatureSpec, found: FeatureSpec, where = "spec"): void {
  const a = JSON.parse(JSON.stringify(expected)) as Record<string, unknown>;
  const b = JSON.parse(JSON.stringify(found)) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      const expectedText = JSON.stringify(a[key]) ?? "nothing";
      const foundText = JSON.stringify(b[key]) ?? "nothing";
      throw new FeatureSpecError(
        `${where}.${key}: expected ${expectedText}, found ${foundText}`,
        `${where}.${key}`,
        expectedText,
        foundText,
      );
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
  return String(value);
}
