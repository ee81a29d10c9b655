import { rmSync } from "node:fs";
import { join } from "node:path";
import { type FeatureSpec, seedFeatureSpec, silenceValue } from "@vox/dsp";
import { beforeAll, describe, expect, it } from "vitest";
import { FeatureCacheError, SpeakerError } from "./errors.js";
import { FeatureStore } from "./feature-store.js";
import { prepareFeatures } from "./prepare.js";
import { sentenceKey } from "./split.js";
import { temporaryFolder, voice, wavBytes, writeTree } from "./test-support.js";

/** dB features (not [0, 1]) so silence is a clearly non-zero value: padding with 0 would show. */
const spec: FeatureSpec = { ...seedFeatureSpec, nFft: 256, winLength: 256, hop: 64, unitScale: false };
const crop = 48;

/**
 * Three speakers saying the same 10 sentences; "many" also has 20 extra long utterances (balance must not follow
 * utterance counts); sentence s9 is short (about 30 frames) to exercise padding.
 */
async function makeCache(): Promise<string> {
  const files: Record<string, Uint8Array | string> = { "transcripts.tsv": "" };
  let table = "";
  for (let s = 0; s < 10; s++) table += `s${s}\tSentence number ${s}.\n`;
  files["transcripts.tsv"] = table;
  for (const [speaker, f0] of [
    ["few", 110],
    ["many", 180],
    ["other", 250],
  ] as const) {
    for (let s = 0; s < 10; s++) {
      const seconds = s === 9 ? 0.12 : 0.5 + 0.05 * s;
      files[`${speaker}/s${s}.wav`] = wavBytes(
        voice({ f0, seconds: s === 9 ? 0.6 : seconds, brightness: 600 + 40 * s }).subarray(
          0,
          Math.round(seconds * 16000),
        ),
      );
    }
  }
  for (let e = 0; e < 20; e++) files[`many/extra${e}.wav`] = wavBytes(voice({ f0: 180, seconds: 1 }));
  const corpus = writeTree(temporaryFolder(), files);
  const cache = temporaryFolder();
  await prepareFeatures(corpus, spec, cache, { workers: 0, minSeconds: 0.1 });
  return cache;
}

