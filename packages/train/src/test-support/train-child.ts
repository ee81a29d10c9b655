/**
 * A training process for the signal and kill -9 tests: trains `tiny` on the cache given, checkpointing every
 * 2 steps, with SIGINT/SIGTERM wired as the CLI wires them. Prints "step N" after each step. A third argument
 * "replica" computes half of each batch on a replica thread (the tiny preset's default batch does) and writes no
 * checkpoint until stopped.
 */
import { resolveTrainConfig, StarGanTrainer } from "../index.js";
import { abortOnSignals } from "../signals.js";

const [runDir, cache, mode] = process.argv.slice(2) as [string, string, string | undefined];
const config = await resolveTrainConfig({
  preset: "tiny",
  overrides: {
    steps: 10_000,
    // "replica": tiny's own batch of 8 (two micro-batches, one on a replica thread) and crop of 64.
    ...(mode === "replica" ? {} : { batchSize: 4, cropFrames: 32 }),
    checkpointEvery: 2,
    logEvery: 1,
    sampleEvery: 1_000_000,
    samples: { utterances: 0 },
    // No checkpoint (file I/O, a turn of the event loop) between the steps: only the signal stops it.
    ...(mode === "replica" ? { checkpointEvery: 1_000_000 } : {}),
  },
});
const trainer = await StarGanTrainer.create(runDir, cache, config, () => {});
const { signal, dispose } = abortOnSignals(() => {});
const result = await trainer.train({ signal, onProgress: (p) => process.stdout.write(`step ${p.step}\n`) });
dispose();
process.stdout.write(`stopped ${result.stopped} at ${result.step}\n`);
