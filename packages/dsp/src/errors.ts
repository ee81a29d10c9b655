/** What every vox error says: where the problem is, what was expected, what was found, and what to do. */
export interface ErrorDetail {
  /** A file path, a field (`spec.hop`, `config.generator.bins`), a flag (`--steps`), a speaker, a step. */
  where: string;
  expected: string;
  found: string;
  hint?: string;
}

/**
 * The one base of every vox package's errors (@vox/dsp is the package all others build on), with one constructor
 * shape: `new XError(where, expected, found, hint?)`, whose message reads `where: expected ..., found ...
 * (hint)`. The CLI tells a user's mistake (exit 1, the message alone) from a bug (exit 2) by `instanceof
 * VoxError`, not by the message's wording.
 */
export class VoxError extends Error implements ErrorDetail {
  override name = "VoxError";
  constructor(
    /** A file path, a field, a flag, a speaker, a step: where to look. */
    readonly where: string,
    readonly expected: string,
    readonly found: string,
    /** What to do about it, when there is something obvious. */
    readonly hint?: string,
  ) {
    super(`${where}: expected ${expected}, found ${found}${hint ? ` (${hint})` : ""}`);
  }
}

/** Typed errors of @vox/dsp: a file path, a field name or a function argument, what it should be and what it is. */
export class DspError extends VoxError {
  override name = "DspError";
}

/** A WAV file (or byte buffer) that cannot be decoded: empty, truncated, not RIFF, unsupported encoding. */
export class WavFormatError extends DspError {
  override name = "WavFormatError";
}

/** A function argument or a FeatureSpec field with a value outside its domain (`found` shown as JSON for strings). */
export class InvalidArgumentError extends DspError {
  override name = "InvalidArgumentError";
  constructor(where: string, expected: string, found: unknown) {
    super(where, expected, typeof found === "string" ? JSON.stringify(found) : String(found));
  }
}

/** The `found` of an error that lists every problem of a config or spec: `2 problems: a: ...; b: ...`. */
export function problemList(problems: readonly string[]): string {
  return `${problems.length} problem${problems.length === 1 ? "" : "s"}: ${problems.join("; ")}`;
}

/** Throws InvalidArgumentError unless `value` is an integer in [min, max]. */
export function requireInteger(where: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidArgumentError(where, `an integer ${range}`, value);
  }
  return value;
}

/** Throws InvalidArgumentError unless `value` is a finite number in [min, max]. */
export function requireNumber(where: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(where, `a finite number in [${min}, ${max}]`, value);
  }
  return value;
}
