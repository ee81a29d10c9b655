/**
 * The recipe sweep: candidate recipes trained on the shipped demo corpus and scored by `vox eval` on its held-out
 * sentences, one recipe after another on the same machine, into one table (representation, preset, crop, steps,
 * learning rates, loss weights, normalisation, upsampling; training seconds; every eval figure beside the
 * mean/variance baseline and the resynthesis of the same run).
 *
 *   pnpm --filter @vox/cli sweep [--only name,name] [--out DIR] [--utterances N] [--postfilters a,b] [--human]
 *
 * Features are prepared once per representation under DIR/data-<spec>; each recipe's run is DIR/<name>;
 * DIR/results.json accumulates rows (a recipe already in it is skipped unless --again). Prints the table.
 * --human also converts the human reader of Debian's pocketsphinx-testdata to every voice (the demo's outside
 * recordings) and adds their WER, the five voices' mean, to the row.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { demoCorpusPath, prepareFeatures, readCorpus } from "@vox/datasets";
import { type ConversionPostfilter, featureSpecs } from "@vox/dsp";
import { writeFileAtomic } from "@vox/dsp/node";
import { evaluateRun, type SystemSummary } from "@vox/eval";
import { readRunRecord, resolveTrainConfig, StarGanTrainer } from "@vox/train";
import { humanRecordings } from "../src/commands/demo.js";

interface Recipe {
  name: string;
  spec: keyof typeof featureSpecs;
  preset: string;
  /** TrainConfig fields over the preset's. */
  set: Record<string, unknown>;
}

const lr = (rate: number) => ({
  generatorOptimizer: { type: "adam", learningRate: rate, beta1: 0.5, beta2: 0.999 },
  discriminatorOptimizer: { type: "adam", learningRate: rate, beta1: 0.5, beta2: 0.999 },
});
const common = { checkpointEvery: 100_000, sampleEvery: 100_000, logEvery: 10, samples: { utterances: 0 } };

/** The demo recipe's compute (600 steps of 4 x 64 frames) with speaker normalisation and a residual generator. */
const residualSpeaker = {
  steps: 600,
  batchSize: 4,
  cropFrames: 64,
  normalization: "speaker",
  model: { generator: { residual: true } },
};

/** The demo recipe's TrainConfig fields (steps included), as the sweep's rows change them one at a time. */
const demoSet = { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global" };

/** A tiny-cepstral world recipe under `seeds` (default 0-2): `name`, `name-seed1`, ... (seed 0 keeps the bare name). */
function underSeeds(name: string, set: Record<string, unknown>, seeds: readonly number[] = [0, 1, 2]): Recipe[] {
  return seeds.map((seed) => ({
    name: `${name}${seed === 0 ? "" : `-seed${seed}`}`,
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...set, seed },
  }));
}

/** The demo recipe's warm-up with the generator told the source too (the ninth session's candidates). */
const sourceAndTarget = {
  ...demoSet,
  generatorWarmup: 300,
  model: { generator: { condition: "source-and-target" } },
};

/** The source-and-target recipe at `steps` GAN steps with `change` over it, under seeds 0-2. */
function sourceAndTargetSeeds(name: string, steps: number, change: Record<string, unknown> = {}): Recipe[] {
  return underSeeds(name, { ...sourceAndTarget, steps, ...change });
}

/**
 * The source-and-target recipe at `steps` under seeds 100 + k and 200 + k on the split of seed k, for each k of
 * `splits`: with the run of seed k, an ensemble's three members (`world-tiny-cepstral-<steps>-warm300-st-split<k>-seed<s>`).
 */
function sameSplitSeeds(steps: number, splits: readonly number[]): Recipe[] {
  return splits.flatMap((split) =>
    [100, 200].map((offset) => ({
      name: `world-tiny-cepstral-${steps}-warm300-st-split${split}-seed${offset + split}`,
      spec: "world" as const,
      preset: "tiny-cepstral",
      set: { ...sourceAndTarget, steps, seed: offset + split, splitSeed: split },
    })),
  );
}

