import { readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, type FeatureSpec, resample, seedFeatureSpec } from "@vox/dsp";
import { describe, expect, it } from "vitest";
import { readCacheIndex } from "./cache-index.js";
import { loudnessGain, nonSilentRange } from "./conditioning.js";
import { FeatureCacheError } from "./errors.js";
import { readFeatureFileHeader } from "./feature-file.js";
import { prepareFeatures } from "./prepare.js";
import { flacFixture, pcmWav, temporaryFolder, voice, wavBytes, writeTree } from "./test-support.js";

/** A small spec keeps these tests fast; the pipeline is the same for every spec. */
const spec: FeatureSpec = { ...seedFeatureSpec, nFft: 256, winLength: 256, hop: 64 };

/** A float WAV of `b` with one NaN at sample 4000 (the encoder sanitises samples, so it is put in by hand). */
function nanWav(b: Float32Array): Uint8Array {
  const bytes = wavBytes(b, 16000, "32f");
  new DataView(bytes.buffer, bytes.byteOffset).setFloat32(bytes.length - 4 * (b.length - 4000), Number.NaN, true);
  return bytes;
}

function oddCorpus(): string {
  const a = voice({ seconds: 0.6, f0: 120, silence: 0.2 });
  const b = voice({ seconds: 0.6, f0: 220, brightness: 1500, silence: 0.2 });
  return writeTree(temporaryFolder(), {
    "alice/pcm16.wav": wavBytes(a),
    "alice/pcm8.wav": pcmWav([a], 16000, 8),
    "alice/pcm24-44k.wav": wavBytes(resample(a, 16000, 44100), 44100, 24),
    "alice/float-48k.wav": wavBytes(resample(a, 16000, 48000), 48000, "32f"),
    "alice/tone.flac": flacFixture(),
    "bob/stereo.wav": pcmWav([b, b], 16000, 16),
    "bob/quiet.wav": wavBytes(b.map((v) => v * 0.01)),
    "bob/corrupt.wav": wavBytes(b).subarray(0, 40),
    "bob/empty.wav": new Uint8Array(0),
    "bob/silent.wav": wavBytes(new Float32Array(8000)),
    // Dithered silence as sox writes it: every sample -1, 0 or +1 LSB of 16 bits (a peak of -90 dBFS).
    "bob/nan.wav": nanWav(b),
    "bob/dither.wav": wavBytes(Float32Array.from({ length: 32000 }, (_, i) => (((i * 7919) % 3) - 1) / 32768)),
  });
}

