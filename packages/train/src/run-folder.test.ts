import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveTrainConfig } from "./config.js";
import { temporaryFolder, twoVoiceCache } from "./test-support.js";
import {
  listCheckpoints,
  listEvalReports,
  listSampleSteps,
  networkParameterCount,
  openRunFeatures,
  readEvalReport,
  readTrainingSummary,
  RunDirectoryError,
  runPaths,
  trainingSeconds,
  writeEvalReport,
} from "./run-folder.js";

describe("@vox/train/run, the run folder", () => {
  it("loads no TensorFlow", () => {
    // A fresh process: in this one the rest of the suite has loaded tfjs already. tfjs-core makes its engine
    // (globalThis._tfengine) when it is first imported.
    const out = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=vox-source",
        "--input-type=module",
        "-e",
        'await import("@vox/train/run"); console.log(typeof globalThis._tfengine);',
      ],
      { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" },
    );
    expect(out.trim()).toBe("undefined");
  });

  it("lists checkpoints, samples and eval reports by step, ignoring partial and foreign entries", async () => {
    const run = await mkdtemp(join(tmpdir(), "vox-run-folder-"));
    const paths = runPaths(run);
    expect(await listCheckpoints(run)).toEqual([]);
    expect(await readTrainingSummary(run)).toBeNull();
    for (const step of [600, 20]) await mkdir(paths.network(step, "generator"), { recursive: true });
    await mkdir(join(paths.checkpoints, "00000700.partial"));
    await writeFile(join(paths.network(600, "generator"), "weights.bin"), new Uint8Array(4 * 123));
    await mkdir(paths.samples(600), { recursive: true });
    await mkdir(join(paths.samplesRoot, "notes"));
    await writeEvalReport(run, 600, { summary: [1] });
    await mkdir(paths.evalFiles(600));
    expect(await listCheckpoints(run)).toEqual([20, 600]);
    expect(await listSampleSteps(run)).toEqual([600]);
    expect(await listEvalReports(run)).toEqual([600]);
    expect(await readEvalReport(run, 600)).toEqual({ summary: [1] });
    expect(await networkParameterCount(run, 600, "generator")).toBe(123);
    expect(await networkParameterCount(run, 600, "discriminator")).toBeNull();
  });

  it("reads the training summary, falling back to the metrics for the time so far", async () => {
    const run = await mkdtemp(join(tmpdir(), "vox-run-folder-"));
    const line = {
      step: 3,
      elapsedSeconds: 7.5,
      stepsPerSecond: 1,
      learningRate: { generator: 1e-3, discriminator: 1e-3 },
      losses: {},
      wallTime: "2026-12-02T04:00:00.000Z",
    };
    expect(trainingSeconds(null, [])).toBeNull();
    expect(trainingSeconds(null, [line])).toBe(7.5);
    await writeFile(runPaths(run).training, "{ not json");
    await expect(readTrainingSummary(run)).rejects.toThrow(RunDirectoryError);
    await expect(readTrainingSummary(run)).rejects.toThrow(/training\.json: expected JSON/);
    const summary = { steps: 600, elapsedSeconds: 80.25, finishedAt: "2026-12-02T04:00:00.000Z", backend: "wasm" };
    await writeFile(runPaths(run).training, JSON.stringify(summary));
    expect(await readTrainingSummary(run)).toEqual(summary);
    expect(trainingSeconds(summary, [line])).toBe(80.25);
  });

  it("opens a run's feature cache split as the run split it, and names a missing cache", async () => {
    const data = await twoVoiceCache(3);
    const config = await resolveTrainConfig({ preset: "tiny", overrides: { cropFrames: 16 } });
    const first = await openRunFeatures({ data, config, validation: [] });
    expect(first.utterances).toHaveLength(6);
    const held = first.utterances.filter((u) => u.id === first.utterances[0]?.id);
    const validation = held.map((u) => `${u.speaker}/${u.id}`);
    const features = await openRunFeatures({ data, config, validation });
    expect(features.heldOut.map((u) => `${u.speaker}/${u.id}`)).toEqual(validation);
    expect(features.training).toHaveLength(6 - held.length);
    expect(features.training.some((u) => validation.includes(`${u.speaker}/${u.id}`))).toBe(false);
    const u = features.heldOut[0];
    if (!u) throw new Error("no held-out utterance");
    expect(features.store.readUtterance(u).frames).toBeGreaterThan(0);
    const missing = join(temporaryFolder(), "no-cache");
    await expect(openRunFeatures({ data: missing, config, validation })).rejects.toThrow(
      new RegExp(`${missing}.*the run's feature cache`),
    );
  });
});
