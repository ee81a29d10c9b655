import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FeatureSpecError, featureBins, silenceFrame, validateFeatureSpec, worldFeatureSpec } from "../feature-spec.js";
import { analyze, synthesize } from "../features.js";
import { Mulberry32 } from "../random.js";
import { fixturesDir } from "../test-support.js";
import { decodeWav } from "../wav.js";
import { bandAperiodicity, codeAperiodicity, decodeAperiodicity } from "./aperiodicity.js";
import { spectralEnvelope } from "./envelope.js";
import { f0 } from "./f0.js";
import {
  cepstrumOfLogAmplitude,
  fitMelAlpha,
  freqt,
  melCepstrum,
  melCepstrumAlpha,
  melCepstrumToEnvelope,
  SPTK_ALPHA_TABLE,
} from "./mel-cepstrum.js";
import { synthesizeWorld } from "./synthesis.js";

const fs = 16000;
const reference = JSON.parse(readFileSync(new URL("world-reference.json", fixturesDir), "utf8")) as {
  fftSize: number;
  order: number;
  alpha: number;
  mcep: { logAmplitude: number[]; cepstrum: number[]; freqt: number[]; mgc2sp: number[] }[];
  pitch: { f0: number[] };
};
const speech = decodeWav(readFileSync(new URL("speech-16k.wav", fixturesDir))).samples;

