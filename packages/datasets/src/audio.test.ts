import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeWav, resample } from "@vox/dsp";
import { readAudioFile, readConditionedAudio } from "./audio.js";
import { loudnessGain } from "./conditioning.js";
import { AudioFileError } from "./errors.js";
import { flacFixture, pcmWav, temporaryFolder, voice, wavBytes, writeTree } from "./test-support.js";

describe("readAudioFile", () => {
  const signal = voice({ seconds: 0.25, sampleRate: 16000 });

  it("decodes 8-, 16-, 24-bit, float and stereo WAV to the same mono signal", async () => {
    const inverted = signal.map((v) => -v);
    const root = writeTree(temporaryFolder(), {
      "pcm8.wav": pcmWav([signal], 16000, 8),
      "pcm16.wav": wavBytes(signal, 16000, 16),
      "pcm24.wav": wavBytes(signal, 16000, 24),
      "float.wav": wavBytes(signal, 16000, "32f"),
      "stereo.wav": pcmWav([signal, signal], 16000, 16),
      "opposed.wav": pcmWav([signal, inverted], 16000, 16),
      "rate48k.wav": wavBytes(signal, 48000, 16),
    });
    const tolerance: Record<string, number> = {
      "pcm8.wav": 1 / 100,
      "pcm16.wav": 1e-4,
      "pcm24.wav": 1e-6,
      "float.wav": 1e-7,
      "stereo.wav": 1e-4,
    };
    for (const [file, limit] of Object.entries(tolerance)) {
      const audio = await readAudioFile(join(root, file));
      expect(audio.sampleRate, file).toBe(16000);
      let worst = 0;
      for (let i = 0; i < signal.length; i++)
        worst = Math.max(worst, Math.abs((audio.samples[i] ?? 0) - (signal[i] ?? 0)));
      expect(worst, file).toBeLessThan(limit);
    }
    const opposed = await readAudioFile(join(root, "opposed.wav"));
    expect(Math.max(...opposed.samples.map(Math.abs))).toBeLessThan(1e-4);
    expect((await readAudioFile(join(root, "rate48k.wav"))).sampleRate).toBe(48000);
  });

  it("decodes FLAC (44.1 kHz stereo fixture) to mono", async () => {
    const root = writeTree(temporaryFolder(), { "tone.flac": flacFixture() });
    const audio = await readAudioFile(join(root, "tone.flac"));
    expect(audio.sampleRate).toBe(44100);
    expect(audio.samples.length).toBe(Math.round(0.6 * 44100));
    const peak = Math.max(...audio.samples.map(Math.abs));
    expect(peak).toBeGreaterThan(0.5);
    expect(peak).toBeLessThanOrEqual(1);
  });

  it("a FLAC file cut short is an error naming it and how much of it is left, never half the audio", async () => {
    const flac = flacFixture();
    const root = writeTree(temporaryFolder(), { "cut.flac": flac.subarray(0, Math.floor(flac.length / 2)) });
    await expect(readAudioFile(join(root, "cut.flac"))).rejects.toThrow(
      new RegExp(
        `${join(root, "cut.flac")}: expected the 26460 samples per channel its STREAMINFO announces, found \\d+ \\(\\d+ %\\): a truncated FLAC file`,
      ),
    );
  });

  it("empty, truncated, garbage and non-audio files are AudioFileErrors naming the file", async () => {
    const good = wavBytes(signal);
    const flac = flacFixture();
    const root = writeTree(temporaryFolder(), {
      "empty.wav": new Uint8Array(0),
      "truncated.wav": good.subarray(0, 30),
      "garbage.wav": new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
      "text.wav": "hello, I am not audio",
      "broken.flac": new Uint8Array([...flac.subarray(0, 4), ...new Uint8Array(200)]),
    });
    for (const [file, pattern] of [
      ["empty.wav", /empty file/],
      ["truncated.wav", /truncated.wav/],
      ["garbage.wav", /WAV \(RIFF\) or FLAC/],
      ["text.wav", /"hell"/],
      ["broken.flac", /FLAC/],
      ["missing.wav", /ENOENT/],
    ] as const) {
      const error = await readAudioFile(join(root, file)).catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(AudioFileError);
      expect((error as Error).message, file).toContain(join(root, file));
      expect((error as Error).message, file).toMatch(pattern);
    }
  });

  it("NaN or infinite samples in a float WAV are an AudioFileError naming the file and the time of the first", async () => {
    const bytes = encodeWav(new Float32Array(16000), 16000, "32f");
    // The encoder sanitises samples; put the NaN into the data chunk (after the 44-byte header) by hand.
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(bytes.length - 4 * (16000 - 4000), Number.NaN, true);
    const root = writeTree(temporaryFolder(), { "nan.wav": bytes });
    const error = await readAudioFile(join(root, "nan.wav")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioFileError);
    expect((error as Error).message).toContain(join(root, "nan.wav"));
    expect((error as Error).message).toMatch(/finite samples, found NaN at 0\.250 s \(sample 4000\)/);
  });
});

describe("readConditionedAudio", () => {
  it("reads at the asked rate, loudness-normalised as prepare does, never trimmed", async () => {
    const quiet = voice({ seconds: 0.5, sampleRate: 44100 }).map((v) => v * 0.05);
    const root = writeTree(temporaryFolder(), { "quiet.wav": wavBytes(quiet, 44100, "32f") });
    const audio = await readConditionedAudio(join(root, "quiet.wav"), 16000);
    const expected = resample(quiet, 44100, 16000);
    const gain = loudnessGain(expected);
    expect(gain).toBeGreaterThan(2);
    expect(audio.length).toBe(expected.length);
    for (let i = 0; i < audio.length; i += 97) expect(audio[i]).toBeCloseTo((expected[i] as number) * gain, 5);
    await expect(readConditionedAudio(join(root, "none.wav"), 16000)).rejects.toThrow(AudioFileError);
  });

  it("refuses near-silence (dither) and digital silence by path rather than lifting them into loud noise", async () => {
    const dither = Float32Array.from({ length: 16000 }, (_, i) => ((i % 3) - 1) / 32768);
    const root = writeTree(temporaryFolder(), {
      "dither.wav": wavBytes(dither),
      "zeros.wav": wavBytes(new Float32Array(16000)),
    });
    await expect(readConditionedAudio(join(root, "dither.wav"), 16000)).rejects.toThrow(
      `${join(root, "dither.wav")}: expected audible speech (a sample peak above -70 dBFS), found near-silence (peak -90.3 dBFS)`,
    );
    await expect(readConditionedAudio(join(root, "zeros.wav"), 16000)).rejects.toThrow(/found digital silence/);
  });
});
