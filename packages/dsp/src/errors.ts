/**
 * Typed errors of @vox/dsp. Each says what was expected, what was found, and where (a file path, a field name
 * or a function argument), so a researcher can fix the input without reading our source.
 */
export class DspError extends Error {
  override name = "DspError";
  constructor(
    message: string,
    /** Where the problem is: a file path, `spec.nFft`, `stft(options.hop)`, ... */
    readonly where: string,
    readonly expected?: string,
    readonly found?: string,
  ) {
    super(message);
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