/** One change at a time from the demo recipe of record (mel80 / tiny / 32 frames / 600 steps). */
const recipes: Recipe[] = [
  { name: "mel80-tiny-demo", spec: "mel80", preset: "tiny", set: { steps: 600, batchSize: 4, cropFrames: 32 } },
  {
    name: "world-tiny-global",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global" },
  },
  {
    name: "world-tiny-speaker",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "speaker" },
  },
  {
    name: "world-tiny-speaker-lr2e-4",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "speaker", ...lr(2e-4) },
  },
  {
    name: "world-tiny-speaker-id1",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "speaker", lambda: { identity: 1 } },
  },
  {
    name: "world-tiny-global-cls5",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global", lambda: { cls: 5 } },
  },
  {
    name: "world-tiny-global-id1",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global", lambda: { identity: 1 } },
  },
  {
    name: "world-tiny-global-1000",
    spec: "world",
    preset: "tiny",
    set: { steps: 1000, batchSize: 4, cropFrames: 64, normalization: "global" },
  },
  {
    name: "world-tiny-global-1000-decay0.9",
    spec: "world",
    preset: "tiny",
    set: { steps: 1000, batchSize: 4, cropFrames: 64, normalization: "global", decayFrom: 0.9 },
  },
  {
    name: "world-tiny-global-2400",
    spec: "world",
    preset: "tiny",
    set: { steps: 2400, batchSize: 4, cropFrames: 64, normalization: "global" },
  },
  // The same compute as world-tiny-global (600 steps x 4 x 64 frames), spent differently.
  {
    name: "world-tiny-global-crop128",
    spec: "world",
    preset: "tiny",
    set: { steps: 300, batchSize: 4, cropFrames: 128, normalization: "global" },
  },
  {
    name: "world-tiny-global-cyc5",
    spec: "world",
    preset: "tiny",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global", lambda: { cycle: 5 } },
  },
  {
    // The architecture alone changed: tiny's losses, learning rates and decay, in about the same training time.
    name: "world-stargan-vc",
    spec: "world",
    preset: "stargan-vc",
    set: {
      steps: 200,
      batchSize: 4,
      cropFrames: 64,
      normalization: "global",
      lambda: { cls: 1, cycle: 10, identity: 5 },
      decayFrom: 0.4,
      ...lr(1e-3),
    },
  },
  {
    // StarGAN-VC2's conditional adversarial loss, at tiny's scale: the discriminator judges realness for the
    // (source, target) pair, so the generator is pushed toward the target's spectra, not only any real voice's.
    name: "world-tiny-vc2",
    spec: "world",
    preset: "tiny-vc2",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global" },
  },
  {
    // The discriminator classifies every patch (StarGAN-VC's classifier), not the crop as a whole: the
    // generator cannot satisfy it with the crop's average alone.
    name: "world-tiny-global-patchcls",
    spec: "world",
    preset: "tiny",
    set: {
      steps: 600,
      batchSize: 4,
      cropFrames: 64,
      normalization: "global",
      model: { discriminator: { classifier: "patch" } },
    },
  },
  {
    // 1-D convolutions over time on the cepstral rows (generator and discriminator), the discriminator
    // classifying every patch: each conv sees all coefficients of a few frames.
    name: "world-temporal",
    spec: "world",
    preset: "temporal",
    set: {
      steps: 600,
      batchSize: 4,
      cropFrames: 64,
      normalization: "global",
      model: { generator: { norm: "instance" } },
    },
  },
  {
    // The temporal generator with batch norm, the input added to its output and identity at 1, judged by a
    // smaller temporal discriminator (the larger one won outright against it).
    name: "world-temporal-residual-id1",
    spec: "world",
    preset: "temporal",
    set: {
      steps: 600,
      batchSize: 4,
      cropFrames: 64,
      normalization: "global",
      lambda: { identity: 1 },
      model: { generator: { residual: true }, discriminator: { channels: [16, 32, 64] } },
    },
  },
  {
    // A stronger classification weight, now that the classifier cannot be satisfied by a crop's averages.
    name: "world-tiny-cepstral-cls2",
    spec: "world",
    preset: "tiny-cepstral",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global", lambda: { cls: 2 } },
  },
  {
    // The longer recipe: the demo's, four times the steps (about 15 minutes of training on 2 cores).
    name: "world-tiny-cepstral-2400",
    spec: "world",
    preset: "tiny-cepstral",
    set: { steps: 2400, batchSize: 4, cropFrames: 64, normalization: "global" },
  },
  {
    name: "world-tiny-cepstral-d256",
    spec: "world",
    preset: "tiny-cepstral",
    set: {
      steps: 600,
      batchSize: 4,
      cropFrames: 64,
      normalization: "global",
      model: { discriminator: { channels: [64, 128, 256] } },
    },
  },
  {
    // world-tiny-cepstral with rows scaled by their own speaker's statistics (source in, target out): a generator
    // that returned its input would be the mean/variance shift (an untrained one returns noise).
    name: "world-tiny-cepstral-speaker",
    spec: "world",
    preset: "tiny-cepstral",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "speaker" },
  },
  // ... with a residual generator (input + a change that starts at zero): the untrained generator is the shift,
  // and training only has to add what the shift lacks; the frames' detail never passes the bottleneck.
  ...[0, 1, 2].map((seed) => ({
    name: `world-tiny-cepstral-speaker-residual${seed === 0 ? "" : `-seed${seed}`}`,
    spec: "world" as const,
    preset: "tiny-cepstral",
    set: { ...residualSpeaker, seed },
  })),
  // The demo recipe (global normalisation) with the residual generator: starts as the identity, not the shift.
  {
    name: "world-tiny-cepstral-residual",
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...residualSpeaker, normalization: "global" },
  },
  // The residual generator stayed at its start (the shift) for 500 of 600 steps: L1 cycle and identity losses
  // have their kink at zero change, and the classifier's pull per element was smaller than their λ 10 + 5. One
  // change each: the classification weight up, or the L1 weights down.
  ...[
    { suffix: "cls10", lambda: { cls: 10 } },
    { suffix: "cyc1-id1", lambda: { cycle: 1, identity: 1 } },
  ].map(({ suffix, lambda }) => ({
    name: `world-tiny-cepstral-speaker-residual-${suffix}`,
    spec: "world" as const,
    preset: "tiny-cepstral",
    set: { ...residualSpeaker, lambda },
  })),
  // The demo recipe under other seeds: how far one GAN run's scores move by chance (initial weights, crops).
  ...[1, 2].map((seed) => ({
    name: `world-tiny-cepstral-seed${seed}`,
    spec: "world" as const,
    preset: "tiny-cepstral",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global", seed },
  })),
  // Sixth session: the demo recipe's generator reconstructs its input poorly (identity L1 0.40 standard
  // deviations after 600 steps), so frame detail, the words, is lost in the 4x4-smaller bottleneck. One change each:
  // one stride-2 level instead of two (the bottleneck at 18 x 32), or twice the residual blocks.
  {
    name: "world-tiny-cepstral-down1",
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...demoSet, model: { generator: { downsamplings: 1 } } },
  },
  // The discriminator's update is a tenth of the step (37 of 366 ms on one thread): two per generator update make
  // its classifier and realness judgement stronger for about 10 % more time.
  { name: "world-tiny-cepstral-critic2", spec: "world", preset: "tiny-cepstral", set: { ...demoSet, nCritic: 2 } },
  // The same frames per step in twice the crops of half the length: more utterances per batch (and per
  // BatchNorm statistic).
  {
    name: "world-tiny-cepstral-b8-crop32",
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...demoSet, batchSize: 8, cropFrames: 32 },
  },
  // The generator warmed up as an autoencoder (generatorWarmup: identity L1 alone, 300 or 600 updates at about a
  // tenth of a step each) before the demo recipe's 600 GAN steps, under the three seeds.
  ...[300, 600].flatMap((warmup) =>
    underSeeds(`world-tiny-cepstral-warm${warmup}`, { ...demoSet, generatorWarmup: warmup }),
  ),
  // Twice the demo's GAN steps after the warm-up (what the demo's 10 minutes still hold on 2 cores).
  ...underSeeds("world-tiny-cepstral-1200-warm300", { ...demoSet, steps: 1200, generatorWarmup: 300 }),
  // Four times the demo's GAN steps with the demo's warm-up (about 15 minutes on 2 cores before the seventh
  // session's kernels, about 4 after), under the three seeds.
  ...underSeeds("world-tiny-cepstral-2400-warm300", { ...demoSet, steps: 2400, generatorWarmup: 300 }),
  // Seventh session: with the native batch norm and conv kernels a step takes a third of the time, so the longer
  // recipe's hour holds far more: twice its steps, or the generator at twice the channels (4x its convolutions).
  {
    name: "world-tiny-cepstral-4800-warm300",
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...demoSet, steps: 4800, generatorWarmup: 300 },
  },
  {
    name: "world-tiny-cepstral-c32-2400-warm300",
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...demoSet, steps: 2400, generatorWarmup: 300, model: { generator: { baseChannels: 32 } } },
  },
  // The demo recipe with the generator told the source speaker too (StarGAN-VC2's source-and-target code on
  // tiny's tiled labels): each pair, kal -> ked among them, learned as such. Under the three seeds.
  ...sourceAndTargetSeeds("world-tiny-cepstral-2400-warm300-st", 2400),
  // The same with the identity term doubled (λ id 10): the source-and-target generator converts more and keeps
  // fewer words; identity is the term that ties its output to its input's content.
  ...sourceAndTargetSeeds("world-tiny-cepstral-2400-warm300-st-id10", 2400, { lambda: { identity: 10 } }),
  // Tenth session: the cycle term doubled (λ cyc 20) with it: the reconstruction through the target voice is the
  // term that asks the conversion to keep what the source said.
  ...sourceAndTargetSeeds("world-tiny-cepstral-2400-warm300-st-cyc20", 2400, { lambda: { cycle: 20 } }),
  // The longer recipe with it: twice the GAN steps, under the three seeds.
  ...sourceAndTargetSeeds("world-tiny-cepstral-4800-warm300-st", 4800),
  // ... and with the cycle term doubled.
  ...sourceAndTargetSeeds("world-tiny-cepstral-4800-warm300-st-cyc20", 4800, { lambda: { cycle: 20 } }),
  // Thirteenth session: four times the demo's GAN steps (about 15 minutes of training here, a quarter of the
  // longer recipe's hour): does the longer recipe meet its targets under every seed, not only on the mean?
  ...sourceAndTargetSeeds("world-tiny-cepstral-9600-warm300-st", 9600),
  // Fourteenth session: the longer recipe (longerRecipe: the same, converted with the source's detail) met its WER
  // target under two seeds of these three; two more seeds say how often it does.
  ...underSeeds("world-tiny-cepstral-9600-warm300-st", { ...sourceAndTarget, steps: 9600 }, [3, 4]),
  // Fifteenth session: the demo recipe under two more seeds on each of the splits of seeds 0-2 (splitSeed holds
  // out the same sentences): how far it moves by initial weights and crops alone, and an ensemble's members
  // (evaluateRun's `ensemble`: the generators' outputs averaged).
  ...sameSplitSeeds(2400, [0, 1, 2]),
  // ... and the longer recipe's (9600 steps) on the splits where a single run missed its WER target.
  ...sameSplitSeeds(9600, [2, 3, 4]),
  // Eleventh session: the demo recipe with its training crops' mel-cepstra warped by an all-pass constant in
  // [-0.05, 0.05] (vocal-tract length perturbation, about +-9 % formant frequency): the human reader from outside
  // the corpus loses more words than the shift into the espeak-ng voices, as if its envelopes were out of the
  // generator's input distribution.
  ...sourceAndTargetSeeds("world-tiny-cepstral-2400-warm300-st-vtlp05", 2400, { warpAugmentation: 0.05 }),
  // ... and the rows scaled by each speaker's own statistics instead of the corpus' (StarGAN-VC's per-speaker
  // normalisation): a voice from outside the corpus then enters with its own mean and spread, as every training
  // speaker did, and the untrained generator already is the mean/variance shift.
  ...sourceAndTargetSeeds("world-tiny-cepstral-2400-warm300-st-speaker", 2400, { normalization: "speaker" }),
  // ... at twice the GAN steps: under per-speaker scaling the generator starts from the shift and keeps the
  // human reader's words, but reaches the target less often within 2400 steps (twelfth session: 4800 steps reach
  // it less often still, 0.675 against 0.75).
  ...sourceAndTargetSeeds("world-tiny-cepstral-4800-warm300-st-speaker", 4800, { normalization: "speaker" }),
  ...sourceAndTargetSeeds("world-tiny-cepstral-2400-warm300-st-vtlp10", 2400, { warpAugmentation: 0.1 }),
  {
    name: "world-tiny-cepstral-res4",
    spec: "world",
    preset: "tiny-cepstral",
    set: { ...demoSet, model: { generator: { resBlocks: 4 } } },
  },
  {
    // tiny's generator judged by the temporal discriminator (1-D over time, every patch classified): the one
    // change from world-tiny-global.
    name: "world-tiny-cepstral",
    spec: "world",
    preset: "tiny-cepstral",
    set: { steps: 600, batchSize: 4, cropFrames: 64, normalization: "global" },
  },
];

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
// --postfilters a,b: score world runs with these only (each costs an eval).
const postfilterFlag = flag("--postfilters", "")
  ? (flag("--postfilters", "").split(",") as ConversionPostfilter[])
  : null;
