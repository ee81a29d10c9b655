import { DspError, problemList } from "./errors.js";
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
  kind: "linear" | "mel" | "world";
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
  /** Griffin-Lim settings used by `synthesize` (linear and mel). */
  griffinLim: { nIter: number; momentum: number };
  /**
   * world only: the source-filter analysis. The frame period is `hop` samples, the envelope FFT size `nFft`;
   * features are mcepOrder + 1 mel-cepstral rows, one log-F0 row (ln Hz, 0 unvoiced) and aperiodicityBands rows
   * of band aperiodicity (dB, 0 = noise). `refAmplitude`, `amin`, `floorDb` and `unitScale` do not apply.
   */
  world?: WorldFeatureParameters;
}

/** The parameters of a FeatureSpec of kind "world". */
export interface WorldFeatureParameters {
  /** F0 search range, Hz. */
  f0Floor: number;
  f0Ceil: number;
  /** Mel-cepstrum order (order + 1 coefficients, c0 included). */
  mcepOrder: number;
  /** All-pass constant of the mel-cepstrum (0.42 at 16 kHz). */
  alpha: number;
  /** Band aperiodicities, centres 3 kHz apart (1 at 16 kHz). */
  aperiodicityBands: number;
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

/**
 * WORLD-style source-filter features as the StarGAN-VC papers use them, at 16 kHz with a 5 ms frame period (hop
 * 80): 36 mel-cepstral coefficients (order 35, alpha 0.42) of the CheapTrick envelope (n_fft 1024), log F0 from
 * DIO + StoneMask (71-800 Hz), one D4C band aperiodicity; 38 rows.
 */
export const worldFeatureSpec: FeatureSpec = Object.freeze({
  version: 1,
  sampleRate: 16000,
  nFft: 1024,
  hop: 80,
  winLength: 1024,
  window: "hann",
  center: true,
  padMode: "constant",
  kind: "world",
  dropNyquist: false,
  nMels: 0,
  fmin: 0,
  fmax: 8000,
  melScale: "slaney",
  melNorm: "slaney",
  refAmplitude: 1,
  amin: 1e-5,
  floorDb: -100,
  unitScale: false,
  griffinLim: Object.freeze({ nIter: 0, momentum: 0 }),
  world: Object.freeze({ f0Floor: 71, f0Ceil: 800, mcepOrder: 35, alpha: 0.42, aperiodicityBands: 1 }),
}) as FeatureSpec;

/** Named FeatureSpecs, the names the CLI accepts. */
export const featureSpecs: Readonly<Record<"seed" | "mel80" | "world", FeatureSpec>> = Object.freeze({
  seed: seedFeatureSpec,
  mel80: mel80FeatureSpec,
  world: worldFeatureSpec,
});

/** Where each part of a "world" feature matrix lies: rows [mcep, mcep + mcepRows), logF0, [aperiodicity, ...). */
export interface WorldFeatureLayout {
  mcep: number;
  mcepRows: number;
  logF0: number;
  aperiodicity: number;
  aperiodicityRows: number;
  rows: number;
}

export function worldFeatureLayout(spec: FeatureSpec): WorldFeatureLayout {
  const world = spec.world;
  if (spec.kind !== "world" || !world) {
    throw new FeatureSpecError("spec.kind", `"world"`, JSON.stringify(spec.kind));
  }
  const mcepRows = world.mcepOrder + 1;
  return {
    mcep: 0,
    mcepRows,
    logF0: mcepRows,
    aperiodicity: mcepRows + 1,
    aperiodicityRows: world.aperiodicityBands,
    rows: mcepRows + 1 + world.aperiodicityBands,
  };
}

/** A FeatureSpec that failed validation; `field` names the first wrong field, e.g. `spec.hop`. */
export class FeatureSpecError extends DspError {
  override name = "FeatureSpecError";
}

/** Rows of the features this spec produces. */
export function featureBins(spec: FeatureSpec): number {
  if (spec.kind === "mel") return spec.nMels;
  if (spec.kind === "world") return worldFeatureLayout(spec).rows;
  return spec.nFft / 2 + (spec.dropNyquist ? 0 : 1);
}

/** Seconds of audio covered by `frames` frames (the last frame's centre). */
/**
 * The feature value of digital silence under `spec` (what analyze() gives for all-zero audio): the amin floor in
 * dB, or its unit-scale image. Padding a crop with this, not with 0 of some scale, keeps padding silent.
 */
export function silenceValue(spec: FeatureSpec): number {
  if (spec.kind === "world") return 0;
  const db = 20 * Math.log10(spec.amin) - 20 * Math.log10(spec.refAmplitude);
  if (!spec.unitScale) return db;
  return Math.min(1, Math.max(0, (db - spec.floorDb) / -spec.floorDb));
}

/**
 * The feature column of digital silence under `spec`, row by row: silenceValue in every row for linear and mel;
 * for world, the envelope floor in c0 (ln(1e-16) / 2), zeros in the other cepstral rows, log F0 0 (unvoiced) and
 * aperiodicity 0 dB (noise).
 */
export function silenceFrame(spec: FeatureSpec): Float32Array {
  const rows = featureBins(spec);
  if (spec.kind !== "world") return new Float32Array(rows).fill(silenceValue(spec));
  const frame = new Float32Array(rows);
  frame[worldFeatureLayout(spec).mcep] = Math.log(WORLD_POWER_FLOOR) / 2;
  return frame;
}

/** The power floor of world envelopes (what digital silence analyses to). */
export const WORLD_POWER_FLOOR = 1e-16;

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
    throw new FeatureSpecError(source, "a FeatureSpec object", describe(value));
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
  oneOf("kind", ["linear", "mel", "world"]);
  oneOf("dropNyquist", [true, false]);
  const nyquist = typeof v.sampleRate === "number" ? v.sampleRate / 2 : Infinity;
  if (v.kind === "mel") {
    integer("nMels", 1, nFft ? nFft / 2 + 1 : 65536);
    number("fmin", 0, nyquist);
    number("fmax", typeof v.fmin === "number" ? v.fmin : 0, nyquist, true);
    oneOf("melScale", ["slaney", "htk"]);
    oneOf("melNorm", ["slaney", "none"]);
    if (v.dropNyquist === true) problems.push(`${field("dropNyquist")}: expected false for kind "mel", found true`);
  } else if (v.kind === "world") {
    integer("nMels", 0);
    number("fmin", 0, nyquist);
    number("fmax", 0, nyquist);
    oneOf("melScale", ["slaney", "htk"]);
    oneOf("melNorm", ["slaney", "none"]);
    if (v.unitScale === true) problems.push(`${field("unitScale")}: expected false for kind "world", found true`);
    const w = v.world as Record<string, unknown> | undefined;
    if (typeof w !== "object" || w === null || Array.isArray(w)) {
      problems.push(
        `${field("world")}: expected { f0Floor, f0Ceil, mcepOrder, alpha, aperiodicityBands }, found ${describe(w)}`,
      );
    } else {
      const rate = typeof v.sampleRate === "number" ? v.sampleRate : 16000;
      const sub = (name: string, ok: boolean, expected: string) => {
        if (!ok) problems.push(`${field(`world.${name}`)}: expected ${expected}, found ${describe(w[name])}`);
      };
      const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
      sub("f0Floor", num(w.f0Floor) && w.f0Floor >= 10 && w.f0Floor <= rate / 4, `a number in [10, ${rate / 4}] Hz`);
      sub(
        "f0Ceil",
        num(w.f0Ceil) && num(w.f0Floor) && w.f0Ceil > w.f0Floor && w.f0Ceil <= 1000,
        "a number above f0Floor, at most 1000 Hz (DIO searches at 4 kHz)",
      );
      const maxOrder = typeof v.nFft === "number" ? v.nFft / 2 - 1 : 255;
      sub(
        "mcepOrder",
        Number.isInteger(w.mcepOrder) && (w.mcepOrder as number) >= 1 && (w.mcepOrder as number) <= maxOrder,
        `an integer in [1, ${maxOrder}]`,
      );
      sub("alpha", num(w.alpha) && w.alpha > -1 && w.alpha < 1, "a number in (-1, 1)");
      const maxBands = Math.floor((rate / 2 - 1) / 3000);
      sub(
        "aperiodicityBands",
        Number.isInteger(w.aperiodicityBands) &&
          (w.aperiodicityBands as number) >= 1 &&
          (w.aperiodicityBands as number) <= maxBands,
        `an integer in [1, ${maxBands}] (band centres 3 kHz apart, below Nyquist)`,
      );
      const minFft = typeof w.f0Floor === "number" ? Math.ceil((3 * rate) / w.f0Floor) : 0;
      if (typeof v.nFft === "number" && v.nFft < minFft) {
        problems.push(
          `${field("nFft")}: expected at least 3 x sampleRate / world.f0Floor = ${minFft}, found ${v.nFft}`,
        );
      }
      for (const key of Object.keys(w)) {
        if (!["f0Floor", "f0Ceil", "mcepOrder", "alpha", "aperiodicityBands"].includes(key)) {
          problems.push(`${field(`world.${key}`)}: unknown field`);
        }
      }
    }
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
  if (v.kind !== "world" && v.world !== undefined) {
    problems.push(`${field("world")}: expected no world parameters for kind ${JSON.stringify(v.kind)}`);
  }
  const known = new Set([...Object.keys(seedFeatureSpec), "world"]);
  for (const key of Object.keys(v)) if (!known.has(key)) problems.push(`${field(key)}: unknown field`);
  if (problems.length > 0) {
    const firstField = problems[0]?.split(":")[0] ?? source;
    throw new FeatureSpecError(firstField, "a valid FeatureSpec", problemList(problems));
  }
  const spec = { ...(v as unknown as FeatureSpec), griffinLim: { ...(gl as FeatureSpec["griffinLim"]) } };
  if (spec.world) spec.world = { ...spec.world };
  return spec;
}

/** Parses and validates FeatureSpec JSON; `source` (a file path) names where it came from in errors. */
export function parseFeatureSpec(json: string, source = "spec"): FeatureSpec {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new FeatureSpecError(source, "FeatureSpec JSON", `unparsable text (${(error as Error).message})`);
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
      throw new FeatureSpecError(`${where}.${key}`, expectedText, foundText);
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
  return String(value);
}
