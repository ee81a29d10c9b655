import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoCorpusPath, prepareFeatures, readCorpus } from "@vox/datasets";
import { type FeatureSpec, mel80FeatureSpec } from "@vox/dsp";
import { resolveTrainConfig, StarGanTrainer } from "@vox/train";
import { describe, expect, it } from "vitest";
import { parseAsrCommand } from "./asr.js";
import { evaluateRun, formatEvalTable } from "./evaluate.js";
import { readTranscripts } from "./transcripts.js";

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
    // Two recordings "from outside the corpus" (copied under other names), with a Sphinx-style transcript file.
    const outside = mkdtempSync(join(tmpdir(), "vox-eval-outside-"));
    mkdirSync(join(outside, "voice"));
    copyFileSync(join(demoCorpusPath(), "kal", "s01.wav"), join(outside, "voice", "a.wav"));
    copyFileSync(join(demoCorpusPath(), "slt", "s02.wav"), join(outside, "voice", "b.wav"));
    writeFileSync(
      join(outside, "t.txt"),
      "<s> the cat sat by the warm stove </s> (a)\n<s> please bring me a cup of tea </s> (b)\n",
    );
    const report = await evaluateRun(run, {
      maxUtterances: 2,
      maxTargets: 2,
      griffinLimIterations: 4,
      asr,
      recordings: { folder: join(outside, "voice"), transcripts: join(outside, "t.txt") },
      log: () => {},
    });
    expect(report.step).toBe(3);
    expect(report.summary.map((s) => s.system)).toEqual([
      "converted",
      "mean/variance shift",
      "source",
      "resynthesis",
      "target",
    ]);
    const [converted, shift, source, resynthesis, target] = report.summary;
    expect(converted?.items).toBe(4);
    expect(shift?.items).toBe(4);
    // The shift moves every band to the target's statistics: closer to the target than the source is.
    expect(shift?.mcd).toBeLessThan(source?.mcd as number);
    for (const s of [converted, shift, source, resynthesis]) expect(s?.mcdWorld).toBeGreaterThan(0);
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
    // Outside recordings: each converted to all 5 voices, beside the shift, the recording and its resynthesis.
    expect(report.outside?.recordings).toBe(2);
    expect(report.outside?.summary.map((s) => [s.system, s.items])).toEqual([
      ["converted", 10],
      ["mean/variance shift", 10],
      ["source", 10],
      ["resynthesis", 10],
    ]);
    const a = report.outside?.items.find((i) => i.utterance === "a" && i.system === "source");
    expect(a?.transcript).toBe("the cat sat by the warm stove");
    expect(a?.wer).toBe(0);
    expect(report.outside?.items.every((i) => i.mcd === null && existsSync(join(run, i.wav)))).toBe(true);
    // Per target voice: the two recordings converted to it, beside their shift to it.
    const voices = report.outside?.voices ?? {};
    expect(Object.keys(voices).sort()).toEqual([...report.classifier.speakers].sort());
    for (const [voice, { converted, shift }] of Object.entries(voices)) {
      expect([converted.items, shift.items]).toEqual([2, 2]);
      const mine = report.outside?.items.filter((i) => i.system === "converted" && i.target === voice) ?? [];
      expect(converted.targetAccuracy).toBe(mine.filter((i) => i.predicted === voice).length / 2);
    }
    const table = formatEvalTable(report);
    expect(table).toMatch(/converted\s+4\s+\d+\.\d\d\s+\d+\.\d\d/);
    expect(table).toContain("mean/variance shift");
    expect(table).toContain("outside the corpus: 2 recordings");
    expect(table).toMatch(/per voice\s+converted →target\s+WER\s+shift →target\s+WER/);

    // Held-out sentences from another cache (a corpus' evaluation split): only its utterances are converted.
    const evaluation = mkdtempSync(join(tmpdir(), "vox-eval-heldout-"));
    await prepareFeatures(await readCorpus(demoCorpusPath(), { include: ["kal", "slt"] }), smallSpec, evaluation, {
      workers: 2,
    });
    const heldOut = await evaluateRun(run, {
      heldOut: evaluation,
      maxUtterances: 2,
      maxTargets: 1,
      asr,
      log: () => {},
    });
    const converted2 = heldOut.items.filter((i) => i.system === "converted");
    expect(converted2.length).toBe(2);
    for (const item of converted2) expect(["kal", "slt"]).toContain(item.source);
    const otherSpec = mkdtempSync(join(tmpdir(), "vox-eval-heldout-spec-"));
    await prepareFeatures(
      await readCorpus(demoCorpusPath(), { include: ["kal", "slt"] }),
      mel80FeatureSpec,
      otherSpec,
      {
        workers: 2,
      },
    );
    await expect(evaluateRun(run, { heldOut: otherSpec, asr, log: () => {} })).rejects.toThrow(
      /held-out sentences must be analysed like the run's/,
    );

    // An ensemble: a run of another seed on the same split converts beside this one, the outputs averaged; a run
    // on another split is refused, naming its config.json and the field.
    const trainRun = async (overrides: Record<string, unknown>) => {
      const dir = mkdtempSync(join(tmpdir(), "vox-eval-member-"));
      const c = await resolveTrainConfig({ preset: "tiny", overrides: { ...config, ...overrides } });
      const t = await StarGanTrainer.create(dir, cache, c, () => {});
      await t.train();
      t.dispose();
      return dir;
    };
    const member = await trainRun({ seed: 5, splitSeed: 0 });
    const otherSplit = await trainRun({ seed: 5 });
    const options = { maxUtterances: 2, maxTargets: 1, griffinLimIterations: 4, asr, log: () => {} };
    const alone = await evaluateRun(run, options);
    const together = await evaluateRun(run, { ...options, ensemble: [member] });
    expect(alone.ensemble).toBeUndefined();
    expect(together.ensemble).toEqual([member]);
    const mcdOf = (r: typeof alone, system: string) => r.summary.find((x) => x.system === system)?.mcd;
    expect(mcdOf(together, "converted")).not.toBe(mcdOf(alone, "converted"));
    expect(mcdOf(together, "mean/variance shift")).toBe(mcdOf(alone, "mean/variance shift"));
    await expect(evaluateRun(run, { ...options, ensemble: [otherSplit] })).rejects.toThrow(
      new RegExp(`${otherSplit}/config.json: validation: expected the first run's`),
    );
  });
});

