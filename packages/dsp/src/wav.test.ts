import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wavefile from "wavefile";
import { describe, expect, it } from "vitest";
import { WavFormatError } from "./errors.js";
import { readWavFile, writeWavFile } from "./node.js";
import { decodeWav, encodeWav } from "./wav.js";

/** A WAV made by wavefile itself from raw sample values, as an independent encoder. */
function wavefileBytes(channels: number, rate: number, bitDepth: string, samples: number[] | number[][]): Uint8Array {
  const file = new wavefile.WaveFile();
  file.fromScratch(channels, rate, bitDepth, samples);
  return file.toBuffer();
}

describe("decodeWav", () => {
  it("scales every PCM depth as soundfile does (value / 2^(bits-1); 8-bit unsigned) and reads float as is", () => {
    const cases: [string, number[], number[]][] = [
      ["8", [0, 128, 255], [-1, 0, 127 / 128]],
      ["16", [-32768, 0, 16384, 32767], [-1, 0, 0.5, 32767 / 32768]],
      ["24", [-8388608, 0, 4194304, 8388607], [-1, 0, 0.5, 8388607 / 8388608]],
      ["32", [-2147483648, 0, 1073741824], [-1, 0, 0.5]],
      ["32f", [-1, 0, 0.25, 1.5], [-1, 0, 0.25, 1.5]],
      ["64", [-0.5, 0.125], [-0.5, 0.125]],
    ];
    for (const [depth, raw, expected] of cases) {
      const decoded = decodeWav(wavefileBytes(1, 16000, depth, raw), `x${depth}.wav`);
      expect(Array.from(decoded.samples), depth).toEqual(expected.map((v) => Math.fround(v)));
      expect(decoded.info.bitDepth).toBe(depth === "32f" ? 32 : depth === "64" ? 64 : Number(depth));
    }
  });

  it("mixes any channel count down to the mean and keeps any sample rate", () => {
    const stereo = decodeWav(
      wavefileBytes(2, 44100, "16", [
        [16384, 0, -32768],
        [0, 16384, -32768],
      ]),
    );
    expect(Array.from(stereo.samples)).toEqual([0.25, 0.25, -1]);
    expect(stereo.sampleRate).toBe(44100);
    expect(stereo.info.channels).toBe(2);
    const six = decodeWav(
      wavefileBytes(
        6,
        48000,
        "16",
        [1, 2, 3, 4, 5, 6].map((c) => [c * 1024]),
      ),
    );
    expect(six.samples[0]).toBeCloseTo((21 * 1024) / 6 / 32768, 7);
  });

  it("names the file and the problem for empty, truncated, non-RIFF and unsupported files", () => {
    const good = wavefileBytes(1, 16000, "16", [1, 2, 3, 4]);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /bad\.wav: expected a WAV file, found an empty file/],
      [
        good.subarray(0, good.length - 3),
        /bad\.wav: expected a 'data' chunk of 8 bytes, found only 5 bytes \(the file is truncated\)/,
      ],
      [new TextEncoder().encode("ID3\u0003 this is an mp3, honestly"), /bad\.wav: expected a RIFF\/WAVE header/],
      [good.subarray(0, 8), /only 8 bytes/],
    ];
    const alaw = new wavefile.WaveFile();
    alaw.fromScratch(1, 8000, "8a", [1, 2, 3]);
    cases.push([alaw.toBuffer(), /format tag 6/]);
    for (const [bytes, message] of cases) {
      let error: unknown;
      try {
        decodeWav(bytes, "bad.wav");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WavFormatError);
      expect((error as WavFormatError).where).toBe("bad.wav");
      expect((error as Error).message).toMatch(message);
    }
  });

  it("rejects a header with no samples", () => {
    expect(() => decodeWav(wavefileBytes(1, 16000, "16", []), "silent.wav")).toThrow(
      /silent\.wav: expected at least one audio frame/,
    );
  });
});

describe("encodeWav", () => {
  it("rounds and clamps instead of truncating, and round-trips through decodeWav", () => {
    const x = Float32Array.from([0, 1e-11, 0.5, -0.5, 1, -1, 2, -2, Number.NaN, 0.999999]);
    const bytes = encodeWav(x, 16000, 16);
    const raw = new wavefile.WaveFile(bytes).getSamples(false, Int32Array) as unknown as Int32Array;
    expect(Array.from(raw)).toEqual([0, 0, 16384, -16384, 32767, -32768, 32767, -32768, 0, 32767]);
    for (const depth of [16, 24, 32] as const) {
      const decoded = decodeWav(encodeWav(Float32Array.from([0.1, -0.7, 0.33]), 22050, depth));
      expect(decoded.sampleRate).toBe(22050);
      for (const [i, v] of decoded.samples.entries()) {
        expect(v).toBeCloseTo([0.1, -0.7, 0.33][i] as number, depth === 16 ? 4 : 6);
      }
    }
    const float = decodeWav(encodeWav(Float32Array.from([0.1, -0.7, 1.5]), 8000, "32f"));
    expect(Array.from(float.samples)).toEqual([0.1, -0.7, 1.5].map(Math.fround));
    expect(() => encodeWav(x, 0)).toThrow(/sampleRate/);
  });
});

describe("readWavFile / writeWavFile", () => {
  it("write atomically and read back; a missing file is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vox-dsp-"));
    const path = join(dir, "sub", "a.wav");
    await writeWavFile(path, Float32Array.from([0.5, -0.25]), 16000);
    const back = await readWavFile(path);
    expect(Array.from(back.samples)).toEqual([0.5, -0.25]);
    await expect(readWavFile(join(dir, "missing.wav"))).rejects.toThrow(
      /missing\.wav: expected a readable file, found no such file/,
    );
    writeFileSync(join(dir, "text.wav"), "hello");
    await expect(readWavFile(join(dir, "text.wav"))).rejects.toThrow(
      /text\.wav: expected a WAV file, found only 5 bytes/,
    );
    expect(readFileSync(path).subarray(0, 4).toString()).toBe("RIFF");
  });
});
