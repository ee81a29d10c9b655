import { describe, expect, it } from "vitest";
import { amplitudeToDb, dbToAmplitude, dbToPower, dbToUnit, powerToDb, unitToDb } from "./db.js";
import { expectClose, reference } from "./test-support.js";

describe("dB conversions", () => {
  it("match librosa's power_to_db (ref, amin, top_db) and amplitude_to_db with ref=max", () => {
    const ref = reference();
    const mel = Float32Array.from(ref.melSpectrogram.values);
    expectClose(powerToDb(mel), ref.db.powerToDb, 1e-4, "power_to_db defaults");
    expectClose(powerToDb(mel, { ref: 1e-3, topDb: null }), ref.db.powerToDbNoTop, 1e-4, "ref 1e-3, no top_db");
    const magnitude = Float32Array.from(ref.db.magnitude);
    expectClose(
      amplitudeToDb(magnitude, { ref: "max", amin: 1e-5 }),
      ref.db.amplitudeToDbRefMax,
      1e-4,
      "amplitude_to_db ref=max",
    );
  });

  it("invert: db_to_power(power_to_db(x)) = x above the floor, and the same for amplitude", () => {
    const x = Float32Array.from([1e-3, 0.5, 2, 300]);
    expectClose(dbToPower(powerToDb(x, { topDb: null })), x, 1e-5);
    expectClose(dbToAmplitude(amplitudeToDb(x, { topDb: null })), x, 1e-5);
    expectClose(dbToPower(powerToDb(x, { ref: 7, topDb: null }), 7), x, 1e-5);
  });

  it("maps dB to [0, 1] with the seed's (dB + 100) / 100, clipping, and back", () => {
    const db = Float32Array.from([-120, -100, -50, 0, 10]);
    expect(Array.from(dbToUnit(db))).toEqual([0, 0, 0.5, 1, 1]);
    expect(Array.from(unitToDb(Float32Array.from([0, 0.5, 1, 1.5])))).toEqual([-100, -50, 0, 0]);
    expect(Array.from(dbToUnit(Float32Array.from([-40]), -80))).toEqual([0.5]);
    expect(() => dbToUnit(db, 0)).toThrow(/floorDb/);
  });

  it("clips to max - top_db over the whole array", () => {
    const out = powerToDb(Float32Array.from([1, 1e-12, 1e-3]), { topDb: 20 });
    expect(Array.from(out)).toEqual([0, -20, -20]);
  });
});