describe("FeatureStore", () => {
  let cache = "";
  beforeAll(async () => {
    cache = await makeCache();
  });

  it("the same seed gives the same batches; a saved rngState resumes the sequence; another seed differs", async () => {
    const a = await FeatureStore.open(cache, { cropFrames: crop, seed: 7 });
    const b = await FeatureStore.open(cache, { cropFrames: crop, seed: 7 });
    const c = await FeatureStore.open(cache, { cropFrames: crop, seed: 8 });
    const batchA = a.sampleBatch(4);
    expect(batchA.features.length).toBe(4 * 128 * crop);
    const batchB = b.sampleBatch(4);
    expect(Array.from(batchB.labels)).toEqual(Array.from(batchA.labels));
    expect(batchB.utterances.map((u) => u.id)).toEqual(batchA.utterances.map((u) => u.id));
    expect(batchB.features).toEqual(batchA.features);
    expect(c.sampleBatch(4).features).not.toEqual(batchA.features);
    const state = a.rngState;
    const next = a.sampleBatch(3);
    // Resuming = the same seed (it also fixes the validation split) + the saved sampler state.
    const resumed = await FeatureStore.open(cache, { cropFrames: crop, seed: 7 });
    resumed.sampleBatch(5);
    resumed.rngState = state;
    const again = resumed.sampleBatch(3);
    expect(Array.from(again.labels)).toEqual(Array.from(next.labels));
    expect(again.features).toEqual(next.features);
  });

  it("holds out whole sentences for every speaker, keeping each speaker's training audio", async () => {
    const store = await FeatureStore.open(cache, { cropFrames: crop, validationFraction: 0.2, seed: 1 });
    const held = new Set(store.validation.map(sentenceKey));
    expect(held.size).toBe(6); // 20% of the 30 distinct sentences (10 shared + 20 extra)
    for (const utterance of store.train) expect(held.has(sentenceKey(utterance))).toBe(false);
    const shared = store.validation.filter((u) => u.transcript);
    for (const key of new Set(shared.map(sentenceKey))) {
      expect(shared.filter((u) => sentenceKey(u) === key).map((u) => u.speaker)).toEqual(["few", "many", "other"]);
    }
    const other = await FeatureStore.open(cache, { cropFrames: crop, validationFraction: 0.2, seed: 2 });
    expect(other.validation.map((u) => `${u.speaker}/${u.id}`)).not.toEqual(
      store.validation.map((u) => `${u.speaker}/${u.id}`),
    );
    // splitSeed holds out seed 1's sentences whatever the seed, which still moves the sampler.
    const sameSplit = await FeatureStore.open(cache, {
      cropFrames: crop,
      validationFraction: 0.2,
      seed: 2,
      splitSeed: 1,
    });
    expect(sameSplit.validation.map((u) => `${u.speaker}/${u.id}`)).toEqual(
      store.validation.map((u) => `${u.speaker}/${u.id}`),
    );
    expect(sameSplit.sampleBatch(4).features).not.toEqual(store.sampleBatch(4).features);
  });

  it("batches are speaker-balanced, not utterance-weighted", async () => {
    const store = await FeatureStore.open(cache, { cropFrames: crop, seed: 3 });
    const counts = [0, 0, 0];
    for (let i = 0; i < 300; i++)
      for (const label of store.sampleBatch(2).labels) counts[label] = (counts[label] ?? 0) + 1;
    for (const count of counts) expect(count).toBeGreaterThan(150);
    for (const count of counts) expect(count).toBeLessThan(250);
  });

  it("a crop of a short utterance is padded with the spec's silence value on either side, at a random offset", async () => {
    const store = await FeatureStore.open(cache, { cropFrames: crop, seed: 4, validationFraction: 0 });
    const short = store.train.find((u) => u.speaker === "few" && u.id === "s9");
    expect(short?.frames).toBeLessThan(crop);
    if (!short) return;
    const whole = store.readUtterance(short);
    const silence = Math.fround(silenceValue(spec));
    expect(store.silence).toBe(silenceValue(spec));
    expect(silence).toBeLessThan(-100);
    const offsets = new Set<number>();
    const out = new Float32Array(store.bins * crop);
    for (let trial = 0; trial < 30; trial++) {
      store.cropInto(short, out);
      // Find where the utterance landed by matching its first frame in a loud bin.
      const bin = 10;
      let offset = -1;
      for (let c = 0; c + short.frames <= crop && offset < 0; c++) {
        if (out[bin * crop + c] === whole.data[bin * short.frames]) offset = c;
      }
      expect(offset).toBeGreaterThanOrEqual(0);
      offsets.add(offset);
      for (let f = 0; f < store.bins; f++) {
        for (let c = 0; c < crop; c++) {
          const inside = c >= offset && c < offset + short.frames;
          const expected = inside ? whole.data[f * short.frames + c - offset] : silence;
          expect(out[f * crop + c]).toBe(expected);
        }
      }
    }
    expect(offsets.size).toBeGreaterThan(5);
    expect(offsets.has(0)).toBe(true);
  });

  it("a crop of a long utterance is a contiguous window of it", async () => {
    const store = await FeatureStore.open(cache, { cropFrames: crop, seed: 5, validationFraction: 0 });
    const long = store.train.find((u) => u.frames > crop + 20);
    if (!long) throw new Error("fixture has no long utterance");
    const whole = store.readUtterance(long);
    const out = new Float32Array(store.bins * crop);
    store.cropInto(long, out);
    let start = -1;
    for (let s = 0; s + crop <= long.frames && start < 0; s++) {
      let same = true;
      for (let f = 0; f < store.bins && same; f += 17)
        same =
          out[f * crop] === whole.data[f * long.frames + s] &&
          out[f * crop + crop - 1] === whole.data[f * long.frames + s + crop - 1];
      if (same) start = s;
    }
    expect(start).toBeGreaterThanOrEqual(0);
  });

  it("too little audio for a speaker, a missing cache or a missing feature file are clear errors", async () => {
    await expect(FeatureStore.open(cache, { cropFrames: 4000 })).rejects.toThrow(SpeakerError);
    await expect(FeatureStore.open(cache, { cropFrames: 4000 })).rejects.toThrow(
      /speaker "few" .* expected at least 16.00 s \(4000 frames\) of training audio, found/,
    );
    await expect(FeatureStore.open(temporaryFolder(), { cropFrames: crop })).rejects.toThrow(/run `vox prepare` first/);
    await expect(FeatureStore.open(cache, { cropFrames: 0 })).rejects.toThrow(/cropFrames/);
    const copy = await makeCache();
    const store = await FeatureStore.open(copy, { cropFrames: crop, validationFraction: 0 });
    const victim = store.train[0];
    if (!victim) throw new Error("empty store");
    rmSync(join(copy, victim.file));
    expect(() => store.readUtterance(victim)).toThrow(FeatureCacheError);
    expect(() => store.readUtterance(victim)).toThrow(victim.file);
  });
});
