import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectCorpus, readCorpus } from "./detect.js";
import { CorpusLayoutError, DatasetError, SpeakerError } from "./errors.js";
import { flacFixture, temporaryFolder, voice, wavBytes, writeTree } from "./test-support.js";

const wav = wavBytes(voice({ seconds: 0.3 }));

/** Small trees of every layout, two or three speakers each, with the corpus's own transcript files. */
const trees: Record<
  string,
  {
    files: Record<string, Uint8Array | string>;
    layout: string;
    speakers: string[];
    first: { id: string; transcript?: string };
  }
> = {
  "vctk 0.80": {
    layout: "vctk",
    files: {
      "wav48/p225/p225_001.wav": wav,
      "wav48/p225/p225_002.wav": wav,
      "wav48/p226/p226_001.wav": wav,
      "txt/p225/p225_001.txt": "Please call Stella.\n",
      "txt/p226/p226_001.txt": "Please call Stella.\n",
    },
    speakers: ["p225", "p226"],
    first: { id: "p225_001", transcript: "Please call Stella." },
  },
  "vctk 0.92": {
    layout: "vctk",
    files: {
      "wav48_silence_trimmed/p225/p225_001_mic1.flac": flacFixture(),
      "wav48_silence_trimmed/p225/p225_001_mic2.flac": flacFixture(),
      "wav48_silence_trimmed/p226/p226_001_mic1.flac": flacFixture(),
      "wav48_silence_trimmed/log.txt": "not audio",
      "txt/p225/p225_001.txt": "Please call Stella.",
    },
    speakers: ["p225", "p226"],
    first: { id: "p225_001", transcript: "Please call Stella." },
  },
  vcc2018: {
    layout: "vcc",
    files: {
      "vcc2018_training/VCC2SF1/10001.wav": wav,
      "vcc2018_training/VCC2TM1/10001.wav": wav,
      "vcc2018_evaluation/VCC2SF1/30001.wav": wav,
    },
    speakers: ["VCC2SF1", "VCC2TM1"],
    first: { id: "10001" },
  },
  vcc2016: {
    layout: "vcc",
    files: { "SF1/100001.wav": wav, "TM2/100001.wav": wav },
    speakers: ["SF1", "TM2"],
    first: { id: "100001" },
  },
  jvs: {
    layout: "jvs",
    files: {
      "jvs001/parallel100/wav24kHz16bit/VOICEACTRESS100_001.wav": wav,
      "jvs001/parallel100/transcripts_utf8.txt": "VOICEACTRESS100_001:また、東寺のように、五大明王と呼ばれる。\n",
      "jvs001/nonpara30/wav24kHz16bit/BASIC5000_0025.wav": wav,
      "jvs001/whisper10/wav24kHz16bit/BASIC5000_0001.wav": wav,
      "jvs002/parallel100/wav24kHz16bit/VOICEACTRESS100_001.wav": wav,
    },
    speakers: ["jvs001", "jvs002"],
    first: { id: "BASIC5000_0025" },
  },
  "cmu arctic": {
    layout: "cmu-arctic",
    files: {
      "cmu_us_bdl_arctic/wav/arctic_a0001.wav": wav,
      "cmu_us_bdl_arctic/etc/txt.done.data": '( arctic_a0001 "Author of the danger trail, Philip Steels, etc." )\n',
      "cmu_us_slt_arctic/wav/arctic_a0001.wav": wav,
    },
    speakers: ["bdl", "slt"],
    first: { id: "arctic_a0001", transcript: "Author of the danger trail, Philip Steels, etc." },
  },
  libritts: {
    layout: "libritts",
    files: {
      "train-clean-100/19/198/19_198_000000_000000.wav": wav,
      "train-clean-100/19/198/19_198_000000_000000.normalized.txt": "This is a story.",
      "dev-clean/84/121123/84_121123_000007_000000.wav": wav,
      "dev-clean/84/121123/84_121123_000007_000000.normalized.txt": "Go, do you hear?",
    },
    speakers: ["19", "84"],
    first: { id: "19_198_000000_000000", transcript: "This is a story." },
  },
  "folder per speaker": {
    layout: "folder",
    files: {
      "alice/a1.wav": wav,
      "alice/a1.txt": "Hello there.",
      "alice/session2/a2.flac": flacFixture(),
      "bob/a1.wav": wav,
      "transcripts.tsv": "a1\tFrom the table.\nsession2/a2\tSecond take.\n",
      "notes.wav": wav,
    },
    speakers: ["alice", "bob"],
    first: { id: "a1", transcript: "Hello there." },
  },
};

