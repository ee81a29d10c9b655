/**
 * The bad-input suite: what a hostile but realistic user feeds vox, end to end through the CLI, each case
 * classed by what came out. A clear error is exit 1 with one `vox: ...` line naming the file, flag or field; a
 * crash is exit 2 (internal error) or a stack trace; a silent wrong result is exit 0 where vox should have
 * refused (or wrong output); data lost is a run or cache that lost what it had. The goal is 0, 0, 0 for the last
 * three; the tally is printed at the end.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeWav, encodeWav } from "@vox/dsp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporary, voice, vox } from "./test-support.js";

type Outcome = "works" | "clear error" | "crash" | "silent wrong result" | "data lost";
const tally = new Map<Outcome, number>();
function record(outcome: Outcome): void {
  tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
}

/** A RIFF/WAVE file from its parts: any format tag, depth and channel count, extra chunks before the data. */
function riff(options: {
  format?: number;
  channels?: number;
  rate?: number;
  bits: number;
  data: Uint8Array;
  extra?: Uint8Array;
  declaredData?: number;
}): Uint8Array {
  const { format = 1, channels = 1, rate = 16000, bits, data, extra = new Uint8Array(0) } = options;
  const bytes = new Uint8Array(44 + extra.length + data.length);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, (rate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  bytes.set(extra, 36);
  ascii(36 + extra.length, "data");
  view.setUint32(40 + extra.length, options.declaredData ?? data.length, true);
  bytes.set(data, 44 + extra.length);
  return bytes;
}

/** Samples in [-1, 1] as little-endian PCM/float of `bits`, interleaving `channels` copies. */
function samplesAs(samples: Float32Array, bits: 8 | 16 | 24 | 32 | 64, float: boolean, channels = 1): Uint8Array {
  const step = bits / 8;
  const out = new Uint8Array(samples.length * step * channels);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] as number;
    for (let c = 0; c < channels; c++) {
      const at = (i * channels + c) * step;
      if (float && bits === 32) view.setFloat32(at, x, true);
      else if (float) view.setFloat64(at, x, true);
      else if (bits === 8) view.setUint8(at, Math.round(x * 127 + 128));
      else if (bits === 16) view.setInt16(at, Math.round(x * 32767), true);
      else if (bits === 24) {
        const v = Math.round(x * 8388607);
        view.setUint8(at, v & 0xff);
        view.setUint8(at + 1, (v >> 8) & 0xff);
        view.setInt8(at + 2, v >> 16);
      } else view.setInt32(at, Math.round(x * 2147483647), true);
    }
  }
  return out;
}

