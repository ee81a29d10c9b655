import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedFeatureSpec, silenceValue } from "@vox/dsp";
import { describe, expect, it } from "vitest";
import { browserBundle, chromiumPath, launchChromium } from "../../../tools/browser-test.js";
import { convertUtterance } from "./conversion.js";
import { buildGenerator } from "./generators.js";
import { initBackend, saveModel } from "./node.js";
import { presetConfig } from "./presets.js";

describe("@vox/models' main entry in a browser", () => {
  it("bundles for the browser platform: no node: module is reached from the main entry", async () => {
    // esbuild refuses a `node:` import on the browser platform, so a successful build is the proof.
    const bundle = await browserBundle(new URL("./index.ts", import.meta.url), "voxModels");
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle).not.toMatch(/require\(["']node:/);
  });

  // Debian's chromium is installed by .ci/run; a developer machine without it skips, CI never does.
  it.skipIf(!existsSync(chromiumPath) && !process.env.CI)(
    "a saved generator loaded from its bytes in headless Chromium converts as in Node",
    async () => {
      await initBackend("cpu", () => {});
      const config = presetConfig("tiny", { numLabels: 3, bins: 16, frames: 16 });
      const generator = buildGenerator(config.generator);
      const dir = mkdtempSync(join(tmpdir(), "vox-models-browser-"));
      await saveModel(generator, dir, {
        role: "generator",
        preset: "tiny",
        config,
        featureSpec: seedFeatureSpec,
        speakers: ["a", "b", "c"],
      });
      const frames = 37;
      const data = Array.from({ length: 16 * frames }, (_, i) => (i % 7) / 7);
      const silence = silenceValue(seedFeatureSpec);
      const expected = convertUtterance(
        generator,
        config.generator,
        { data: Float32Array.from(data), bins: 16, frames },
        0,
        2,
        silence,
      );
      generator.dispose();
      const artifacts = {
        metadata: JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8")),
        manifest: JSON.parse(readFileSync(join(dir, "model.json"), "utf8")),
        weights: Array.from(readFileSync(join(dir, "weights.bin"))),
      };
      const bundle = await browserBundle(new URL("./index.ts", import.meta.url), "voxModels");
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(error.message));
        await page.setContent("<!doctype html><title>vox models</title>");
        await page.addScriptTag({ content: bundle });
        const result = await page.evaluate(
          async ({ artifacts, data, frames, silence }) => {
            const models = (globalThis as unknown as { voxModels: typeof import("./index.js") }).voxModels;
            const backend = await models.initBrowserBackend("cpu");
            const { model, metadata } = await models.modelFromArtifacts(
              { ...artifacts, weights: Uint8Array.from(artifacts.weights) },
              "page",
            );
            const out = models.convertUtterance(
              model,
              metadata.config.generator,
              { data: Float32Array.from(data), bins: 16, frames },
              0,
              2,
              silence,
            );
            model.dispose();
            return {
              backend: backend.name,
              speakers: metadata.speakers,
              frames: out.frames,
              data: Array.from(out.data),
            };
          },
          { artifacts, data, frames, silence },
        );
        expect(errors).toEqual([]);
        expect(result.backend).toBe("cpu");
        expect(result.speakers).toEqual(["a", "b", "c"]);
        expect(result.frames).toBe(frames);
        let worst = 0;
        for (let i = 0; i < expected.data.length; i++)
          worst = Math.max(worst, Math.abs((result.data[i] as number) - (expected.data[i] as number)));
        // Node's cpu backend with vox's native conv kernels against the page's pure-JS one: float32 rounding only.
        expect(worst).toBeLessThan(1e-4);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