const outDir = flag("--out", "out/sweep");
const only = flag("--only", "")
  .split(",")
  .filter((s) => s);
const utterances = Number(flag("--utterances", "5"));
const again = args.includes("--again");
const human = args.includes("--human");

interface Row {
  recipe: Recipe;
  /** The conversion postfilter the eval used (world runs are scored with and without global variance). */
  postfilter: ConversionPostfilter;
  trainSeconds: number;
  stepsPerSecond: number;
  upsampling: string;
  summary: SystemSummary[];
  /** The human reader converted to every voice (`--human`): the converted and shift summaries of the outside table. */
  human?: SystemSummary[];
}

const resultsPath = join(outDir, "results.json");
const rows: Row[] = JSON.parse(await readFile(resultsPath, "utf8").catch(() => "[]")) as Row[];
const corpus = await readCorpus(demoCorpusPath());
const prepared = new Set<string>();

for (const recipe of recipes) {
  if (only.length > 0 && !only.includes(recipe.name)) continue;
  const postfilters: ConversionPostfilter[] =
    recipe.spec === "world"
      ? (postfilterFlag ?? ["none", "global-variance", "global-variance+source-energy"])
      : ["none"];
  const scored = (postfilter: ConversionPostfilter) =>
    rows.some((r) => r.recipe.name === recipe.name && (r.postfilter ?? "none") === postfilter);
  if (!again && postfilters.every(scored)) continue;
  const data = join(outDir, `data-${recipe.spec}`);
  if (!prepared.has(data)) {
    await prepareFeatures(corpus, featureSpecs[recipe.spec], data, { workers: 2 });
    prepared.add(data);
  }
  const runDir = join(outDir, recipe.name);
  // A recipe trained to the end but not scored with every postfilter is only scored again.
  const finished = await readFile(join(runDir, "training.json"), "utf8").then(
    (text) => (JSON.parse(text) as { elapsedSeconds: number }).elapsedSeconds,
    () => null,
  );
  let trainSeconds = finished ?? 0;
  if (again || finished === null) {
    await rm(runDir, { recursive: true, force: true });
    const config = await resolveTrainConfig({ preset: recipe.preset, overrides: { ...common, ...recipe.set } });
    const trainer = await StarGanTrainer.create(runDir, data, config, () => {});
    const started = performance.now();
    try {
      await trainer.train();
    } finally {
      trainer.dispose();
    }
    trainSeconds = (performance.now() - started) / 1000;
  }
  const record = await readRunRecord(runDir);
  const generator = record.model.generator;
  const upsampling = generator.kind === "stargan-vc2" ? "pixel shuffle" : "transposed conv";
  for (const postfilter of postfilters) {
    if (!again && scored(postfilter)) continue;
    const report = await evaluateRun(runDir, {
      maxUtterances: utterances,
      maxTargets: corpus.speakers.length - 1,
      postfilter,
      ...(human ? { recordings: humanRecordings } : {}),
      log: () => {},
    });
    const row: Row = {
      recipe,
      postfilter,
      trainSeconds,
      stepsPerSecond: record.totalSteps / trainSeconds,
      upsampling,
      summary: report.summary,
      ...(report.outside ? { human: report.outside.summary } : {}),
    };
    const at = rows.findIndex((r) => r.recipe.name === recipe.name && (r.postfilter ?? "none") === postfilter);
    if (at >= 0) rows[at] = row;
    else rows.push(row);
    await writeFileAtomic(resultsPath, `${JSON.stringify(rows, null, 2)}\n`);
  }
  process.stderr.write(`sweep: ${recipe.name} trained in ${trainSeconds.toFixed(0)} s and scored\n`);
}