describe("bad-input suite (end to end through the CLI)", () => {
  let work = "";
  let speech: Float32Array = new Float32Array(0);
  beforeAll(() => {
    work = temporary("vox-bad-input-");
    speech = voice(1.2, 140, 900);
  });
  afterAll(() => {
    const total = [...tally.values()].reduce((a, b) => a + b, 0);
    const count = (o: Outcome) => tally.get(o) ?? 0;
    process.stderr.write(
      `bad-input suite: ${total} cases: ${count("clear error")} clear errors, ${count("works")} handled correctly, ${count("crash")} crashes, ${count("silent wrong result")} silent wrong results, ${count("data lost")} data lost\n`,
    );
  });

  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(work, name);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  };

  /** Classifies one CLI run against what should happen: an error matching `error`, or success (`check`). */
  async function expectOutcome(
    args: string[],
    want: { error: RegExp } | { works: (stdout: string) => void },
  ): Promise<void> {
    const { code, stdout, stderr } = await vox(...args);
    let outcome: Outcome;
    if (code === 2 || /\n\s+at /.test(stderr)) outcome = "crash";
    else if ("error" in want) outcome = code === 1 && want.error.test(stderr) ? "clear error" : "silent wrong result";
    else {
      outcome = code === 0 ? "works" : "silent wrong result";
      if (outcome === "works") want.works(stdout);
    }
    record(outcome);
    expect(outcome, `vox ${args.join(" ")} -> exit ${code}: ${stderr.slice(-400)}`).toBe(
      "error" in want ? "clear error" : "works",
    );
    // One line says it (vox's own, or commander's for a flag it parses), before any help text.
    if ("error" in want)
      expect(stderr.split("\n").some((line) => /^(vox|error): /.test(line) && want.error.test(line))).toBe(true);
  }

  /** `vox resynthesize` of one file through the seed spec: the whole read -> analyse -> synthesise path. */
  const resynthesize = (path: string) => ["resynthesize", path, "--spec", "seed", "-o", join(work, "out")];
  /** The resynthesis written (the last path printed) lasts `seconds`, every sample finite. */
  const wrote = (seconds: number) => (stdout: string) => {
    const audio = decodeWav(readFileSync(stdout.trim().split("\n").at(-1) as string));
    expect(audio.samples.length / audio.sampleRate).toBeCloseTo(seconds, 1);
    expect(audio.samples.every((x) => Number.isFinite(x))).toBe(true);
  };

  describe("audio files", () => {
    it.each([
      ["an empty file", () => file("empty.wav", new Uint8Array(0)), /empty\.wav/],
      ["a text file named .wav", () => file("text.wav", "this is not audio"), /text\.wav/],
      [
        "a WAV whose data chunk is cut short",
        () => file("cut.wav", riff({ bits: 16, data: samplesAs(speech, 16, false), declaredData: speech.length * 4 })),
        /cut\.wav/,
      ],
      [
        "NaN samples",
        () =>
          file(
            "nan.wav",
            riff({
              format: 3,
              bits: 32,
              data: samplesAs(
                speech.map((x, i) => (i === 8000 ? Number.NaN : x)),
                32,
                true,
              ),
            }),
          ),
        /nan\.wav.*NaN at 0\.500 s/,
      ],
      [
        "Inf samples",
        () =>
          file(
            "inf.wav",
            riff({
              format: 3,
              bits: 32,
              data: samplesAs(
                speech.map((x, i) => (i === 4000 ? Infinity : x)),
                32,
                true,
              ),
            }),
          ),
        /inf\.wav.*0\.25/,
      ],
      [
        "dithered silence (+-1 LSB)",
        () =>
          file(
            "dither.wav",
            riff({
              bits: 16,
              data: samplesAs(
                speech.map((_, i) => (((i * 7919) % 3) - 1) / 32767),
                16,
                false,
              ),
            }),
          ),
        /dither\.wav/,
      ],
      [
        "a truncated FLAC",
        () => {
          const flac = readFileSync(new URL("../../datasets/fixtures/tone-stereo-44k.flac", import.meta.url));
          return file("cut.flac", flac.subarray(0, Math.floor(flac.length / 2)));
        },
        /cut\.flac/,
      ],
      [
        "a folder named x.wav",
        () => {
          mkdirSync(join(work, "folder.wav"), { recursive: true });
          return join(work, "folder.wav");
        },
        /folder\.wav/,
      ],
      ["a file that does not exist", () => join(work, "missing.wav"), /missing\.wav/],
      [
        "a WAV of an unsupported format (A-law)",
        () => file("alaw.wav", riff({ format: 6, bits: 8, data: new Uint8Array(16000).fill(0xd5) })),
        /alaw\.wav/,
      ],
    ] as const)("%s: a clear error naming the file", async (_name, make, error) => {
      await expectOutcome(resynthesize(make()), { error });
    });

    it.each([
      ["8-bit PCM", 1.2, () => riff({ bits: 8, data: samplesAs(speech, 8, false) })],
      ["16-bit PCM", 1.2, () => encodeWav(speech, 16000, 16)],
      ["24-bit PCM", 1.2, () => encodeWav(speech, 16000, 24)],
      ["32-bit PCM", 1.2, () => encodeWav(speech, 16000, 32)],
      ["32-bit float", 1.2, () => encodeWav(speech, 16000, "32f")],
      ["64-bit float", 1.2, () => riff({ format: 3, bits: 64, data: samplesAs(speech, 64, true) })],
      ["stereo 16-bit", 1.2, () => riff({ channels: 2, bits: 16, data: samplesAs(speech, 16, false, 2) })],
      ["8 kHz", 1, () => riff({ rate: 8000, bits: 16, data: samplesAs(speech.subarray(0, 8000), 16, false) })],
      ["11025 Hz", 1, () => riff({ rate: 11025, bits: 16, data: samplesAs(speech.subarray(0, 11025), 16, false) })],
      ["44.1 kHz", 0.5, () => riff({ rate: 44100, bits: 16, data: samplesAs(voice(0.5, 140, 900, 44100), 16, false) })],
      ["96 kHz", 0.4, () => riff({ rate: 96000, bits: 16, data: samplesAs(voice(0.4, 140, 900, 96000), 16, false) })],
      [
        "a LIST chunk before the data",
        1.2,
        () => {
          const list = new Uint8Array(20);
          list.set([..."LIST"].map((c) => c.charCodeAt(0)));
          new DataView(list.buffer).setUint32(4, 12, true);
          list.set(
            [..."INFOISFT"].map((c) => c.charCodeAt(0)),
            8,
          );
          return riff({ bits: 16, data: samplesAs(speech, 16, false), extra: list });
        },
      ],
      ["a 0.05 s clip", 0.05, () => encodeWav(speech.subarray(0, 800), 16000)],
      [
        "a 60 s clip",
        60,
        () =>
          encodeWav(
            Float32Array.from({ length: 16000 * 60 }, (_, i) => speech[i % speech.length] as number),
            16000,
          ),
      ],
    ] as const)("%s: read and resynthesised", async (name, seconds, make) => {
      const path = file(`formats/${name.replace(/\W+/g, "-")}.wav`, make());
      await expectOutcome(resynthesize(path), { works: wrote(seconds) });
    });

    it("a non-ASCII path: read and resynthesised", async () => {
      const path = file("ünïcödé ßpeech/ñame 声.wav", encodeWav(speech, 16000));
      await expectOutcome(resynthesize(path), { works: wrote(1.2) });
    });
  });

  describe("flags and configs", () => {
    it.each([
      [["resynthesize", "@good", "--spec", "nope", "-o", "@out"], /--spec/],
      [["resynthesize", "@good", "-o", "@out"], /--spec/],
      [["train", "--data", "/nonexistent-cache", "--run", "@run"], /nonexistent-cache/],
      [["train", "--data", "@work", "--run", "@run", "--steps", "abc"], /--steps/],
      [["train", "--data", "@work", "--run", "@run", "--steps", "-5"], /--steps/],
      [["train", "--data", "@work", "--run", "@run", "--set", "batchSize=ten"], /batchSize/],
      [["train", "--data", "@work", "--run", "@run", "--set", "noSuchField=1"], /noSuchField/],
      [["train", "--data", "@work", "--run", "@run", "--preset", "nope"], /preset/],
      [["convert", "@good", "--run", "/nonexistent-run", "--to", "kal", "-o", "@out"], /nonexistent-run/],
      [["eval", "--run", "/nonexistent-run"], /nonexistent-run/],
      [["eval", "--run", "@work", "--ensemble", "a,,b"], /--ensemble: expected run folders separated by commas/],
      [
        ["convert", "@good", "--run", "@work", "--to", "kal", "-o", "@out", "--ensemble", "/nonexistent-member"],
        /nonexistent-member/,
      ],
      [["spectrogram", "@good"], /--out/],
      [["prepare", "/nonexistent-corpus", "--out", "@out"], /nonexistent-corpus/],
      [["prepare", "@work", "--out", "@out", "--workers", "many"], /--workers/],
      [["nonsense-command"], /nonsense-command/],
      [["demo", "--recipe", "fastest", "--out", "@out"], /--recipe/],
    ] as const)("vox %s: a clear error naming the flag or path", async (...args) => {
      const [argv, error] = args as unknown as [string[], RegExp];
      const good = file("good.wav", encodeWav(speech, 16000));
      const named: Record<string, string> = {
        "@good": good,
        "@out": join(work, "flag-out"),
        "@run": join(work, "flag-run"),
        "@work": work,
      };
      await expectOutcome(
        argv.map((a) => named[a] ?? a),
        { error },
      );
    });

    it("`pnpm -s vox info --json`, as the READMEs write it, prints JSON alone on stdout", () => {
      const child = spawnSync("pnpm", ["-s", "vox", "info", "--json"], {
        cwd: fileURLToPath(new URL("../../..", import.meta.url)),
        encoding: "utf8",
      });
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(child.stdout);
      } catch {
        parsed = null;
      }
      record(parsed !== null && child.status === 0 ? "works" : "silent wrong result");
      expect(child.status, child.stderr).toBe(0);
      expect(parsed).toMatchObject({ presets: expect.any(Array) });
    });

    it.each([
      ["not JSON", "{ steps: ten"],
      ["a field of the wrong type", JSON.stringify({ steps: "ten" })],
      ["an unknown field", JSON.stringify({ stepz: 10 })],
      ["an array", "[1, 2]"],
    ])("a --config file that is %s: a clear error naming the file or field", async (_name, text) => {
      const path = file(`configs/${_name.replace(/\W+/g, "-")}.json`, text);
      await expectOutcome(["train", "--data", work, "--run", join(work, "no-run"), "--config", path], {
        error: /configs\/|steps|stepz|config/,
      });
      expect(existsSync(join(work, "no-run", "config.json"))).toBe(false);
    });
  });

  describe("runs and caches", () => {
    let cache = "";
    let run = "";
    let good = "";
    beforeAll(async () => {
      const corpus = join(work, "corpus");
      for (const [speaker, f0, formant] of [
        ["low", 110, 500],
        ["high", 230, 2200],
      ] as const) {
        for (let u = 0; u < 4; u++)
          file(`corpus/${speaker}/s${u}.wav`, encodeWav(voice(0.9 + 0.1 * u, f0, formant), 16000));
      }
      cache = join(work, "cache");
      expect((await vox("prepare", corpus, "--out", cache, "--workers", "0")).code).toBe(0);
      run = join(work, "run");
      const set = ["batchSize=2", "cropFrames=32", "samples.utterances=0"].flatMap((v) => ["--set", v]);
      expect((await vox("train", "--data", cache, "--run", run, "--steps", "1", ...set)).code).toBe(0);
      good = file("run-input.wav", encodeWav(speech, 16000));
    }, 120_000);

    /** A copy of the trained run to damage. */
    const copyOfRun = (name: string) => {
      const copy = join(work, name);
      cpSync(run, copy, { recursive: true });
      return copy;
    };
    const checkpoint = (dir: string) => join(dir, "checkpoints", "00000001");

    it("convert with a garbage config.json: a clear error naming it", async () => {
      const damaged = copyOfRun("run-garbage-config");
      writeFileSync(join(damaged, "config.json"), "{ garbage");
      await expectOutcome(["convert", good, "--run", damaged, "--to", "low", "-o", join(work, "c1")], {
        error: /run-garbage-config\/config\.json: expected JSON/,
      });
    });

    it("convert with a generator weights.bin cut short: a clear error naming it", async () => {
      const damaged = copyOfRun("run-cut-weights");
      const weights = join(checkpoint(damaged), "generator", "weights.bin");
      writeFileSync(weights, readFileSync(weights).subarray(0, 100));
      await expectOutcome(["convert", good, "--run", damaged, "--to", "low", "-o", join(work, "c2")], {
        error: /weights\.bin/,
      });
    });

    it("convert --to a speaker the run does not have: a clear error naming --to", async () => {
      await expectOutcome(["convert", good, "--run", run, "--to", "nobody", "-o", join(work, "c3")], {
        error: /--to|nobody/,
      });
    });

    it("two inputs of one name from two folders: two outputs, nothing overwritten", async () => {
      const a = file("same/a/s01.wav", encodeWav(speech, 16000));
      const b = file("same/b/s01.wav", encodeWav(voice(0.8, 200, 1500), 16000));
      await expectOutcome(["convert", a, b, "--run", run, "--to", "low", "-o", join(work, "c4")], {
        works: (stdout) => {
          const outputs = stdout.trim().split("\n");
          expect(new Set(outputs).size).toBe(2);
          for (const output of outputs) expect(existsSync(output)).toBe(true);
        },
      });
    });

    it.each([
      ["an existing run (no --resume)", (): string => run, /found one \(config\.json\)/],
      ["a file", (): string => good, /run-input\.wav/],
      ["a folder under /proc", (): string => "/proc/vox-bad-input/run", /\/proc\/vox-bad-input/],
    ] as const)("train --run naming %s: a clear error, nothing of it changed", async (_name, where, error) => {
      const before = existsSync(join(where(), "config.json"))
        ? readFileSync(join(where(), "config.json"), "utf8")
        : null;
      await expectOutcome(["train", "--data", cache, "--run", where(), "--steps", "1"], { error });
      const after = existsSync(join(where(), "config.json"))
        ? readFileSync(join(where(), "config.json"), "utf8")
        : null;
      if (after !== before) record("data lost");
      expect(after).toBe(before);
    });

    // Root writes anywhere, so the check runs vox as the unprivileged user `nobody`, as a researcher would be.
    const asNobody = process.getuid?.() === 0 && spawnSync("id", ["-u", "nobody"]).status === 0;
    it.skipIf(!asNobody)("train --run in a folder the user cannot write: a clear error naming it", async () => {
      chmodSync(work, 0o755);
      const locked = join(work, "read-only");
      mkdirSync(locked, { recursive: true });
      chmodSync(locked, 0o555);
      const child = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=vox-source",
          "src/bin.ts",
          "train",
          "--data",
          cache,
          "--run",
          join(locked, "run"),
        ],
        { cwd: fileURLToPath(new URL("..", import.meta.url)), uid: 65534, gid: 65534, encoding: "utf8" },
      );
      const clear =
        child.status === 1 &&
        /read-only\/run: expected a folder a run can be created and written in, found EACCES/.test(child.stderr);
      record(clear ? "clear error" : child.status === 0 ? "silent wrong result" : "crash");
      expect(child.stderr).toMatch(
        /read-only\/run: expected a folder a run can be created and written in, found EACCES/,
      );
      expect(child.status).toBe(1);
      expect(existsSync(join(locked, "run"))).toBe(false);
    });

    it("resume of a run whose every checkpoint is cut short: a clear error; config, metrics, checkpoints kept", async () => {
      const damaged = copyOfRun("run-cut-optimizer");
      writeFileSync(join(checkpoint(damaged), "optimizer-generator.bin"), new Uint8Array(8));
      const kept = ["config.json", "metrics.jsonl"].map((name) => readFileSync(join(damaged, name), "utf8"));
      await expectOutcome(["train", "--resume", damaged, "--steps", "5"], { error: /optimizer-generator\.bin/ });
      const after = ["config.json", "metrics.jsonl"].map((name) => readFileSync(join(damaged, name), "utf8"));
      const lost = after.some((text, i) => text !== kept[i]) || !existsSync(checkpoint(damaged));
      if (lost) record("data lost");
      expect(lost).toBe(false);
    });
  });
});
