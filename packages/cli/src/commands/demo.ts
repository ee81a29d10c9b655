import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { demoCorpusPath, prepareFeatures, readCorpus, stderrProgress } from "@vox/datasets";
import { mel80FeatureSpec } from "@vox/dsp";
import { evaluateRun, formatEvalTable } from "@vox/eval";
import { abortOnSignals, resolveTrainConfig, StarGanTrainer, stderrTrainProgress } from "@vox/train";
import { note, output } from "../io.js";
import { reportCommand } from "./report.js";

export interface DemoFlags {
  out: string;
  steps: string;
  asr?: boolean;
  json?: boolean;
}

/**
 * The whole pipeline on the shipped demo corpus: prepare (80-band log-mel) -> train `tiny` -> convert every
 * held-out sentence to every other speaker and score it against the baselines -> the experiment record.
 */
export async function demoCommand(flags: DemoFlags): Promise<void> {
  const started = performance.now();
  const out = resolve(flags.out);
  const cache = join(out, "data");
  const runDir = join(out, "run");
  const corpus = await readCorpus(demoCorpusPath());
  note(
    `demo: ${corpus.speakers.length} voices x ${corpus.utterances.length / corpus.speakers.length} sentences from ${corpus.root}`,
  );
  await prepareFeatures(corpus, mel80FeatureSpec, cache, {
    workers: 2,
    overwrite: true,
    onProgress: stderrProgress("prepare"),
  });
  await rm(runDir, { recursive: true, force: true });
  const steps = Number(flags.steps);
  const config = await resolveTrainConfig({
    preset: "tiny",
    overrides: {
      steps,
      batchSize: 4,
      cropFrames: 32,
      checkpointEvery: steps,
      sampleEvery: steps,
      logEvery: 5,
      samples: { utterances: 2, maxTargets: 5 },
    },
  });
  const trainer = await StarGanTrainer.create(runDir, cache, config);
  const { signal, dispose } = abortOnSignals();
  try {
    await trainer.train({ signal, onProgress: stderrTrainProgress() });
  } finally {
    dispose();
    trainer.dispose();
  }
  const report = await evaluateRun(runDir, {
    maxUtterances: 5,
    maxTargets: corpus.speakers.length - 1,
    asr: flags.asr === false ? null : "auto",
    log: note,
  });
  process.stderr.write(`${formatEvalTable(report)}\n`);
  const html = await reportCommand(runDir, {}, false);
  const seconds = (performance.now() - started) / 1000;
  output(
    flags.json === true,
    { report: html, seconds, summary: report.summary },
    `demo finished in ${seconds.toFixed(0)} s; the experiment record: ${html}`,
  );
}
