import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FeatureCacheError } from "./errors.js";
import { encodeFeatureFile, featureFileSize, readFeatureFileHeader, readFramesInto } from "./feature-file.js";
import { temporaryFolder } from "./test-support.js";

describe("feature files", () => {
  const bins = 5;
  const frames = 7;
  const data = new Float32Array(bins * frames).map((_, i) => Math.sin(i) * 0.5 + 0.5);
  const features = { data, bins, frames };

  for (const dtype of ["float32", "float16"] as const) {
    it(`${dtype}: header, statistics and any frame range read back frequency-major`, () => {
      const bytes = encodeFeatureFile(features, dtype);
      expect(bytes.length).toBe(featureFileSize(dtype, bins, frames));
      const path = join(temporaryFolder(), "u.vxf");
      writeFileSync(path, bytes);
      const header = readFeatureFileHeader(path);
      expect([header.dtype, header.bins, header.frames]).toEqual([dtype, bins, frames]);
      for (let f = 0; f < bins; f++) {
        let sum = 0;
        for (let t = 0; t < frames; t++) sum += data[f * frames + t] ?? 0;
        expect(header.sum[f]).toBeCloseTo(sum, 5);
      }
      const tolerance = dtype === "float16" ? 1e-3 : 0;
      const out = new Float32Array(bins * 10).fill(-1);
      const fd = openSync(path, "r");
      readFramesInto(fd, path, header, 2, 4, out, 10, 3);
      closeSync(fd);
      for (let f = 0; f < bins; f++) {
        for (let c = 0; c < 10; c++) {
          const v = out[f * 10 + c] ?? 0;
          if (c < 3 || c >= 7) expect(v).toBe(-1);
          else expect(Math.abs(v - (data[f * frames + (c - 3 + 2)] ?? 0))).toBeLessThanOrEqual(tolerance);
        }
      }
    });
  }

  it("a damaged or foreign file is a FeatureCacheError naming it", () => {
    const folder = temporaryFolder();
    const foreign = join(folder, "foreign.vxf");
    writeFileSync(foreign, new Uint8Array(100));
    expect(() => readFeatureFileHeader(foreign)).toThrow(FeatureCacheError);
    expect(() => readFeatureFileHeader(foreign)).toThrow(foreign);
    const cut = join(folder, "cut.vxf");
    writeFileSync(cut, encodeFeatureFile(features, "float32").subarray(0, 150));
    const header = readFeatureFileHeader(cut);
    const fd = openSync(cut, "r");
    expect(() => readFramesInto(fd, cut, header, 0, frames, new Float32Array(bins * frames), frames)).toThrow(/only/);
    closeSync(fd);
  });
});