function gaussian(random: Mulberry32): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** A pulse train following `contour(t)` Hz through a two-pole 600 Hz resonance, noise at `snrDb`. */
function pulses(seconds: number, contour: (t: number) => number, snrDb: number, seed = 1): Float32Array {
  const n = Math.round(seconds * fs);
  const x = new Float32Array(n);
  let phase = 1;
  let y1 = 0;
  let y2 = 0;
  const r = 0.97;
  const a1 = 2 * r * Math.cos((2 * Math.PI * 600) / fs);
  for (let i = 0; i < n; i++) {
    phase += contour(i / fs) / fs;
    const e = phase >= 1 ? 1 : 0;
    if (phase >= 1) phase -= 1;
    const y = e + a1 * y1 - r * r * y2;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
  let power = 0;
  for (const v of x) power += v * v;
  const scale = Math.sqrt(power / n / 10 ** (snrDb / 10));
  const random = new Mulberry32(seed);
  for (let i = 0; i < n; i++) x[i] = (x[i] as number) + scale * gaussian(random);
  return x;
}

/** Gross errors (> 20 % off) among frames voiced in both, and voicing errors, against a known contour. */
function f0Errors(estimate: Float64Array, truth: (t: number) => number, voicedAt: (t: number) => boolean) {
  let gross = 0;
  let voiced = 0;
  let voicing = 0;
  let frames = 0;
  for (let t = 2; t < estimate.length - 2; t++) {
    const time = t * 0.005;
    const shouldVoice = voicedAt(time) && voicedAt(time - 0.02) && voicedAt(time + 0.02);
    const shouldNot = !voicedAt(time) && !voicedAt(time - 0.02) && !voicedAt(time + 0.02);
    if (!shouldVoice && !shouldNot) continue; // within 20 ms of a boundary
    frames++;
    const v = estimate[t] as number;
    if (v > 0 !== shouldVoice) voicing++;
    if (shouldVoice && v > 0) {
      voiced++;
      if (Math.abs(v / truth(time) - 1) > 0.2) gross++;
    }
  }
  return { gross: gross / Math.max(1, voiced), voicing: voicing / frames };
}

describe("f0 (DIO + StoneMask)", () => {
  const cases: [string, (t: number) => number][] = [
    ["steady 120 Hz", () => 120],
    ["glide 80 -> 400 Hz", (t) => 80 * 5 ** (t / 1.5)],
    ["vibrato 220 Hz +-6 % at 5.5 Hz", (t) => 220 * (1 + 0.06 * Math.sin(2 * Math.PI * 5.5 * t))],
  ];
  for (const [name, contour] of cases) {
    it(`${name}, 20 dB SNR, with a noise-only gap: gross errors < 2 %, voicing errors < 5 %`, () => {
      const voicedAt = (t: number) => t < 0.6 || t > 0.9;
      const signal = pulses(1.5, contour, 20);
      // The gap: noise only, at the same level as the noise elsewhere.
      const random = new Mulberry32(7);
      let noise = 0;
      for (let i = Math.round(1.4 * fs); i < Math.round(1.5 * fs); i++) noise += (signal[i] as number) ** 2;
      const level = Math.sqrt(noise / (0.1 * fs)) * 0.1;
      for (let i = Math.round(0.6 * fs); i < Math.round(0.9 * fs); i++) signal[i] = level * gaussian(random);
      const estimate = f0(signal, fs);
      const errors = f0Errors(estimate, contour, voicedAt);
      expect(errors.gross).toBeLessThan(0.02);
      expect(errors.voicing).toBeLessThan(0.05);
    });
  }

  it("frames centred every 5 ms (1 + floor(n / hop)); digital silence is unvoiced", () => {
    expect(f0(new Float32Array(8000), fs).length).toBe(101);
    expect(Array.from(f0(new Float32Array(8000), fs)).every((v) => v === 0)).toBe(true);
  });

  it("agrees with SPTK's pitch -a 1 (SWIPE') on speech: median |log2 ratio| < 0.03 octave", () => {
    const ours = f0(speech, fs);
    const theirs = reference.pitch.f0;
    const ratios: number[] = [];
    for (let t = 0; t < Math.min(ours.length, theirs.length); t++) {
      const a = ours[t] as number;
      const b = theirs[t] as number;
      if (a > 0 && b > 0) ratios.push(Math.abs(Math.log2(a / b)));
    }
    ratios.sort((a, b) => a - b);
    expect(ratios.length).toBeGreaterThan(100);
    expect(ratios[ratios.length >> 1]).toBeLessThan(0.03);
  });

  it("NaN or infinite samples are an error naming the time of the first", () => {
    const signal = new Float32Array(16000);
    signal[12000] = Number.NaN;
    expect(() => f0(signal, fs)).toThrow(/NaN at sample 12000 \(0\.750 s\)/);
    signal[12000] = 0;
    signal[800] = Number.POSITIVE_INFINITY;
    expect(() => analyze(signal, worldFeatureSpec)).toThrow(/analyze\(audio\).*Infinity at sample 800 \(0\.050 s\)/);
  });
});

describe("spectralEnvelope (CheapTrick)", () => {
  it("is independent of F0 within a voice: the same resonance at 100 and 200 Hz within 1.5 dB (300-3000 Hz)", () => {
    const envelopes = [100, 200].map((hz) => {
      const signal = pulses(0.5, () => hz, 60);
      const env = spectralEnvelope(signal, fs, new Float64Array(101).fill(hz));
      // Per-sample power scales with the pulse rate: compare shapes (normalised at 600 Hz).
      const column = (k: number) => env.data[k * env.frames + 50] as number;
      const at600 = column(Math.round(600 / 15.625));
      return (k: number) => 10 * Math.log10(column(k) / at600);
    });
    for (let k = Math.round(300 / 15.625); k < Math.round(3000 / 15.625); k++) {
      expect(
        Math.abs((envelopes[0] as (k: number) => number)(k) - (envelopes[1] as (k: number) => number)(k)),
      ).toBeLessThan(1.5);
    }
  });

  it("unvoiced frames keep the speech band's level under low-frequency hum (hum is not spread over the band)", () => {
    // White noise of power 0.0025 (a fricative's flat spectrum) over a 60 Hz hum 15 dB stronger, all unvoiced.
    const rate = 16000;
    const random = new Mulberry32(3);
    const x = new Float32Array(rate);
    for (let n = 0; n < x.length; n++) {
      const gaussian = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      x[n] = 0.05 * gaussian + 0.4 * Math.sin((2 * Math.PI * 60 * n) / rate);
    }
    const envelope = spectralEnvelope(x, rate, new Float64Array(1 + Math.floor(x.length / 80)));
    const { bins, frames, data } = envelope;
    let sum = 0;
    let count = 0;
    for (let t = 20; t < frames - 20; t++) {
      for (let k = Math.round((1000 * 1024) / rate); k <= Math.round((7000 * 1024) / rate); k++) {
        sum += data[k * frames + t] as number;
        count++;
      }
    }
    expect(bins).toBe(513);
    // The envelope is power per sample spread over the bins: flat noise of power 0.0025 reads 0.0025 in each.
    expect(Math.abs(10 * Math.log10(sum / count / 0.0025))).toBeLessThan(1);
  });

  it("digital silence gives the power floor, never NaN", () => {
    const env = spectralEnvelope(new Float32Array(4000), fs, new Float64Array(51));
    for (const v of env.data) expect(Number.isFinite(v) && v > 0 && v < 1e-12).toBe(true);
  });
});

describe("bandAperiodicity", () => {
  it("tracks the harmonic-to-noise ratio at 3 kHz: inf, 20, 10, 0 dB -> -60, -20, -10.4, -3 dB (+-1.5)", () => {
    const expected: [number, number][] = [
      [Number.POSITIVE_INFINITY, -60],
      [20, -20],
      [10, -10.4],
      [0, -3],
    ];
    for (const [hnr, db] of expected) {
      // A flat pulse train (no resonance) so the ratio holds in every band.
      const n = fs;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i += 133) x[i] = 1;
      const scale = Number.isFinite(hnr) ? Math.sqrt(1 / 133 / 10 ** (hnr / 10)) : 0;
      const random = new Mulberry32(3);
      for (let i = 0; i < n; i++) x[i] = (x[i] as number) + scale * gaussian(random);
      const coded = bandAperiodicity(x, fs, new Float64Array(201).fill(fs / 133));
      const values = Array.from(coded.data.subarray(20, 180)).sort((a, b) => a - b);
      expect(Math.abs((values[80] as number) - db)).toBeLessThan(1.5);
    }
  });

  it("codes bands of another spacing: 1 kHz bands of a 10 dB HNR pulse train read -10.4 dB each, and decode back", () => {
    const x = new Float32Array(fs);
    for (let i = 0; i < fs; i += 133) x[i] = 1;
    const random = new Mulberry32(5);
    const scale = Math.sqrt(1 / 133 / 10);
    for (let i = 0; i < fs; i++) x[i] = (x[i] as number) + scale * gaussian(random);
    const coded = bandAperiodicity(x, fs, new Float64Array(201).fill(fs / 133), { bands: 7, bandSpacing: 1000 });
    expect(coded.bins).toBe(7);
    for (let b = 0; b < 7; b++) {
      const values = Array.from(coded.data.subarray(b * 201 + 20, b * 201 + 180)).sort((p, q) => p - q);
      expect(Math.abs((values[80] as number) + 10.4)).toBeLessThan(1.5);
    }
    const again = codeAperiodicity(decodeAperiodicity(coded, fs, 1024, 1000), fs, 7, 1000);
    for (let i = 0; i < coded.data.length; i++) expect(again.data[i]).toBeCloseTo(coded.data[i] as number, 3);
    expect(() => bandAperiodicity(x, fs, new Float64Array(201), { bandSpacing: 50 })).toThrow(/bandSpacing/);
  });

  it("codes and decodes losslessly at the band centres; unvoiced frames are 0 dB", () => {
    const coded = bandAperiodicity(speech.subarray(0, 8000), fs, new Float64Array(101));
    for (const v of coded.data) expect(v).toBe(0);
    const bands = { data: Float32Array.from([-30, -12, -5, 0]), bins: 1, frames: 4 };
    const decoded = decodeAperiodicity(bands, fs, 1024);
    const again = codeAperiodicity(decoded, fs, 1);
    for (let t = 0; t < 4; t++) expect(again.data[t]).toBeCloseTo(bands.data[t] as number, 4);
  });

  it("decodes every bin as the dB line between the points (-60 dB at 0 Hz, band centres, 0 dB at Nyquist)", () => {
    const random = new Mulberry32(9);
    for (const [bands, spacing, rate] of [
      [1, 3000, 16000],
      [7, 1000, 16000],
      [3, 3000, 22050],
    ] as const) {
      const frames = 13;
      const data = Float32Array.from({ length: bands * frames }, () => -60 * random.next());
      const decoded = decodeAperiodicity({ data, bins: bands, frames }, rate, 512, spacing);
      const points = [0, ...Array.from({ length: bands }, (_, b) => (b + 1) * spacing), rate / 2];
      for (let t = 0; t < frames; t++) {
        const values = [-60, ...Array.from({ length: bands }, (_, b) => data[b * frames + t] as number), 0];
        for (let k = 0; k < 257; k++) {
          const f = (k * rate) / 512;
          let s = 0;
          while (s + 2 < points.length && f > (points[s + 1] as number)) s++;
          const w = (f - (points[s] as number)) / ((points[s + 1] as number) - (points[s] as number));
          const db = (values[s] as number) * (1 - w) + (values[s + 1] as number) * w;
          expect(decoded.data[k * frames + t]).toBeCloseTo(10 ** (db / 20), 6);
        }
      }
    }
  });
});

