/**
 * A training process for the signal and kill -9 tests: trains `tiny` on the cache given, checkpointing every
 * 2 steps, with SIGINT/SIGTERM wired as the CLI wires them. Prints "step N" after each step.
 */
import { resolveTrainConfig, StarGanTrainer } from "../src/index.js";
import { abortOnSignals } from "../src/signals.js";

const [runDir, cache] = process.argv.slice(2) as [string, string];
const config = await resolveTrainConfig({
  preset: "tiny",
  overrides: {
    steps: 10_000,
    batchSize: 4,
    cropFrames: 32,
    checkpointEvery: 2,
    logEvery: 1,
    sampleEvery: 1_000_000,
    samples: { utterances: 0 },
  },
});
const trainer = await StarGanTrainer.create(runDir, cache, config, () => {});
const { signal, dispose } = abortOnSignals(() => {});
const result = await trainer.train({ signal, onProgress: (p) => process.stdout.write(`step ${p.step}\n`) });
dispose();
process.stdout.write(`stopped ${result.stopped} at ${result.step}\n`);
