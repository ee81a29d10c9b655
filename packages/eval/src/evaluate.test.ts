import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoCorpusPath, prepareFeatures } from "@vox/datasets";
import { type FeatureSpec, mel80FeatureSpec } from "@vox/dsp";
import { resolveTrainConfig, StarGanTrainer } from "@vox/train";
import { describe, expect, it } from "vitest";
import { parseAsrCommand } from "./asr.js";
import { evaluateRun, formatEvalTable } from "./evaluate.js";

const smallSpec: FeatureSpec = { ...mel80FeatureSpec, nFft: 512, winLength: 512, hop: 256, nMels: 32 };

describe("evaluateRun on the demo corpus", () => {
  it("scores a briefly trained tiny model against its baselines, with an ASR command, and writes eval/<step>.json", async () => {
    const cache = mkdtempSync(join(tmpdir(), "vox-eval-cache-"));
    await prepareFeatures(demoCorpusPath(), smallSpec, cache, { workers: 2 });
    const run = mkdtempSync(join(tmpdir(), "vox-eval-run-"));
    const config = await resolveTrainConfig({
      preset: "tiny",
      overrides: { steps: 3, batchSize: 4, cropFrames: 32, checkpointEvery: 3, samples: { utterances: 0 } },
    });
    const trainer = await StarGanTrainer.create(run, cache, config, () => {});
    await trainer.train();
    trainer.dispose();

    // A stand-in ASR that always "hears" the same words, so WER is known for every sentence it scores.
    const asr = parseAsrCommand(`${process.execPath} -e "console.log('the cat sat by the warm stove')"`);
    const report = await evaluateRun(run, {
      maxUtterances: 2,
      maxTargets: 2,
      griffinLimIterations: 4,
      asr,
      log: () => {},
    });
    expect(report.step).toBe(3);
    expect(report.summary.map((s) => s.system)).toEqual(["converted", "source", "resynthesis", "target"]);
    const [converted, source, resynthesis, target] = report.summary;
    expect(converted?.items).toBe(4);
    expect(source?.mcd).toBeGreaterThan(0);
    expect(resynthesis?.mcd).toBeGreaterThan(0);
    expect(target?.mcd).toBeNull();
    // The independent classifier knows the real voices it never trained on (held-out sentences).
    expect(target?.targetAccuracy).toBeGreaterThanOrEqual(0.75);
    expect(source?.sourceAccuracy).toBeGreaterThanOrEqual(0.75);
    for (const item of report.items) {
      expect(item.wer).toBeGreaterThanOrEqual(0);
      expect(existsSync(join(run, item.wav))).toBe(true);
      if (item.transcript === "The cat sat by the warm stove.") expect(item.wer).toBe(0);
    }
    expect(Object.keys(report.pairs).length).toBeGreaterThan(0);
    const saved = JSON.parse(readFileSync(join(run, "eval", "00000003.json"), "utf8"));
    expect(saved.summary).toEqual(JSON.parse(JSON.stringify(report.summary)));
    const table = formatEvalTable(report);
    expect(table).toMatch(/converted\s+4\s+\d+\.\d\d/);
    expect(table).toContain("resynthesis");
  });
});
