import { describe, expect, it } from "vitest";
import { type Cepstra, melCepstra } from "./cepstrum.js";
import { mcdConstant, mcdDtw, mcdDtwAudio } from "./mcd.js";
import { mcdDtwWorldAudio, worldMelCepstra } from "./world-cepstrum.js";

function speech(seconds: number, f0: number, seed = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < out.length; i++) {
    const t = i / 16000;
    let v = 0;
    for (let h = 1; h < 25; h++) v += Math.sin(2 * Math.PI * f0 * h * t + h * seed) / h;
    out[i] = 0.2 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
  }
  return out;
}

describe("mel-cepstral distortion", () => {
  it("matches the formula on hand-made cepstra, ignoring c0", () => {
    const order = 2;
    const a: Cepstra = { data: new Float32Array([5, 1, 2]), frames: 1, order };
    const b: Cepstra = { data: new Float32Array([-7, 1.5, 1]), frames: 1, order };
    // sqrt(0.5^2 + 1^2) = 1.118; MCD = (10 / ln 10) sqrt(2) 1.118 = 6.866 dB
    expect(mcdDtw(a, b).mcd).toBeCloseTo(mcdConstant * Math.sqrt(1.25), 4);
    expect(mcdConstant).toBeCloseTo(6.1419, 3);
  });

  it("is 0 for identical signals and grows with distortion", () => {
    const x = speech(1, 140);
    expect(mcdDtwAudio(x, x, 16000).mcd).toBe(0);
    const noisy = (level: number) => x.map((v, i) => v + level * Math.sin(i * 12.9898) * 0.5);
    const small = mcdDtwAudio(noisy(0.01), x, 16000).mcd;
    const large = mcdDtwAudio(noisy(0.1), x, 16000).mcd;
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(small);
    // A different voice (other pitch and phase) is further still than mild noise.
    expect(mcdDtwAudio(speech(1, 230, 3), x, 16000).mcd).toBeGreaterThan(small);
  });

  it("aligns a slowed-down copy: time-stretching costs little next to a different signal", () => {
    const x = speech(1, 140);
    const slow = speech(1.3, 140);
    const stretched = mcdDtwAudio(slow, x, 16000).mcd;
    expect(stretched).toBeLessThan(mcdDtwAudio(speech(1, 260, 5), x, 16000).mcd);
    expect(melCepstra(x, 16000).order).toBe(24);
  });

  it("world MCD (order 24, c0 excluded): 0 for a signal against itself, larger for a voice of another pitch", () => {
    const a = speech(1, 120);
    expect(mcdDtwWorldAudio(a, a, 16000).mcd).toBeCloseTo(0, 6);
    const b = speech(1, 190, 2);
    expect(mcdDtwWorldAudio(b, a, 16000).mcd).toBeGreaterThan(0.5);
    expect(worldMelCepstra(a, 16000).order).toBe(24);
    expect(worldMelCepstra(a, 16000).frames).toBe(201);
  });
});
