import { InvalidArgumentError } from "./errors.js";

export interface PowerToDbOptions {
  /** Power that maps to 0 dB: a number, or "max" for the array's maximum. Default 1. */
  ref?: number | "max";
  /** Floor before the logarithm. Default 1e-10 (power), 1e-5 (amplitude). */
  amin?: number;
  /** Clip to max - topDb over the whole array; null for no clip. Default 80, as librosa. */
  topDb?: number | null;
}

/** librosa.power_to_db: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then max(x, max(x) - topDb). */
export function powerToDb(power: Float32Array, options: PowerToDbOptions = {}): Float32Array {
  const amin = options.amin ?? 1e-10;
  if (!(amin > 0)) throw new InvalidArgumentError("powerToDb(options.amin)", "a positive number", amin);
  const refValue = options.ref === "max" ? maxOf(power) : (options.ref ?? 1);
  const offset = 10 * Math.log10(Math.max(amin, refValue));
  const out = new Float32Array(power.length);
  let peak = -Infinity;
  for (let i = 0; i < power.length; i++) {
    const v = 10 * Math.log10(Math.max(amin, power[i] as number)) - offset;
    out[i] = v;
    if (v > peak) peak = v;
  }
  const topDb = options.topDb === undefined ? 80 : options.topDb;
  if (topDb !== null) {
    if (!(topDb >= 0))
      throw new InvalidArgumentError("powerToDb(options.topDb)", "a non-negative number or null", topDb);
    const floor = peak - topDb;
    for (let i = 0; i < out.length; i++) if ((out[i] as number) < floor) out[i] = floor;
  }
  return out;
}

/** librosa.amplitude_to_db: power_to_db(|S|^2, ref^2, amin^2, topDb), amin defaulting to 1e-5. */
export function amplitudeToDb(amplitude: Float32Array, options: PowerToDbOptions = {}): Float32Array {
  const amin = options.amin ?? 1e-5;
  const refValue = options.ref === "max" ? maxOf(amplitude, true) : (options.ref ?? 1);
  const power = new Float32Array(amplitude.length);
  for (let i = 0; i < amplitude.length; i++) power[i] = (amplitude[i] as number) ** 2;
  return powerToDb(power, { ref: refValue * refValue, amin: amin * amin, topDb: options.topDb });
}

/** librosa.db_to_power: ref * 10^(dB / 10). */
export function dbToPower(db: Float32Array, ref = 1): Float32Array {
  const out = new Float32Array(db.length);
  for (let i = 0; i < db.length; i++) out[i] = ref * 10 ** (0.1 * (db[i] as number));
  return out;
}

/** librosa.db_to_amplitude: ref * 10^(dB / 20). */
export function dbToAmplitude(db: Float32Array, ref = 1): Float32Array {
  const out = new Float32Array(db.length);
  for (let i = 0; i < db.length; i++) out[i] = ref * 10 ** (0.05 * (db[i] as number));
  return out;
}

/** dB -> [0, 1]: clip((dB - floorDb) / -floorDb, 0, 1); floorDb -100 gives the seed's (dB + 100) / 100. */
export function dbToUnit(db: Float32Array, floorDb = -100): Float32Array {
  if (!(floorDb < 0)) throw new InvalidArgumentError("dbToUnit(floorDb)", "a negative number of dB", floorDb);
  const out = new Float32Array(db.length);
  const scale = -1 / floorDb;
  for (let i = 0; i < db.length; i++) {
    const v = ((db[i] as number) - floorDb) * scale;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

/** [0, 1] -> dB, the inverse of {@link dbToUnit} on its range (values outside [0, 1] are clipped first). */
export function unitToDb(unit: Float32Array, floorDb = -100): Float32Array {
  if (!(floorDb < 0)) throw new InvalidArgumentError("unitToDb(floorDb)", "a negative number of dB", floorDb);
  const out = new Float32Array(unit.length);
  for (let i = 0; i < unit.length; i++) {
    const u = unit[i] as number;
    out[i] = (u < 0 ? 0 : u > 1 ? 1 : u) * -floorDb + floorDb;
  }
  return out;
}

function maxOf(values: Float32Array, absolute = false): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = absolute ? Math.abs(values[i] as number) : (values[i] as number);
    if (v > max) max = v;
  }
  return max;
}
