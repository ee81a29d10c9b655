import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { demoCorpusPath } from "@vox/datasets";
import { decodeWav, encodeWav } from "@vox/dsp";
import { beforeAll, describe, expect, it } from "vitest";
import { temporary, trainQuickRun, vox } from "../test-support.js";
import { chromiumPath, convertInPage, openSite, serveFolder } from "./site-driver.js";

// Debian's chromium is installed by .ci/run; a developer machine without it skips, CI never does.
describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)("vox export-web: a run converting in a page", () => {
  let work = "";
  beforeAll(async () => {
    work = temporary("vox-export-web-");
    const prepared = await vox(
      "prepare",
      demoCorpusPath(),
      "--out",
      join(work, "data"),
      "--spec",
      "world",
      "--include",
      "kal,slt",
      "--workers",
      "2",
    );
    expect(prepared.code, prepared.stderr).toBe(0);
    await trainQuickRun(join(work, "data"), join(work, "run"), "tiny-cepstral");
  }, 300_000);

  it("writes the site; the page converts a file as `vox convert` does (same length, within one 16-bit step)", async () => {
    const run = join(work, "run");
    const site = join(work, "site");
    const exported = await vox("export-web", "--run", run, "-o", site, "--json");
    expect(exported.code, exported.stderr).toBe(0);
    const { files, step } = JSON.parse(exported.stdout) as { files: string[]; step: number };
    expect(step).toBe(2);
    for (const file of ["index.html", "vox-web.js", "run.json", "model/weights.bin", "tfjs-backend-wasm-simd.wasm"]) {
      expect(files).toContain(file);
      expect(existsSync(join(site, file)), file).toBe(true);
    }
    // A held-out demo sentence in kal's voice, converted by the CLI (the source guessed, as the page guesses it).
    const input = join(demoCorpusPath(), "kal", "s29.wav");
    const converted = await vox("convert", "--run", run, "--to", "slt", input, "-o", join(work, "out"), "--json");
    expect(converted.code, converted.stderr).toBe(0);
    const [written] = JSON.parse(converted.stdout) as { output: string; from: string }[];
    const node = decodeWav(readFileSync(written?.output ?? "")).samples;

    const server = await serveFolder(site);
    const { browser, page, errors } = await openSite(server.url);
    try {
      expect(await page.textContent("#status")).toMatch(/^ready/);
      expect(await page.textContent("#run")).toMatch(/run, step 2, 2 voices \((wasm|cpu)\)/);
      expect(await page.$$eval("#target option", (all) => all.map((o) => (o as HTMLOptionElement).value))).toEqual([
        "kal",
        "slt",
      ]);
      const inPage = await convertInPage(page, new Uint8Array(readFileSync(input)), "s29.wav", "slt");
      expect(inPage.source).toBe(written?.from);
      expect(inPage.samples.length).toBe(node.length);
      // The page's float output as vox convert writes it (16-bit): equal to within one step of rounding.
      const asWritten = decodeWav(encodeWav(inPage.samples, inPage.sampleRate)).samples;
      let worst = 0;
      for (let i = 0; i < node.length; i++)
        worst = Math.max(worst, Math.abs((asWritten[i] as number) - (node[i] as number)));
      expect(worst).toBeLessThanOrEqual(1 / 32768 + 1e-9);

      // The page's own controls: a chosen file is converted, both spectrograms drawn, the WAV offered for download.
      await page.selectOption("#target", "slt");
      await page.setInputFiles("#file", input);
      await page.waitForFunction(() => /converted in/.test(document.getElementById("status")?.textContent ?? ""));
      expect(await page.getAttribute("#download", "download")).toBe("s29__to__slt.wav");
      const images = await page.$$eval("#result img", (all) =>
        all.map((img) => (img as HTMLImageElement).naturalWidth),
      );
      expect(images).toHaveLength(2);
      for (const width of images) expect(width).toBeGreaterThan(0);
      // A file that is not audio: the page says so, naming it, and stays usable.
      await page.setInputFiles("#file", { name: "notes.wav", mimeType: "audio/wav", buffer: Buffer.from("not audio") });
      await page.waitForFunction(() => /could not convert/.test(document.getElementById("status")?.textContent ?? ""));
      expect(await page.textContent("#status")).toMatch(/notes\.wav: expected a WAV \(RIFF\) or FLAC file/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);

  it("refuses a folder that is not a run, naming it", async () => {
    const result = await vox("export-web", "--run", join(work, "data"), "-o", join(work, "site2"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/data: expected a vox run with a checkpoint, found none/);
  });
});
