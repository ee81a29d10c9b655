import { describe, expect, it } from "vitest";
import {
  assertSameFeatureSpec,
  FeatureSpecError,
  featureBins,
  framesToSeconds,
  mel80FeatureSpec,
  parseFeatureSpec,
  seedFeatureSpec,
  serializeFeatureSpec,
  validateFeatureSpec,
} from "./feature-spec.js";

describe("FeatureSpec", () => {
  it("describes the seed's 256-bin spectrogram (256 frames = 2.05 s) and an 80-band log-mel", () => {
    expect(featureBins(seedFeatureSpec)).toBe(256);
    expect(framesToSeconds(seedFeatureSpec, 256)).toBeCloseTo(2.04, 2);
    expect((256 * seedFeatureSpec.hop) / seedFeatureSpec.sampleRate).toBeCloseTo(2.05, 2);
    expect(featureBins(mel80FeatureSpec)).toBe(80);
  });

  it("round-trips through JSON", () => {
    for (const spec of [seedFeatureSpec, mel80FeatureSpec]) {
      expect(parseFeatureSpec(serializeFeatureSpec(spec))).toEqual(spec);
    }
  });

  it("reports every wrong field by name, with what was expected and found", () => {
    const broken = { ...seedFeatureSpec, nFft: 500, hop: "128", extra: 1, griffinLim: { nIter: 32 } } as unknown;
    let error: unknown;
    try {
      validateFeatureSpec(broken, "cache/spec.json");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FeatureSpecError);
    const message = (error as Error).message;
    expect(message).toMatch(/cache\/spec\.json\.nFft: expected a power of two \(fft\.js\), found 500/);
    expect(message).toMatch(/cache\/spec\.json\.hop: expected an integer .* found "128"/);
    expect(message).toMatch(/cache\/spec\.json\.extra: unknown field/);
    expect(message).toMatch(
      /cache\/spec\.json\.griffinLim\.momentum: expected a number >= 0, found nothing \(missing\)/,
    );
    expect((error as FeatureSpecError).where).toBe("cache/spec.json.nFft");
  });

  it("rejects mel specs whose bands do not fit and unparsable JSON", () => {
    expect(() => validateFeatureSpec({ ...mel80FeatureSpec, fmax: 9000 })).toThrow(
      /spec\.fmax: expected a number in \(80, 8000\], found 9000/,
    );
    expect(() => validateFeatureSpec({ ...mel80FeatureSpec, dropNyquist: true })).toThrow(/spec\.dropNyquist/);
    expect(() => validateFeatureSpec({ ...mel80FeatureSpec, floorDb: 0 })).toThrow(/spec\.floorDb/);
    expect(() => parseFeatureSpec("{ nope", "model/metadata.json")).toThrow(
      /model\/metadata\.json: expected FeatureSpec JSON/,
    );
    expect(() => validateFeatureSpec([], "x")).toThrow(/x: expected a FeatureSpec object, found an array/);
  });

  it("assertSameFeatureSpec names the first differing field", () => {
    expect(() => assertSameFeatureSpec(seedFeatureSpec, seedFeatureSpec)).not.toThrow();
    expect(() => assertSameFeatureSpec(seedFeatureSpec, { ...seedFeatureSpec, hop: 160 }, "model")).toThrow(
      /model\.hop: expected 128, found 160/,
    );
  });
});