describe("mel-cepstrum", () => {
  it("freqt equals SPTK's freqt -a 0 -A 0.42 on the same cepstra (to 1e-4)", () => {
    for (const frame of reference.mcep) {
      const c = cepstrumOfLogAmplitude(Float64Array.from(frame.logAmplitude));
      for (let n = 0; n < frame.cepstrum.length; n++) expect(c[n]).toBeCloseTo(frame.cepstrum[n] as number, 5);
      const ours = freqt(frame.cepstrum, reference.order, reference.alpha);
      for (let m = 0; m <= reference.order; m++)
        expect(Math.abs((ours[m] as number) - (frame.freqt[m] as number))).toBeLessThan(1e-4);
    }
  });

  it("melCepstrum of a power envelope is SPTK's freqt of its cepstrum; the inverse is SPTK's mgc2sp -g 0", () => {
    for (const frame of reference.mcep) {
      const bins = frame.logAmplitude.length;
      const envelope = { data: Float32Array.from(frame.logAmplitude, (v) => Math.exp(2 * v)), bins, frames: 1 };
      const mcep = melCepstrum(envelope, reference.order, reference.alpha);
      for (let m = 0; m <= reference.order; m++)
        expect(Math.abs((mcep.data[m] as number) - (frame.freqt[m] as number))).toBeLessThan(1e-4);
      const back = melCepstrumToEnvelope(
        { data: Float32Array.from(frame.freqt), bins: reference.order + 1, frames: 1 },
        reference.fftSize,
        reference.alpha,
      );
      for (let k = 0; k < bins; k++) {
        expect(Math.abs(Math.log(back.data[k] as number) / 2 - (frame.mgc2sp[k] as number))).toBeLessThan(1e-4);
      }
    }
  });

  it("round trip envelope -> mcep (order 39) -> envelope: under 0.1 dB RMS on envelopes of that order", () => {
    for (const frame of reference.mcep) {
      // An envelope an order-39 mel-cepstrum can hold: SPTK's own reconstruction of the fixture.
      const envelope = {
        data: Float32Array.from(frame.mgc2sp, (v) => Math.exp(2 * v)),
        bins: frame.mgc2sp.length,
        frames: 1,
      };
      const back = melCepstrumToEnvelope(melCepstrum(envelope, 39, 0.42), 1024, 0.42);
      let sum = 0;
      for (let k = 0; k < envelope.bins; k++)
        sum += (10 * Math.log10((back.data[k] as number) / (envelope.data[k] as number))) ** 2;
      expect(Math.sqrt(sum / envelope.bins)).toBeLessThan(0.1);
    }
  });

  it("alpha by sample rate: SPTK's table where it has the rate, a mel-scale fit within 0.015 of every entry", () => {
    expect(melCepstrumAlpha(16000)).toBe(0.42);
    for (const [rate, alpha] of Object.entries(SPTK_ALPHA_TABLE)) {
      expect(Math.abs(fitMelAlpha(Number(rate)) - alpha)).toBeLessThan(0.015);
    }
    expect(melCepstrumAlpha(24000)).toBe(fitMelAlpha(24000));
  });
});