const cell = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? "-" : v.toFixed(digits));
const pick = (row: Row, system: string) => row.summary.find((s) => s.system === system);
const lines = [
  "| recipe | features | preset | crop | steps | lr G/D | λ cyc/id/cls | norm | postfilter | upsampling | train s | MCD | MCD24 | →target | WER | shift MCD | shift →target | shift WER | resynth WER | human WER | human shift WER |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
];
for (const row of rows) {
  const config = await resolveTrainConfig({ preset: row.recipe.preset, overrides: { ...common, ...row.recipe.set } });
  const c = pick(row, "converted");
  const s = pick(row, "mean/variance shift");
  const r = pick(row, "resynthesis");
  const humanWer = (system: string) => row.human?.find((x) => x.system === system)?.wer;
  lines.push(
    `| ${row.recipe.name} | ${row.recipe.spec} | ${config.preset} | ${config.cropFrames} | ${config.steps} | ${config.generatorOptimizer.learningRate}/${config.discriminatorOptimizer.learningRate} | ${config.lambda.cycle}/${config.lambda.identity}/${config.lambda.cls} | ${config.normalization ?? (row.recipe.spec === "world" ? "global" : "none")} | ${row.postfilter ?? "none"} | ${row.upsampling} | ${row.trainSeconds.toFixed(0)} | ${cell(c?.mcd)} | ${cell(c?.mcdWorld)} | ${cell(c?.targetAccuracy)} | ${cell(c?.wer)} | ${cell(s?.mcd)} | ${cell(s?.targetAccuracy)} | ${cell(s?.wer)} | ${cell(r?.wer)} | ${cell(humanWer("converted"))} | ${cell(humanWer("mean/variance shift"))} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
