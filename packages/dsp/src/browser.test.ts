import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { browserBundle, chromiumPath, launchChromium } from "../../../tools/browser-test.js";
import { seedFeatureSpec } from "./feature-spec.js";
import { analyze } from "./features.js";
import { speechSample } from "./test-support.js";

// Debian's chromium is installed by .ci/run; a developer machine without it skips, CI never does.
describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)("@vox/dsp in a browser (headless Chromium)", () => {
  it("bundles without Node built-ins and gives the same features, audio and PNG as in Node", async () => {
    const bundle = await browserBundle(new URL("./index.ts", import.meta.url), "voxDsp");
    expect(bundle).not.toMatch(/require\(["'](node:)?(fs|path|zlib|stream|crypto)["']\)/);
    const speech = speechSample().subarray(0, 16000);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setContent("<!doctype html><title>vox dsp</title>");
      await page.addScriptTag({ content: bundle });
      const result = await page.evaluate((samples: number[]) => {
        const dsp = (globalThis as unknown as { voxDsp: typeof import("./index.js") }).voxDsp;
        const signal = Float32Array.from(samples);
        const features = dsp.analyze(signal, dsp.seedFeatureSpec);
        const audio = dsp.synthesize(features, dsp.seedFeatureSpec, { length: signal.length, nIter: 8 });
        const png = dsp.renderSpectrogramPng(features, { min: 0, max: 1, colorBar: { unit: "dB" } });
        const wav = dsp.decodeWav(dsp.encodeWav(audio, 16000));
        return {
          engine: new dsp.StftPlan({ nFft: 512 }).options.engine,
          features: Array.from(features.data),
          audioLength: audio.length,
          wavLength: wav.samples.length,
          pngSignature: Array.from(png.subarray(1, 4)),
        };
      }, Array.from(speech));
      expect(errors).toEqual([]);
      expect(result.engine).toBe("wasm");
      const expected = analyze(speech, seedFeatureSpec).data;
      expect(result.features.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++)
        worst = Math.max(worst, Math.abs((result.features[i] as number) - (expected[i] as number)));
      expect(worst).toBeLessThan(1e-6);
      expect(result.audioLength).toBe(16000);
      expect(result.wavLength).toBe(16000);
      expect(String.fromCharCode(...result.pngSignature)).toBe("PNG");
    } finally {
      await browser.close();
    }
  });
});