describe("synthesizeWorld", () => {
  it("an unvoiced-only input gives noise of the envelope's power, never NaN; any length", () => {
    const frames = 41;
    const envelope = { data: new Float32Array(513 * frames).fill(1e-3), bins: 513, frames };
    const ap = { data: new Float32Array(513 * frames).fill(1), bins: 513, frames };
    for (const length of [0, 1, 17, 3201, 5000]) {
      const out = synthesizeWorld(new Float64Array(frames), envelope, ap, { sampleRate: fs, length });
      expect(out.length).toBe(length);
      for (const v of out) expect(Number.isFinite(v)).toBe(true);
    }
    const out = synthesizeWorld(new Float64Array(frames), envelope, ap, { sampleRate: fs, length: 3200 });
    let power = 0;
    for (let i = 400; i < 2800; i++) power += (out[i] as number) ** 2;
    expect(power / 2400).toBeGreaterThan(0.7e-3);
    expect(power / 2400).toBeLessThan(1.3e-3);
  });

  it("a voiced frame's power is what its envelope says (pulses carry sqrt(T0)), within 1 dB", () => {
    const frames = 81;
    const envelope = { data: new Float32Array(513 * frames).fill(1e-2), bins: 513, frames };
    const ap = { data: new Float32Array(513 * frames).fill(0.001), bins: 513, frames };
    const out = synthesizeWorld(new Float64Array(frames).fill(137), envelope, ap, { sampleRate: fs });
    let power = 0;
    for (let i = 1600; i < 4800; i++) power += (out[i] as number) ** 2;
    expect(Math.abs(10 * Math.log10(power / 3200 / 1e-2))).toBeLessThan(1);
  });

  it("frames longer than the FFT (a 100 ms frame period) are noise all through, at the envelope's power", () => {
    const frames = 12;
    const envelope = { data: new Float32Array(513 * frames).fill(1e-3), bins: 513, frames };
    const ap = { data: new Float32Array(513 * frames).fill(1), bins: 513, frames };
    const out = synthesizeWorld(new Float64Array(frames), envelope, ap, { sampleRate: fs, framePeriod: 100 });
    expect(out.length).toBe(frames * 1600);
    // Every 100 ms stretch (1600 samples, more than the 1024-point FFT) carries noise, none left silent.
    for (let start = 1600; start + 1600 <= out.length - 1600; start += 1600) {
      let power = 0;
      for (let i = start; i < start + 1600; i++) power += (out[i] as number) ** 2;
      expect(power / 1600).toBeGreaterThan(0.7e-3);
      expect(power / 1600).toBeLessThan(1.3e-3);
    }
  });

  it("refuses mismatched parts by name", () => {
    const envelope = { data: new Float32Array(513 * 4), bins: 513, frames: 4 };
    expect(() => synthesizeWorld(new Float64Array(3), envelope, envelope, { sampleRate: fs })).toThrow(
      /one F0 per envelope frame/,
    );
  });
});

