/**
 * `pnpm bench` for @vox/cli: the real-time factor of converting a 10 s utterance with each preset on the default
 * backend (what `vox convert` does: analysis, one pass of the generator, Griffin-Lim with the FeatureSpec's
 * settings), split into its parts. Weights are untrained: the time does not depend on them.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { demoCorpusPath } from "@vox/datasets";
import {
  analyze,
  decodeWav,
  encodeWav,
  type FeatureSpec,
  mel80FeatureSpec,
  seedFeatureSpec,
  silenceValue,
  synthesize,
} from "@vox/dsp";
import {
  buildGenerator,
  convertFeatures,
  convertRecording,
  convertUtterance,
  type PresetName,
  presetConfig,
} from "@vox/models";
import { initBackend, loadModel } from "@vox/models/node";
import { convertInPage, openSite, serveFolder } from "../src/web/site-driver.js";
import { listCheckpoints, openRunConversion, readRunRecord, runPaths } from "@vox/train";

const backend = await initBackend(undefined, () => {});
const speech = decodeWav(readFileSync(join(demoCorpusPath(), "slt", "s01.wav"))).samples;
const tenSeconds = new Float32Array(16000 * 10);
for (let i = 0; i < tenSeconds.length; i += speech.length) tenSeconds.set(speech.subarray(0, tenSeconds.length - i), i);

console.log(
  `@vox/cli bench: converting 10 s of speech on ${backend.name} (real-time factor = seconds per second of audio)`,
);
const presets: [PresetName, FeatureSpec][] = [
  ["tiny", mel80FeatureSpec],
  ["stargan-vc2", mel80FeatureSpec],
  ["stargan-2018", seedFeatureSpec],
  ["seed-31f31449", seedFeatureSpec],
];
for (const [preset, spec] of presets) {
  try {
    const config = presetConfig(preset, { numLabels: 5, bins: spec.kind === "mel" ? spec.nMels : 256 });
    const generator = buildGenerator(config.generator);
    const t0 = performance.now();
    const features = analyze(tenSeconds, spec);
    const t1 = performance.now();
    const converted = convertUtterance(generator, config.generator, features, 0, 1, silenceValue(spec));
    const t2 = performance.now();
    synthesize(converted, spec);
    const t3 = performance.now();
    generator.dispose();
    const total = (t3 - t0) / 1000;
    console.log(
      `${preset.padEnd(14)} RTF ${(total / 10).toFixed(3)}  (analysis ${((t1 - t0) / 1000).toFixed(2)} s, generator ${((t2 - t1) / 1000).toFixed(2)} s, Griffin-Lim ${spec.griffinLim.nIter} it ${((t3 - t2) / 1000).toFixed(2)} s)`,
    );
  } catch (error) {
    console.log(`${preset.padEnd(14)} failed: ${(error as Error).message.split("\n")[0]?.slice(0, 160)}`);
  }
}

// The installed bin (compiled JavaScript, dist/bin.js; `pnpm bench` builds first): start-up alone, and one file
// converted end to end beside the same work done in this process, so start-up and loading show as the difference.
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const runBin = (...args: string[]): number => {
  const t0 = performance.now();
  execFileSync(process.execPath, [bin, ...args], { stdio: "pipe" });
  return (performance.now() - t0) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
console.log(`\n@vox/cli bench: the vox bin (${bin}), median of 5`);
console.log(`vox --version  ${median([0, 1, 2, 3, 4].map(() => runBin("--version"))).toFixed(2)} s  (goal < 1 s)`);
console.log(`vox --help     ${median([0, 1, 2, 3, 4].map(() => runBin("--help"))).toFixed(2)} s`);
const scratch = mkdtempSync(join(tmpdir(), "vox-cli-bench-"));
try {
  runBin("prepare", demoCorpusPath(), "--out", join(scratch, "data"), "--spec", "world", "--include", "kal,slt");
  const run = join(scratch, "run");
  runBin("train", "--data", join(scratch, "data"), "--preset", "tiny-cepstral", "--steps", "1", "--run", run);
  const seven = tenSeconds.subarray(0, 7 * 16000);
  const input = join(scratch, "seven-seconds.wav");
  writeFileSync(input, encodeWav(seven, 16000));
  const convert = median(
    [0, 1, 2].map(() =>
      runBin("convert", "--run", run, "--from", "kal", "--to", "slt", input, "-o", join(scratch, "out")),
    ),
  );
  // The same conversion in this process: analysis, the generator, synthesis (the run loaded once, not timed).
  const record = await readRunRecord(run);
  const conversion = await openRunConversion(run, record);
  const [step] = (await listCheckpoints(run)).slice(-1);
  const { model } = await loadModel(join(runPaths(run).checkpoint(step as number), "generator"));
  const t0 = performance.now();
  const features = analyze(seven, record.featureSpec);
  const voice = (id: string) => ({ label: record.speakers.indexOf(id), statistics: conversion.speaker(id) });
  const converted = convertFeatures(
    model,
    record.model.generator,
    conversion.map,
    features,
    voice("kal"),
    voice("slt"),
  );
  synthesize(converted, record.featureSpec, { length: seven.length });
  const work = (performance.now() - t0) / 1000;
  model.dispose();
  console.log(
    `vox convert    ${convert.toFixed(2)} s for one 7 s file (world, tiny-cepstral); the work itself ${work.toFixed(2)} s, start-up and loading ${(convert - work).toFixed(2)} s`,
  );
  await pageAgainstNode(run, scratch);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * Issue "Convert in a web page", speed: a 10 s file converted in the page `vox export-web` writes (headless
 * Chromium, the page's wasm backend, its own timing from decoded bytes to audio) beside the same conversion in
 * this process (`vox convert`'s work: wasm with the native conv kernels), each the median of 3. Goal: at most 2x.
 */
async function pageAgainstNode(run: string, scratch: string): Promise<void> {
  const site = join(scratch, "site");
  runBin("export-web", "--run", run, "-o", site);
  const bytes = encodeWav(tenSeconds, 16000);
  const record = await readRunRecord(run);
  const conversion = await openRunConversion(run, record);
  const [step] = (await listCheckpoints(run)).slice(-1);
  const { model } = await loadModel(join(runPaths(run).checkpoint(step as number), "generator"));
  const voices = {
    from: null,
    speakers: record.speakers,
    known: conversion.statistics?.speakers ?? {},
    target: { label: record.speakers.indexOf("slt"), statistics: conversion.speaker("slt") },
  };
  const nodeRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await convertRecording(model, record.model.generator, conversion.map, decodeWav(bytes).samples, voices);
    nodeRuns.push((performance.now() - t0) / 1000);
  }
  const nodeSeconds = median(nodeRuns);
  model.dispose();
  const server = await serveFolder(site);
  const { browser, page } = await openSite(server.url);
  try {
    const pageSeconds: number[] = [];
    for (let i = 0; i < 3; i++) pageSeconds.push((await convertInPage(page, bytes, "ten.wav", "slt")).seconds);
    const inPage = median(pageSeconds);
    console.log(
      `export-web     10 s converted in the page ${inPage.toFixed(2)} s (${await page.textContent("#run")}), in Node ${nodeSeconds.toFixed(2)} s: ${(inPage / nodeSeconds).toFixed(2)}x (goal at most 2x)`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
