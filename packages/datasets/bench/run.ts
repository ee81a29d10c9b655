/**
 * `pnpm bench` for @vox/datasets, run against the built package (dist/, as `vox prepare` runs): feature preparation throughput (seconds of audio per second of wall time) on the
 * shipped demo corpus with the seed FeatureSpec, with 1 and 2 worker threads (each run into a fresh cache, worker
 * start-up included), and on the demo corpus listed 8 times over (1200 files, ~39 min: closer to a real corpus, where
 * start-up no longer counts), and how fast a FeatureStore serves seed-sized batches from disk.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { seedFeatureSpec } from "@vox/dsp";
import { demoCorpusPath, FeatureStore, prepareFeatures, readCorpus } from "@vox/datasets";

const demo = await readCorpus(demoCorpusPath());
const eightfold = {
  ...demo,
  utterances: Array.from({ length: 8 }, (_, k) =>
    demo.utterances.map((u) => ({ ...u, id: `${u.id}-copy${k}` })),
  ).flat(),
};
const runs = 3;
console.log(`@vox/datasets bench: seed spec, ${availableParallelism()} cores, median of ${runs}`);

let lastCache = "";
for (const [label, corpus] of [
  ["demo corpus", demo],
  ["demo corpus x8", eightfold],
] as const) {
  for (const workers of [1, 2]) {
    const rates: number[] = [];
    let audio = 0;
    for (let run = 0; run < runs; run++) {
      const cache = mkdtempSync(join(tmpdir(), "vox-bench-"));
      const summary = await prepareFeatures(corpus, seedFeatureSpec, cache, { workers });
      audio = summary.audioSeconds;
      rates.push(summary.audioSeconds / summary.elapsedSeconds);
      if (lastCache) rmSync(lastCache, { recursive: true, force: true });
      lastCache = cache;
    }
    rates.sort((a, b) => a - b);
    console.log(
      `prepare ${label} (${corpus.utterances.length} files, ${audio.toFixed(0)} s of audio), ${workers} worker${workers > 1 ? "s" : ""}: ${rates[1]?.toFixed(0)} s of audio/s (range ${rates[0]?.toFixed(0)}-${rates[2]?.toFixed(0)})`,
    );
  }
}

const reuse = await prepareFeatures(eightfold, seedFeatureSpec, lastCache, { workers: 2 });
console.log(
  `prepare, unchanged re-run: ${reuse.elapsedSeconds.toFixed(2)} s (${reuse.reused} reused, ${reuse.processed} processed)`,
);

const store = await FeatureStore.open(lastCache, { cropFrames: 256, seed: 0 });
const out = new Float32Array(2 * store.bins * 256);
for (let i = 0; i < 50; i++) store.sampleBatch(2, out);
const start = performance.now();
const batches = 2000;
for (let i = 0; i < batches; i++) store.sampleBatch(2, out);
const seconds = (performance.now() - start) / 1000;
console.log(
  `FeatureStore: ${(batches / seconds).toFixed(0)} batches/s of 2 x 256 x 256 crops (${((seconds / batches) * 1000).toFixed(2)} ms each)`,
);
rmSync(lastCache, { recursive: true, force: true });