describe("FeatureSpec kind world", () => {
  it("38 rows (36 mel-cepstral, log F0, 1 band aperiodicity); analyze -> synthesize keeps length and level", () => {
    expect(featureBins(worldFeatureSpec)).toBe(38);
    const features = analyze(speech, worldFeatureSpec);
    expect(features.bins).toBe(38);
    expect(features.frames).toBe(1 + Math.floor(speech.length / 80));
    for (const v of features.data) expect(Number.isFinite(v)).toBe(true);
    const out = synthesize(features, worldFeatureSpec, { length: speech.length });
    expect(out.length).toBe(speech.length);
    let a = 0;
    let b = 0;
    for (let i = 0; i < speech.length; i++) {
      a += (speech[i] as number) ** 2;
      b += (out[i] as number) ** 2;
    }
    expect(Math.abs(10 * Math.log10(b / a))).toBeLessThan(1.5);
  });

  it("digital silence analyses to silenceFrame", () => {
    const features = analyze(new Float32Array(4000), worldFeatureSpec);
    const silence = silenceFrame(worldFeatureSpec);
    for (let f = 0; f < features.bins; f++) {
      expect(features.data[f * features.frames + 10]).toBeCloseTo(silence[f] as number, 3);
    }
  });

  it("validation names the wrong world field", () => {
    const bad = { ...worldFeatureSpec, world: { ...worldFeatureSpec.world, mcepOrder: 0 } };
    expect(() => validateFeatureSpec(bad)).toThrow(
      /spec\.world\.mcepOrder: expected an integer in \[1, 511\], found 0/,
    );
    expect(() => validateFeatureSpec({ ...worldFeatureSpec, unitScale: true })).toThrow(FeatureSpecError);
    const { world: _world, ...noWorld } = worldFeatureSpec;
    expect(() => validateFeatureSpec(noWorld)).toThrow(/spec\.world: expected/);
    expect(() => validateFeatureSpec({ ...worldFeatureSpec, kind: "mel", nMels: 80, fmin: 0 })).toThrow(
      /spec\.world: expected no world/,
    );
  });
});
