/**
 * IEEE 754 half precision, for feature caches half the size of float32 (Node 20 has no Float16Array). Rounding is
 * to nearest even; overflow goes to infinity; subnormals are kept.
 */
const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

export function toFloat16Bits(value: number): number {
  floatView[0] = value;
  const x = intView[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let rounded = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && rounded & 1)) rounded++;
    return sign | rounded;
  }
  let bits = sign | (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // Round to nearest even; a carry into the exponent is still the right value.
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) bits++;
  return bits;
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Float16 bits of each value, into `out` when given. */
export function encodeFloat16(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i] ?? 0);
  return out;
}

/** Values of float16 bits, into `out` when given; a 64 K-entry table makes this a lookup. */
let table: Float32Array | undefined;
export function decodeFloat16(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) table[b] = fromFloat16Bits(b);
  }
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i] ?? 0] ?? 0;
  return out;
}
