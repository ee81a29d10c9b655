import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { encodeWav, type WavBitDepth } from "@vox/dsp";

export function temporaryFolder(prefix = "vox-datasets-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A voiced, speech-like test signal: harmonics of `f0` under a formant-ish envelope peaking at `brightness` Hz,
 * syllable-rate amplitude modulation, with `silence` seconds of digital silence before and after.
 */
export function voice(
  options: {
    seconds?: number;
    sampleRate?: number;
    f0?: number;
    brightness?: number;
    silence?: number;
    amplitude?: number;
  } = {},
): Float32Array {
  const { seconds = 0.8, sampleRate = 16000, f0 = 140, brightness = 800, silence = 0, amplitude = 0.3 } = options;
  const pad = Math.round(silence * sampleRate);
  const length = Math.round(seconds * sampleRate);
  const out = new Float32Array(length + 2 * pad);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    let v = 0;
    for (let h = 1; f0 * h < sampleRate / 2.2 && h < 30; h++) {
      const f = f0 * h;
      v += Math.exp(-(((f - brightness) / (brightness * 0.8)) ** 2)) * Math.sin(2 * Math.PI * f * t + h);
    }
    out[pad + i] = amplitude * 0.3 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
  }
  return out;
}

export function wavBytes(samples: Float32Array, sampleRate = 16000, bitDepth: WavBitDepth = 16): Uint8Array {
  return encodeWav(samples, sampleRate, bitDepth);
}

/** Writes `files` (relative path -> bytes or text) under `root`. */
export function writeTree(root: string, files: Record<string, Uint8Array | string>): string {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

/** The committed FLAC fixture (0.6 s, 44.1 kHz stereo). */
export function flacFixture(): Uint8Array {
  return new Uint8Array(readFileSync(new URL("../fixtures/tone-stereo-44k.flac", import.meta.url)));
}

/** A PCM WAV written by hand (8-bit unsigned or 16-bit signed, any channel count), for formats encodeWav omits. */
export function pcmWav(channels: Float32Array[], sampleRate: number, bits: 8 | 16): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const blockAlign = channels.length * (bits / 8);
  const bytes = new Uint8Array(44 + frames * blockAlign);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + frames * blockAlign, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  ascii(36, "data");
  view.setUint32(40, frames * blockAlign, true);
  for (let i = 0; i < frames; i++) {
    channels.forEach((channel, c) => {
      const v = Math.max(-1, Math.min(1, channel[i] ?? 0));
      const at = 44 + i * blockAlign + c * (bits / 8);
      if (bits === 8) bytes[at] = Math.round(v * 127 + 128);
      else view.setInt16(at, Math.round(v * 32767), true);
    });
  }
  return bytes;
}