describe("prepareFeatures", () => {
  it("odd formats in, corrupt/empty/silent files reported by path and skipped, features as analyze gives them", async () => {
    const corpus = oddCorpus();
    const cache = temporaryFolder();
    const summary = await prepareFeatures(corpus, spec, cache, { workers: 2 });
    expect(summary.complete).toBe(true);
    expect(summary.processed).toBe(7);
    expect(summary.failures.map((f) => f.path.slice(corpus.length + 1)).sort()).toEqual([
      "bob/corrupt.wav",
      "bob/dither.wav",
      "bob/empty.wav",
      "bob/nan.wav",
      "bob/silent.wav",
    ]);
    for (const failure of summary.failures) expect(failure.error).toContain(failure.path);
    expect(summary.failures.find((f) => f.path.endsWith("silent.wav"))?.error).toMatch(/digital silence/);
    // NaN is named as the reason, with the time of the first one (not "too short after trimming").
    expect(summary.failures.find((f) => f.path.endsWith("nan.wav"))?.error).toMatch(/found NaN at 0\.250 s/);
    expect(summary.failures.find((f) => f.path.endsWith("dither.wav"))?.error).toMatch(
      /expected audible speech \(a sample peak above -70 dBFS\), found near-silence \(peak -90\.3 dBFS\)/,
    );

    const index = await readCacheIndex(cache);
    expect(index?.complete).toBe(true);
    expect(index?.speakers).toEqual(["alice", "bob"]);
    expect(index?.corpus.split).toBe("all"); // a folder-per-speaker corpus has no published split: all of it
    expect(index?.utterances.map((u) => `${u.speaker}/${u.id}`)).toEqual([
      "alice/float-48k",
      "alice/pcm16",
      "alice/pcm24-44k",
      "alice/pcm8",
      "alice/tone",
      "bob/quiet",
      "bob/stereo",
    ]);
    // Trimmed: 0.6 s of voice (0.2 s silence each side dropped, to within a frame or two).
    const pcm16 = index?.utterances.find((u) => u.id === "pcm16");
    expect(pcm16?.seconds).toBeGreaterThan(0.55);
    expect(pcm16?.seconds).toBeLessThan(0.7);
    // The stored features are analyze() of the trimmed, loudness-normalised signal.
    const signal = voice({ seconds: 0.6, f0: 120, silence: 0.2 });
    const [start, end] = nonSilentRange(signal, { topDb: 40, frameLength: spec.nFft, hop: spec.hop });
    const trimmed = signal.subarray(start, end);
    const gain = loudnessGain(trimmed, { targetDb: -23 });
    const expected = analyze(
      trimmed.map((v) => v * gain),
      spec,
    );
    const header = readFeatureFileHeader(join(cache, pcm16?.file ?? ""));
    expect(header.frames).toBe(expected.frames);
    expect(header.sum[40]).toBeCloseTo(
      expected.data.subarray(40 * expected.frames, 41 * expected.frames).reduce((s, v) => s + v, 0),
      1,
    );
    // Loudness normalisation makes a 40 dB quieter recording look the same.
    const stats = index?.speakerStatistics;
    expect(stats?.alice?.utterances).toBe(5);
    expect(stats?.bob?.mean.length).toBe(128);
    const bob = index?.utterances
      .filter((u) => u.speaker === "bob")
      .map((u) => readFeatureFileHeader(join(cache, u.file)));
    const [quiet, loud] = bob ?? [];
    expect(
      Math.abs((quiet?.sum[20] ?? 0) / (quiet?.frames ?? 1) - (loud?.sum[20] ?? 0) / (loud?.frames ?? 1)),
    ).toBeLessThan(0.02);
  });

  it("re-runs process only new or changed files, drop removed ones, and give identical files with 0 or 2 workers", async () => {
    const corpus = writeTree(temporaryFolder(), {
      "a/1.wav": wavBytes(voice({ f0: 110 })),
      "a/2.wav": wavBytes(voice({ f0: 115 })),
      "b/1.wav": wavBytes(voice({ f0: 210 })),
    });
    const cache = temporaryFolder();
    const first = await prepareFeatures(corpus, spec, cache, { workers: 0 });
    expect([first.processed, first.reused]).toEqual([3, 0]);
    const bytes = readFileSync(join(cache, "features/a/1.vxf"));

    const again = await prepareFeatures(corpus, spec, cache, { workers: 2 });
    expect([again.processed, again.reused, again.removed]).toEqual([0, 3, 0]);

    writeFileSync(join(corpus, "a/2.wav"), wavBytes(voice({ f0: 130, seconds: 1 })));
    utimesSync(join(corpus, "a/2.wav"), new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(corpus, "b/2.wav"), wavBytes(voice({ f0: 220 })));
    rmSync(join(corpus, "b/1.wav"));
    const changed = await prepareFeatures(corpus, spec, cache, { workers: 2 });
    expect([changed.processed, changed.reused, changed.removed]).toEqual([2, 1, 1]);
    expect(changed.index.utterances.map((u) => `${u.speaker}/${u.id}`)).toEqual(["a/1", "a/2", "b/2"]);
    expect(changed.index.utterances.find((u) => u.id === "2" && u.speaker === "a")?.seconds).toBeGreaterThan(0.9);

    const otherCache = temporaryFolder();
    await prepareFeatures(corpus, spec, otherCache, { workers: 2 });
    expect(readFileSync(join(otherCache, "features/a/1.vxf")).equals(bytes)).toBe(true);

    // A feature file lost from the cache is recomputed.
    rmSync(join(cache, "features/a/1.vxf"));
    expect((await prepareFeatures(corpus, spec, cache, { workers: 0 })).processed).toBe(1);
  });

  it("refuses to mix FeatureSpecs or settings in one cache unless told to overwrite", async () => {
    const corpus = writeTree(temporaryFolder(), {
      "a/1.wav": wavBytes(voice()),
      "b/1.wav": wavBytes(voice({ f0: 200 })),
    });
    const cache = temporaryFolder();
    await prepareFeatures(corpus, spec, cache, { workers: 0 });
    await expect(prepareFeatures(corpus, { ...spec, hop: 128 }, cache, { workers: 0 })).rejects.toThrow(
      FeatureCacheError,
    );
    await expect(prepareFeatures(corpus, spec, cache, { workers: 0, dtype: "float16" })).rejects.toThrow(
      /dtype "float32" \(cache\) vs "float16"/,
    );
    const replaced = await prepareFeatures(corpus, spec, cache, { workers: 0, dtype: "float16", overwrite: true });
    expect([replaced.processed, replaced.index.preparation.dtype]).toEqual([2, "float16"]);
    await expect(prepareFeatures(corpus, { ...spec, nFft: 300 }, temporaryFolder())).rejects.toThrow(/nFft/);
    writeFileSync(join(cache, "index.json"), "{ not json");
    await expect(prepareFeatures(corpus, spec, cache, { workers: 0 })).rejects.toThrow(/index.json: expected JSON/);
  });

  it("an interrupted run leaves a valid cache of what it finished, and a re-run completes it", async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 6; i++) files[`${i % 2 ? "a" : "b"}/${i}.wav`] = wavBytes(voice({ f0: 100 + 10 * i }));
    const corpus = writeTree(temporaryFolder(), files);
    const cache = temporaryFolder();
    const controller = new AbortController();
    const stopped = await prepareFeatures(corpus, spec, cache, {
      workers: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.done === 2) controller.abort();
      },
    });
    expect(stopped.complete).toBe(false);
    const partial = await readCacheIndex(cache);
    expect([partial?.complete, partial?.utterances.length]).toEqual([false, 2]);
    const resumed = await prepareFeatures(corpus, spec, cache, { workers: 2 });
    expect([resumed.complete, resumed.processed, resumed.reused]).toEqual([true, 4, 2]);
  });
});
