import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listCheckpoints } from "./run-directory.js";
import { resolveTrainConfig } from "./config.js";
import { RunDirectoryError } from "./errors.js";
import { readMetrics, runPaths } from "./run-directory.js";
import { temporaryFolder, twoVoiceCache } from "./test-support.js";
import { StarGanTrainer } from "./trainer.js";

/** tiny, 6 steps of small batches, a checkpoint and a metrics line every step or two, no samples unless asked. */
function sixSteps(overrides: Record<string, unknown> = {}) {
  return resolveTrainConfig({
    preset: "tiny",
    overrides: {
      steps: 6,
      batchSize: 4,
      cropFrames: 32,
      logEvery: 1,
      checkpointEvery: 2,
      sampleEvery: 1000,
      samples: { utterances: 0 },
      ...overrides,
    },
  });
}

/** A finished 6-step run of tiny with checkpoints at 2, 4, 6 and a metrics line per step. */
async function sixStepRun(cache: string): Promise<string> {
  const run = temporaryFolder();
  const trainer = await StarGanTrainer.create(run, cache, await sixSteps(), () => {});
  await trainer.train();
  trainer.dispose();
  return run;
}

describe("resume of a damaged run", () => {
  let cache = "";
  beforeAll(async () => {
    cache = await twoVoiceCache(4);
  });

  it("falls back from a cut-short newest checkpoint to the newest intact one and says so", async () => {
    const run = await sixStepRun(cache);
    expect(await listCheckpoints(run)).toEqual([2, 4, 6]);
    const optimizer = join(runPaths(run).checkpoint(6), "optimizer-generator.bin");
    truncateSync(optimizer, 100);
    const lines: string[] = [];
    const resumed = await StarGanTrainer.resume(run, { steps: 8 }, (line) => lines.push(line));
    expect(resumed.step).toBe(4);
    expect(lines.join("\n")).toMatch(
      /checkpoint 6 is unreadable \(.*optimizer-generator\.bin: expected \d+ bytes .*found 100 \(cut short\)\).*resuming from step 4/,
    );
    const result = await resumed.train();
    resumed.dispose();
    expect(result.step).toBe(8);
  });

  it("refuses when no checkpoint reads back, and leaves config.json as it was (--steps is not written)", async () => {
    const run = await sixStepRun(cache);
    for (const step of [2, 4, 6]) truncateSync(join(runPaths(run).checkpoint(step), "optimizer-generator.bin"), 8);
    const config = readFileSync(runPaths(run).config, "utf8");
    const metrics = readFileSync(runPaths(run).metrics, "utf8");
    await expect(StarGanTrainer.resume(run, { steps: 20 }, () => {})).rejects.toThrow(
      /checkpoints: expected a checkpoint that reads back whole, found none \(checkpoint 6 is unreadable/,
    );
    expect(readFileSync(runPaths(run).config, "utf8")).toBe(config);
    expect(readFileSync(runPaths(run).metrics, "utf8")).toBe(metrics);
  });

  it("keeps every parseable metrics line around a damaged one", async () => {
    const run = await sixStepRun(cache);
    const lines = readFileSync(runPaths(run).metrics, "utf8").trim().split("\n");
    expect(lines).toHaveLength(6);
    lines[2] = "{ this line was damaged";
    writeFileSync(runPaths(run).metrics, `${lines.join("\n")}\n`);
    const resumed = await StarGanTrainer.resume(run, { steps: 7 }, () => {});
    await resumed.train();
    resumed.dispose();
    expect((await readMetrics(run)).map((m) => m.step)).toEqual([1, 2, 4, 5, 6, 7]);
  });

  it("a second trainer on a run being trained is refused by its lock; a lock left by a killed process is taken over", async () => {
    const run = await sixStepRun(cache);
    const first = await StarGanTrainer.resume(run, { steps: 8 }, () => {});
    await expect(StarGanTrainer.resume(run, { steps: 8 }, () => {})).rejects.toThrow(
      new RegExp(`expected no other trainer on this run, found process ${process.pid} on .* training it since`),
    );
    first.dispose();
    const second = await StarGanTrainer.resume(run, {}, () => {});
    second.dispose();
    // kill -9 leaves the lock behind: a process id that has exited.
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid as number;
    writeFileSync(runPaths(run).lock, JSON.stringify({ pid: gone, host: hostname(), since: "then" }));
    const lines: string[] = [];
    const third = await StarGanTrainer.resume(run, {}, (line) => lines.push(line));
    third.dispose();
    expect(lines.join("\n")).toMatch(new RegExp(`taking over the lock of process ${gone}, which is gone`));
  });

  it("samples a kill cut short are written again on resume; an unfinished set never looks finished", async () => {
    const run = temporaryFolder();
    const config = await sixSteps({
      sampleEvery: 2,
      samples: { utterances: 1, maxTargets: 1, griffinLimIterations: 1 },
    });
    const trainer = await StarGanTrainer.create(run, cache, config, () => {});
    await trainer.train({ maxSteps: 4 });
    trainer.dispose();
    const complete = readdirSync(runPaths(run).samples(2)).sort();
    expect(complete.length).toBeGreaterThan(2);
    // A kill while step 4's samples were written: one file of the set, in the folder being filled.
    rmSync(runPaths(run).samples(4), { recursive: true });
    mkdirSync(`${runPaths(run).samples(4)}.partial`);
    writeFileSync(join(`${runPaths(run).samples(4)}.partial`, complete[0] as string), "");
    const resumed = await StarGanTrainer.resume(run, {}, () => {});
    expect(resumed.step).toBe(4);
    await resumed.train();
    resumed.dispose();
    expect(readdirSync(runPaths(run).samples(4)).sort()).toEqual(complete);
    expect(readdirSync(join(run, "samples")).sort()).toEqual(["00000002", "00000004", "00000006"]);
  });

  it("refuses a checkpoints folder it cannot read instead of starting over, and deletes nothing", async () => {
    const run = await sixStepRun(cache);
    const metrics = readFileSync(runPaths(run).metrics, "utf8");
    rmSync(runPaths(run).checkpoints, { recursive: true });
    writeFileSync(runPaths(run).checkpoints, "not a folder"); // ENOTDIR, as EACCES would be for a user
    const attempt = StarGanTrainer.resume(run, {}, () => {});
    await expect(attempt).rejects.toThrow(RunDirectoryError);
    await expect(attempt).rejects.toThrow(/checkpoints: expected a readable folder of checkpoints, found ENOTDIR/);
    expect(readFileSync(runPaths(run).metrics, "utf8")).toBe(metrics);
  });
});
