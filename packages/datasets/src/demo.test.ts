import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeWav, seedFeatureSpec } from "@vox/dsp";
import { describe, expect, it } from "vitest";
import { readCorpus } from "./detect.js";
import { demoCorpusPath } from "./demo.js";
import { FeatureStore } from "./feature-store.js";
import { prepareFeatures } from "./prepare.js";
import { temporaryFolder } from "./test-support.js";

function folderBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    total += entry.isDirectory() ? folderBytes(join(path, entry.name)) : statSync(join(path, entry.name)).size;
  }
  return total;
}

describe("demo corpus", () => {
  it("is a parallel folder-per-speaker corpus: 5 voices x 30 sentences with transcripts, 16 kHz mono, under 10 MB", async () => {
    const root = demoCorpusPath();
    expect(folderBytes(root)).toBeLessThan(10 * 1024 * 1024);
    const corpus = await readCorpus(root);
    expect(corpus.layout).toBe("folder");
    expect(corpus.speakers).toEqual(["espeak-f", "espeak-m", "kal", "ked", "slt"]);
    expect(corpus.utterances.length).toBe(150);
    const sentences = new Map<string, Set<string>>();
    for (const utterance of corpus.utterances) {
      expect(utterance.transcript, utterance.path).toMatch(/^[A-Z].+\.$/);
      sentences.set(utterance.id, (sentences.get(utterance.id) ?? new Set()).add(utterance.speaker));
      const wav = decodeWav(readFileSync(utterance.path), utterance.path);
      expect([wav.sampleRate, wav.info.channels, wav.info.bitDepth]).toEqual([16000, 1, 16]);
      expect(wav.samples.length / 16000).toBeGreaterThan(0.8);
      expect(wav.samples.length / 16000).toBeLessThan(4);
    }
    for (const speakers of sentences.values()) expect(speakers.size).toBe(5);
  });

  it("prepares with the seed spec and samples seed-sized crops", async () => {
    const cache = temporaryFolder();
    const summary = await prepareFeatures(demoCorpusPath(), seedFeatureSpec, cache, { workers: 2 });
    expect(summary.failures).toEqual([]);
    expect(summary.processed).toBe(150);
    const store = await FeatureStore.open(cache, { cropFrames: 256, seed: 0 });
    expect(store.validation.length).toBe(15); // 3 of 30 sentences x 5 voices
    const batch = store.sampleBatch(2);
    expect([batch.bins, batch.frames, batch.features.length]).toEqual([256, 256, 2 * 256 * 256]);
    for (const v of batch.features) expect(v >= 0 && v <= 1).toBe(true);
  });
});
