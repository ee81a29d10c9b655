import { access, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { note, numberOption, output } from "../io.js";
import { reportCommand } from "./report.js";

/** Debian's pocketsphinx-testdata: five read sentences of one human reader, scored as voices from outside the corpus. */
export const humanRecordings = {
  folder: "/usr/share/pocketsphinx/test/data/librivox",
  transcripts: "/usr/share/pocketsphinx/test/data/librivox/transcription",
};

/** The recipes `vox demo --recipe` trains (@vox/train's `recipes`, named here so the CLI starts without loading it). */
export const demoRecipeNames = ["demo", "longer", "ensemble"] as const;
export type DemoRecipeName = (typeof demoRecipeNames)[number];

function recipeOption(text: string): DemoRecipeName {
  const name = demoRecipeNames.find((n) => n === text);
  if (!name) throw new CliError("--recipe", `one of ${demoRecipeNames.join(", ")}`, JSON.stringify(text));
  return name;
}

export interface DemoFlags {
  out: string;
  recipe: DemoRecipeName;
  steps?: number;
  asr?: boolean;
  json?: boolean;
}

/** `vox demo`: its options, each number parsed once as the command line is read. */
export function addDemoCommand(vox: Command): void {
  vox
    .command("demo")
    .addHelpText("after", `\nExample:\n  $ vox demo --out out/demo`)
    .description(
      "prepare the shipped demo corpus, train a recipe, convert, evaluate and report (a few minutes on 2 cores)",
    )
    .option("--out <dir>", "where the demo's cache and run go", "out/demo")
    .option(
      "--recipe <name>",
      "what to train: demo (2400 steps, a few minutes), longer (9600 steps, about 13 minutes of training) or ensemble (demo three times, averaged; about 12 minutes) (README)",
      recipeOption,
      "demo",
    )
    .option("--steps <n>", "training steps (default: the recipe's)", numberOption("--steps", { integer: true, min: 1 }))
    .option("--no-asr", "skip WER/CER even when pocketsphinx is installed")
    .option("--json", "print the result as JSON")
    .action((flags: DemoFlags) => demoCommand(flags));
}

/**
 * The whole pipeline on the shipped demo corpus: prepare -> train the demo recipe -> convert held-out sentences to
 * every other speaker (and a human reader's recordings to every voice) and score them against the baselines ->
 * the experiment record.
 */
export async function demoCommand(flags: DemoFlags): Promise<void> {
  const [{ demoCorpusPath, prepareFeatures, readCorpus, stderrProgress }, { featureSpecs }, scoring, train] =
    await Promise.all([import("@vox/datasets"), import("@vox/dsp"), import("@vox/eval"), import("@vox/train")]);
  const { evaluateRun, formatEvalTable } = scoring;
  const { abortOnSignals, memberSeeds, recipes, resolveTrainConfig, StarGanTrainer, stderrTrainProgress } = train;
  const recipe = recipes[flags.recipe];
  const started = performance.now();
  const out = resolve(flags.out);
  const cache = join(out, "data");
  const runDir = join(out, "run");
  const corpus = await readCorpus(demoCorpusPath());
  note(
    `demo: ${corpus.speakers.length} voices x ${corpus.utterances.length / corpus.speakers.length} sentences from ${corpus.root}`,
  );
  await prepareFeatures(corpus, featureSpecs[recipe.spec], cache, {
    workers: 2,
    overwrite: true,
    onProgress: stderrProgress("prepare"),
  });
  const steps = flags.steps ?? recipe.steps;
  // An ensemble's runs: `run` as a single run would be, then run-member1, ... on its split under other seeds.
  const runs = memberSeeds(recipe.members).map((seeds, k) => ({
    dir: k === 0 ? runDir : `${runDir}-member${k}`,
    seeds,
  }));
  for (const { dir } of runs) await rm(dir, { recursive: true, force: true });
  const trained: string[] = [];
  for (const [k, { dir, seeds }] of runs.entries()) {
    if (runs.length > 1) note(`demo: run ${k + 1} of ${runs.length} of the ensemble (seed ${seeds.seed}): ${dir}`);
    const config = await resolveTrainConfig({
      preset: recipe.preset,
      overrides: {
        ...recipe.overrides,
        seed: seeds.seed,
        splitSeed: seeds.splitSeed,
        steps,
        checkpointEvery: steps,
        sampleEvery: steps,
        logEvery: 5,
        samples: { utterances: k === 0 ? 2 : 0, maxTargets: 5 },
      },
    });
    const trainer = await StarGanTrainer.create(dir, cache, config);
    const { signal, dispose } = abortOnSignals();
    try {
      await trainer.train({ signal, onProgress: stderrTrainProgress() });
    } finally {
      dispose();
      trainer.dispose();
    }
    trained.push(dir);
    // Interrupted: the runs so far (the last one at its checkpoint) are scored; no more are trained.
    if (signal.aborted) break;
  }
  const human = await access(humanRecordings.transcripts).then(
    () => true,
    () => false,
  );
  if (!human)
    note(`demo: ${humanRecordings.folder} not found (apt-get install pocketsphinx-testdata): no human voice scored`);
  const report = await evaluateRun(runDir, {
    // Two held-out sentences per voice, each to the 4 others: 40 conversions (20 left the figures within +-0.1 of
    // chance swings); all 15 would push the demo past its 10 minutes on pocketsphinx alone.
    maxUtterances: 10,
    maxTargets: corpus.speakers.length - 1,
    asr: flags.asr === false ? null : "auto",
    ...(human ? { recordings: humanRecordings } : {}),
    ...(trained.length > 1 ? { ensemble: trained.slice(1) } : {}),
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