describe("detectCorpus / readCorpus", () => {
  for (const [name, tree] of Object.entries(trees)) {
    it(`${name}: detected, speakers and transcripts read`, async () => {
      const root = writeTree(temporaryFolder(), tree.files);
      expect(await detectCorpus(root)).toEqual({ layout: tree.layout, root });
      const corpus = await readCorpus(root, { split: "all" });
      expect(corpus.speakers).toEqual(tree.speakers);
      const first = corpus.utterances[0];
      expect(first?.id).toBe(tree.first.id);
      expect(first?.transcript).toBe(tree.first.transcript);
      for (const utterance of corpus.utterances) expect(utterance.path.startsWith(root)).toBe(true);
    });
  }

  it("reads exactly the right files of each layout", async () => {
    const vctk = await readCorpus(writeTree(temporaryFolder(), trees["vctk 0.92"]?.files ?? {}));
    expect(vctk.utterances.map((u) => `${u.speaker}/${u.id}`)).toEqual(["p225/p225_001", "p226/p226_001"]);
    expect(vctk.utterances[0]?.path.endsWith("p225_001_mic1.flac")).toBe(true);
    // 0.92 re-encoded without the microphone suffix: read as they are, transcripts found by the same id.
    const plain = await readCorpus(
      writeTree(temporaryFolder(), {
        "wav48_silence_trimmed/p225/p225_001.wav": wavBytes(voice({ seconds: 0.3 })),
        "wav48_silence_trimmed/p225/p225_002.wav": wavBytes(voice({ seconds: 0.3 })),
        "wav48_silence_trimmed/p225/p225_002_mic2.flac": flacFixture(),
        "wav48_silence_trimmed/p226/p226_001.wav": wavBytes(voice({ seconds: 0.3 })),
        "wav48_silence_trimmed/p226/p226_001_mic1.flac": flacFixture(),
        "txt/p225/p225_001.txt": "Please call Stella.",
      }),
    );
    expect(plain.utterances.map((u) => `${u.speaker}/${u.id}`)).toEqual([
      "p225/p225_001",
      "p225/p225_002",
      "p226/p226_001",
    ]);
    expect(plain.utterances[0]?.transcript).toBe("Please call Stella.");
    const vccRoot = writeTree(temporaryFolder(), trees.vcc2018?.files ?? {});
    const vcc = await readCorpus(vccRoot, { split: "all" });
    expect(vcc.utterances.map((u) => `${u.speaker}/${u.id}/${u.split}`)).toEqual([
      "VCC2SF1/10001/train",
      "VCC2SF1/30001/evaluation",
      "VCC2TM1/10001/train",
    ]);
    const jvs = await readCorpus(writeTree(temporaryFolder(), trees.jvs?.files ?? {}));
    expect(jvs.utterances.map((u) => `${u.speaker}/${u.id}`)).toEqual([
      "jvs001/BASIC5000_0025",
      "jvs001/VOICEACTRESS100_001",
      "jvs002/VOICEACTRESS100_001",
    ]);
    expect(jvs.utterances[1]?.transcript).toBe("また、東寺のように、五大明王と呼ばれる。");
    const folder = await readCorpus(writeTree(temporaryFolder(), trees["folder per speaker"]?.files ?? {}));
    expect(folder.utterances.map((u) => [u.speaker, u.id, u.transcript])).toEqual([
      ["alice", "a1", "Hello there."],
      ["alice", "session2/a2", "Second take."],
      ["bob", "a1", "From the table."],
    ]);
  });

  it("reads the training split by default, the evaluation split on request, and refuses one a corpus lacks", async () => {
    const vccRoot = writeTree(temporaryFolder(), trees.vcc2018?.files ?? {});
    const ids = (corpus: { utterances: { speaker: string; id: string }[] }) =>
      corpus.utterances.map((u) => `${u.speaker}/${u.id}`);
    const train = await readCorpus(vccRoot);
    expect([ids(train), train.split]).toEqual([["VCC2SF1/10001", "VCC2TM1/10001"], "train"]);
    // The evaluation split alone has one speaker here: a conversion corpus needs two unless told otherwise.
    const evaluation = await readCorpus(vccRoot, { split: "evaluation", minSpeakers: 1 });
    expect([ids(evaluation), evaluation.split]).toEqual([["VCC2SF1/30001"], "evaluation"]);
    const libritts = writeTree(temporaryFolder(), {
      ...trees.libritts?.files,
      "train-clean-100/84/121123/84_121123_000001_000000.wav": wav,
      "test-clean/19/227/19_227_000000_000000.wav": wav,
    });
    expect(ids(await readCorpus(libritts))).toEqual(["19/19_198_000000_000000", "84/84_121123_000001_000000"]);
    expect(ids(await readCorpus(libritts, { split: "evaluation" }))).toEqual([
      "19/19_227_000000_000000",
      "84/84_121123_000007_000000",
    ]);
    const folder = writeTree(temporaryFolder(), trees["folder per speaker"]?.files ?? {});
    expect((await readCorpus(folder)).split).toBe("all"); // no published split: everything, named so
    await expect(readCorpus(folder, { split: "evaluation" })).rejects.toThrow(
      /expected an evaluation split .* which has no published split/,
    );
    await expect(readCorpus(folder, { split: "dev" as "all" })).rejects.toThrow(
      /split: expected one of train, evaluation, all/,
    );
    // --layout: read as a given layout, or say why it does not fit.
    expect((await readCorpus(vccRoot, { layout: "folder", split: "all" })).layout).toBe("folder");
    await expect(readCorpus(folder, { layout: "vcc" })).rejects.toThrow(/vcc/);
  });

  it("finds a layout one folder down (an unpacked archive) before falling back to folder-per-speaker", async () => {
    const root = writeTree(
      temporaryFolder(),
      Object.fromEntries(Object.entries(trees["vctk 0.80"]?.files ?? {}).map(([p, c]) => [`VCTK-Corpus/${p}`, c])),
    );
    expect(await detectCorpus(root)).toEqual({ layout: "vctk", root: join(root, "VCTK-Corpus") });
  });

  it("says per layout why nothing matched", async () => {
    const root = writeTree(temporaryFolder(), { "readme.txt": "hi", "empty/notes.txt": "x" });
    const error = await detectCorpus(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusLayoutError);
    expect((error as CorpusLayoutError).reasons.vctk).toMatch(/wav48/);
    expect((error as CorpusLayoutError).reasons.folder).toMatch(/speaker folders/);
    expect((error as Error).message).toContain(root);
    await expect(detectCorpus(join(root, "missing"))).rejects.toThrow(/no such file or folder/);
    await expect(detectCorpus(join(root, "readme.txt"))).rejects.toThrow(/expected a corpus folder, found a file/);
  });

  it("include/exclude speakers; unknown ones and corpora of fewer than 2 speakers are errors", async () => {
    const root = writeTree(temporaryFolder(), { "a/1.wav": wav, "b/1.wav": wav, "c/1.wav": wav });
    expect((await readCorpus(root, { include: ["a", "c"] })).speakers).toEqual(["a", "c"]);
    expect((await readCorpus(root, { exclude: ["b"] })).speakers).toEqual(["a", "c"]);
    await expect(readCorpus(root, { include: ["a", "zed"] })).rejects.toThrow(SpeakerError);
    await expect(readCorpus(root, { include: ["a", "zed"] })).rejects.toThrow(/"zed", which it does not have/);
    await expect(readCorpus(root, { include: ["a"] })).rejects.toThrow(/at least 2 speakers, found 1: a/);
    await expect(readCorpus(root, { layout: "vctk" })).rejects.toThrow(/no wav48/);
    await expect(readCorpus(root, { layout: "nope" as never })).rejects.toThrow(DatasetError);
  });

  it("follows symlinked speaker folders and files (linked corpora); a dangling link is left out", async () => {
    const elsewhere = writeTree(temporaryFolder(), { "real-b/1.wav": wav, "real-b/2.wav": wav, "c.wav": wav });
    const root = writeTree(temporaryFolder(), { "a/1.wav": wav });
    symlinkSync(join(elsewhere, "real-b"), join(root, "b"));
    symlinkSync(join(elsewhere, "c.wav"), join(root, "a", "2.wav"));
    symlinkSync(join(elsewhere, "gone"), join(root, "a", "3.wav"));
    const corpus = await readCorpus(root);
    expect(corpus.speakers).toEqual(["a", "b"]);
    expect(corpus.utterances.map((u) => `${u.speaker}/${u.id}`)).toEqual(["a/1", "a/2", "b/1", "b/2"]);
  });

  it("names hidden folders with audio it did not read (a speaker folder named ..bad), and only those", async () => {
    const root = writeTree(temporaryFolder(), {
      "a/1.wav": wav,
      "b/1.wav": wav,
      "..bad/1.wav": wav,
      "a/.takes/2.wav": wav,
      ".git/config": "not audio",
    });
    const corpus = await readCorpus(root);
    expect(corpus.speakers).toEqual(["a", "b"]);
    expect(corpus.skipped?.map((s) => s.path)).toEqual([join(corpus.root, "..bad"), join(corpus.root, "a/.takes")]);
    expect(corpus.skipped?.[0]?.reason).toMatch(/hidden folder \(its name starts with "\."\), not read/);
  });
});
