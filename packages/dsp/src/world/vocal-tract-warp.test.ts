import { describe, expect, it } from "vitest";
import { worldFeatureLayout, worldFeatureSpec } from "../feature-spec.js";
import { melCepstrum, melCepstrumToEnvelope } from "./mel-cepstrum.js";
import { melCepstrumWarpMatrix, VocalTractWarp } from "./vocal-tract-warp.js";

const fftSize = 1024;
const bins = fftSize / 2 + 1;
const hzPerBin = 16000 / fftSize;

/** A power envelope with one resonance at `hz` (a Gaussian bump of 20 dB on a gentle tilt), one frame. */
function resonance(hz: number): { data: Float32Array; bins: number; frames: number } {
  const data = new Float32Array(bins);
  for (let k = 0; k < bins; k++) {
    const f = k * hzPerBin;
    const db = 20 * Math.exp(-(((f - hz) / 250) ** 2)) - f / 1000;
    data[k] = 10 ** (db / 10);
  }
  return { data, bins, frames: 1 };
}

function peakHz(envelope: { data: Float32Array }): number {
  let best = 0;
  for (let k = 1; k < bins; k++) if ((envelope.data[k] as number) > (envelope.data[best] as number)) best = k;
  return best * hzPerBin;
}

describe("melCepstrumWarpMatrix", () => {
  it("is the identity at alpha 0 and matches freqt column by column (c0 alone stays c0)", () => {
    const identity = melCepstrumWarpMatrix(5, 0);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) expect(identity[i * 6 + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    const warp = melCepstrumWarpMatrix(5, 0.1);
    expect(warp[0]).toBe(1);
    for (let i = 1; i < 6; i++) expect(warp[i * 6]).toBe(0);
  });

  it("moves a resonance by the all-pass warp (positive alpha raises it) and back again", () => {
    const mcep = melCepstrum(resonance(1500), 35, 0.42);
    expect(Math.abs(peakHz(melCepstrumToEnvelope(mcep, fftSize, 0.42)) - 1500)).toBeLessThan(40);
    const layoutSpec = { ...worldFeatureSpec };
    const rows = worldFeatureLayout(layoutSpec).rows;
    const crop = new Float32Array(rows);
    crop.set(mcep.data);
    const warp = new VocalTractWarp(layoutSpec, 1, 0.05, 3);
    expect(Array.from(warp.alphas)).toEqual([-0.05, 0, 0.05]);
    const up = crop.slice();
    warp.apply(up, 2);
    const down = crop.slice();
    warp.apply(down, 0);
    const upHz = peakHz(melCepstrumToEnvelope({ data: up.subarray(0, 36), bins: 36, frames: 1 }, fftSize, 0.42));
    const downHz = peakHz(melCepstrumToEnvelope({ data: down.subarray(0, 36), bins: 36, frames: 1 }, fftSize, 0.42));
    // At 1.5 kHz an all-pass of 0.05 on top of 0.42 moves frequency by about 8-10 %.
    expect(upHz / 1500).toBeGreaterThan(1.04);
    expect(upHz / 1500).toBeLessThan(1.12);
    expect(downHz / 1500).toBeLessThan(0.96);
    expect(downHz / 1500).toBeGreaterThan(0.88);
    // F0 and aperiodicity rows are untouched; the warp undone by its opposite within 0.2 dB RMS.
    expect(Array.from(up.subarray(36))).toEqual(Array.from(crop.subarray(36)));
    warp.apply(up, 0);
    const back = melCepstrumToEnvelope({ data: up.subarray(0, 36), bins: 36, frames: 1 }, fftSize, 0.42);
    const original = melCepstrumToEnvelope(mcep, fftSize, 0.42);
    let sum = 0;
    for (let k = 0; k < bins; k++)
      sum += (10 * Math.log10((back.data[k] as number) / (original.data[k] as number))) ** 2;
    expect(Math.sqrt(sum / bins)).toBeLessThan(0.2);
  });

  it("warps every frame of a crop, at an offset in a batch, and refuses a level it has not planned", () => {
    const spec = worldFeatureSpec;
    const rows = worldFeatureLayout(spec).rows;
    const frames = 4;
    const batch = new Float32Array(2 * rows * frames);
    for (let f = 0; f < frames; f++) {
      batch[rows * frames + f] = -3; // c0 of the second crop
      batch[rows * frames + frames + f] = f; // c1 grows frame by frame
    }
    const warp = new VocalTractWarp(spec, frames, 0.1, 5);
    const single = melCepstrumWarpMatrix(35, warp.alphas[4] as number);
    const before = batch.slice();
    warp.apply(batch, 4, rows * frames);
    expect(Array.from(batch.subarray(0, rows * frames))).toEqual(Array.from(before.subarray(0, rows * frames)));
    for (let f = 0; f < frames; f++) {
      for (const i of [0, 1, 2, 7]) {
        const expected = -3 * (single[i * 36] as number) + f * (single[i * 36 + 1] as number);
        expect(batch[rows * frames + i * frames + f]).toBeCloseTo(expected, 5);
      }
    }
    expect(warp.levelOf(0)).toBe(0);
    expect(warp.levelOf(0.999)).toBe(4);
    expect(() => warp.apply(batch, 5)).toThrow(/level/);
    expect(() => new VocalTractWarp({ ...spec, kind: "mel" }, frames, 0.1)).toThrow(/world/);
  });
});
