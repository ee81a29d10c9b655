/** What an error says beyond its message: where the problem is, what was expected, what was found, what to do. */
export interface ErrorDetail {
  /** A file path, a field (`spec.hop`, `config.generator.bins`), a flag (`--steps`), a speaker, a step. */
  where: string;
  expected?: string;
  found?: string;
  hint?: string;
}

/**
 * The one base of every vox package's errors (@vox/dsp is the package all others build on): each says where,
 * what was expected and what was found, so the CLI tells a user's mistake (exit 1, the message alone) from a
 * bug (exit 2) by `instanceof VoxError`, not by the message's wording.
 */
export class VoxError extends Error {
  override name = "VoxError";
  readonly where: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;
  constructor(message: string, detail: ErrorDetail) {
    super(message);
    this.where = detail.where;
    if (detail.expected !== undefined) this.expected = detail.expected;
    if (detail.found !== undefined) this.found = detail.found;
    if (detail.hint !== undefined) this.hint = detail.hint;
  }
}

/**
 * Typed errors of @vox/dsp. Each says what was expected, what was found, and where (a file path, a field name
 * or a function argument), so a researcher can fix the input without reading our source.
 */
export class DspError extends VoxError {
  override name = "DspError";
  constructor(
    message: string,
    /** Where the problem is: a file path, `spec.nFft`, `stft(options.hop)`, ... */
    where: string,
    expected?: string,
    found?: string,
  ) {
    super(message, { where, expected, found });
  }
}

/** A WAV file (or byte buffer) that cannot be decoded: empty, truncated, not RIFF, unsupported encoding. */
export class WavFormatError extends DspError {
  override name = "WavFormatError";
  constructor(where: string, expected: string, found: string) {
    super(`${where}: expected ${expected}, found ${found}`, where, expected, found);
  }
}

/** A function argument or a FeatureSpec field with a value outside its domain. */
export class InvalidArgumentError extends DspError {
  override name = "InvalidArgumentError";
  constructor(where: string, expected: string, found: unknown) {
    const shown = typeof found === "string" ? JSON.stringify(found) : String(found);
    super(`${where}: expected ${expected}, found ${shown}`, where, expected, shown);
  }
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