describe("evaluateRun's outside recordings", () => {
  it("a recording the transcript file does not name, or a folder without audio, fails before any work", async () => {
    const folder = mkdtempSync(join(tmpdir(), "vox-eval-recordings-"));
    mkdirSync(join(folder, "voice"));
    mkdirSync(join(folder, "empty"));
    copyFileSync(join(demoCorpusPath(), "kal", "s01.wav"), join(folder, "voice", "a.wav"));
    writeFileSync(join(folder, "t.txt"), "<s> some other words </s> (b)\n");
    const missingRun = join(folder, "no-run-here");
    await expect(
      evaluateRun(missingRun, { recordings: { folder: join(folder, "voice"), transcripts: join(folder, "t.txt") } }),
    ).rejects.toThrow(/t\.txt: expected a transcript of .*a\.wav \(id "a"\), found none/);
    await expect(
      evaluateRun(missingRun, { recordings: { folder: join(folder, "empty"), transcripts: join(folder, "t.txt") } }),
    ).rejects.toThrow(/empty: expected WAV or FLAC recordings, found none/);
  });
});

describe("readTranscripts", () => {
  it("reads id<TAB>text and Sphinx lines, and names the file and line of anything else", async () => {
    const folder = mkdtempSync(join(tmpdir(), "vox-transcripts-"));
    writeFileSync(join(folder, "a.tsv"), "s01\tThe cat sat.\n\ns02\tA dog.\n");
    writeFileSync(join(folder, "b.txt"), "<s> ten of clubs  </s> (001)\nfour queen (002)\n");
    writeFileSync(join(folder, "c.txt"), "s01 no tab and no id\n");
    expect([...(await readTranscripts(join(folder, "a.tsv")))]).toEqual([
      ["s01", "The cat sat."],
      ["s02", "A dog."],
    ]);
    expect([...(await readTranscripts(join(folder, "b.txt")))]).toEqual([
      ["001", "ten of clubs"],
      ["002", "four queen"],
    ]);
    await expect(readTranscripts(join(folder, "c.txt"))).rejects.toThrow(/c\.txt:1: expected "id<TAB>text"/);
    await expect(readTranscripts(join(folder, "none.txt"))).rejects.toThrow(
      /none\.txt: expected a readable transcript file, found ENOENT/,
    );
  });
});
