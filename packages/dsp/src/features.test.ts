import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeWav } from "./wav.js";
import { type FeatureSpec, mel80FeatureSpec, seedFeatureSpec, silenceValue, worldFeatureSpec } from "./feature-spec.js";
import { analyze, featuresPng, spectrogramOfFeatures, synthesize } from "./features.js";
import { writeFileAtomic, writeWavFile } from "./node.js";
import { renderSpectrogramPng } from "./png.js";
import { resample } from "./resample.js";
import { spectralConvergence } from "./metrics.js";
import { StftPlan } from "./stft.js";
import { speechSample } from "./test-support.js";

/** Spectral convergence of `y` against the linear magnitude of `x` (n_fft 512, hop 128). */
function spectralDistance(x: Float32Array, y: Float32Array): number {
  const plan = new StftPlan({ nFft: 512, hop: 128 });
  return spectralConvergence(plan.magnitude(x).data, plan.magnitude(y.subarray(0, x.length)).data);
}

describe("analyze / synthesize", () => {
  const speech = speechSample();

  it("silenceValue is what analyze gives for digital silence, in unit and dB scales", () => {
    const specs: FeatureSpec[] = [seedFeatureSpec, mel80FeatureSpec, { ...seedFeatureSpec, unitScale: false }];
    for (const spec of specs) {
      const features = analyze(new Float32Array(4000), spec);
      for (const v of features.data) expect(v).toBeCloseTo(silenceValue(spec), 4);
    }
    expect(silenceValue({ ...seedFeatureSpec, unitScale: false })).toBeCloseTo(-100 - 20 * Math.log10(128), 4);
    // A floor below the amin floor: silence sits above 0 on the unit scale, so padding with 0 would be louder-than-silence.
    const deep = { ...seedFeatureSpec, floorDb: -160 };
    expect(silenceValue(deep)).toBeGreaterThan(0.1);
  });

  it("seed spec: 256 bins in [0, 1], silence at 0; the shipped sample round-trips to a WAV and a PNG", async () => {
    const features = analyze(speech, seedFeatureSpec);
    expect(features.bins).toBe(256);
    expect(features.frames).toBe(1 + Math.floor(speech.length / 128));
    let min = Infinity;
    let max = -Infinity;
    for (const v of features.data) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.6); // speech reaches well above the floor with the full-scale reference
    expect(analyze(new Float32Array(4096), seedFeatureSpec).data.every((v) => v === 0)).toBe(true);

    const audio = synthesize(features, seedFeatureSpec, { length: speech.length });
    expect(audio.length).toBe(speech.length);
    expect(spectralDistance(speech, audio)).toBeLessThan(0.15);

    const dir = mkdtempSync(join(tmpdir(), "vox-roundtrip-"));
    await writeWavFile(join(dir, "roundtrip.wav"), audio, seedFeatureSpec.sampleRate);
    await writeFileAtomic(
      join(dir, "roundtrip.png"),
      renderSpectrogramPng(features, { min: 0, max: 1, colorBar: { unit: "dB", toLabel: (u) => u * 100 - 100 } }),
    );
    const back = decodeWav(readFileSync(join(dir, "roundtrip.wav")));
    expect(back.samples.length).toBe(speech.length);
    expect(readFileSync(join(dir, "roundtrip.png")).subarray(1, 4).toString()).toBe("PNG");
  });

  it("mel80 spec: 80 bands, inverted through NNLS and Griffin-Lim to recognisably the same audio", () => {
    const clip = speech.subarray(0, 32000);
    const features = analyze(clip, mel80FeatureSpec);
    expect(features.bins).toBe(80);
    const audio = synthesize(features, mel80FeatureSpec, { length: clip.length });
    // Mel loses fine frequency detail, so the bound is looser than the linear round trip.
    expect(spectralDistance(clip, audio)).toBeLessThan(0.5);
  });

  it("resamples audio given at another rate, and matches analysing the resampled signal", () => {
    const at48k = resample(speech.subarray(0, 16000), 16000, 48000);
    const direct = analyze({ samples: at48k, sampleRate: 48000 }, seedFeatureSpec);
    const manual = analyze(resample(at48k, 48000, 16000), seedFeatureSpec);
    expect(direct).toEqual(manual);
  });

  it("rejects features of the wrong shape and empty audio, naming the argument", () => {
    expect(() => synthesize({ data: new Float32Array(80 * 3), bins: 80, frames: 3 }, seedFeatureSpec)).toThrow(
      /synthesize\(features\.bins\): expected 256 rows/,
    );
    expect(() => analyze(new Float32Array(0), seedFeatureSpec)).toThrow(/analyze\(audio\)/);
    expect(() => analyze(speech, { ...seedFeatureSpec, hop: 0 })).toThrow(/spec\.hop/);
  });
});

describe("featuresPng", () => {
  it("draws features sized for reading, with axes and a colour bar; world features as their envelope", () => {
    const speech = speechSample();
    const size = (bytes: Uint8Array) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      return [view.getUint32(16), view.getUint32(20)]; // the IHDR chunk's width and height
    };
    const mel = analyze(speech, mel80FeatureSpec);
    const [melWidth, melHeight] = size(featuresPng(mel, mel80FeatureSpec));
    // 80 bands x 3 px (256 / 80 rounded) plus margins; frames 2 px wide up to 400, 1 px beyond.
    expect(melHeight).toBe(80 * 3 + 2 * 8 + 12);
    expect(melWidth).toBeGreaterThan(mel.frames * (mel.frames <= 400 ? 2 : 1));
    const world = analyze(speech, worldFeatureSpec);
    const [, worldHeight] = size(featuresPng(world, worldFeatureSpec));
    expect(worldHeight).toBe(worldFeatureSpec.nFft / 2 + 1 + 2 * 8 + 12); // envelope bins, not the 38 feature rows
    const { axes, toDb } = spectrogramOfFeatures(analyze(speech, seedFeatureSpec), seedFeatureSpec);
    expect(axes.hertzOfRow(128)).toBeCloseTo(4000, 6); // 128 x 16000 / 512
    expect(toDb(0)).toBe(seedFeatureSpec.floorDb);
    expect(toDb(1)).toBeCloseTo(0, 9);
    const melAxes = spectrogramOfFeatures(mel, mel80FeatureSpec).axes;
    expect(melAxes.hertzOfRow(79)).toBeLessThan(mel80FeatureSpec.fmax);
    expect(melAxes.hertzOfRow(1)).toBeGreaterThan(melAxes.hertzOfRow(0));
  });
});
