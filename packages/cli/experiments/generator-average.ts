/**
 * Does an exponential moving average of the generator's weights convert better than the weights themselves? One
 * training of the demo recipe with two EMAs (decay 0.99, 0.995) kept beside it; the raw weights are saved as the
 * checkpoint of step 600 and each EMA as a checkpoint of its own (steps 601, 602: the trainer keeps three), each
 * scored by evaluateRun like the sweep (10 held-out sentences x 4 targets, GV + source energy).
 *
 *   npx tsx --conditions vox-source experiments/generator-average.ts [seed] [outDir]
 */
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { demoCorpusPath, prepareFeatures, readCorpus } from "@vox/datasets";
import { featureSpecs } from "@vox/dsp";
import { evaluateRun } from "@vox/eval";
import { tf } from "@vox/models";
import { demoRecipe, resolveTrainConfig, StarGanTrainer } from "@vox/train";

const seed = Number(process.argv[2] ?? 0);
const out = process.argv[3] ?? "out/generator-average";
const decays = [0.99, 0.995];
const data = `${out}/data-world`;
if (!existsSync(data)) {
  await prepareFeatures(await readCorpus(demoCorpusPath()), featureSpecs.world, data, { workers: 2 });
}
const run = `${out}/seed${seed}`;
await rm(run, { recursive: true, force: true });
const config = await resolveTrainConfig({
  preset: demoRecipe.preset,
  overrides: {
    ...demoRecipe.overrides,
    steps: demoRecipe.steps,
    seed,
    checkpointEvery: 100_000,
    sampleEvery: 100_000,
    samples: { utterances: 0 },
  },
});
const trainer = await StarGanTrainer.create(run, data, config, () => {});
const averages = decays.map((decay) => ({
  decay,
  weights: trainer.generator.getWeights().map((w) => tf.variable(w.clone(), false)),
}));
const started = performance.now();
while (trainer.step < demoRecipe.steps) {
  await trainer.trainStep();
  trainer.step++;
  tf.tidy(() => {
    const now = trainer.generator.getWeights();
    for (const { decay, weights } of averages) {
      weights.forEach((average, i) => {
        average.assign(average.mul(decay).add((now[i] as tf.Tensor).mul(1 - decay)));
      });
    }
  });
}
const seconds = (performance.now() - started) / 1000;
await trainer.checkpoint();
for (const [k, { weights }] of averages.entries()) {
  trainer.generator.setWeights(weights);
  trainer.step = demoRecipe.steps + 1 + k;
  await trainer.checkpoint();
}
await writeFile(`${run}/training.json`, JSON.stringify({ steps: demoRecipe.steps, elapsedSeconds: seconds }));
trainer.dispose();
const lines: string[] = [];
for (const [k, name] of ["weights", ...decays.map((d) => `EMA ${d}`)].entries()) {
  const report = await evaluateRun(run, {
    step: demoRecipe.steps + k,
    maxUtterances: 10,
    maxTargets: 4,
    postfilter: "global-variance+source-energy",
    log: () => {},
  });
  for (const s of report.summary) {
    lines.push(`${name}\t${s.system}\t${s.mcd?.toFixed(2)}\t${s.targetAccuracy?.toFixed(2)}\t${s.wer?.toFixed(2)}`);
  }
}
process.stdout.write(`${lines.join("\n")}\n`);
