import { describe, expect, it } from "vitest";
import { applyFilterbank, hzToMel, melFilterbank, melToHz } from "./mel.js";
import { melSpectrogram } from "./mel-spectrogram.js";
import { expectClose, reference, speechSample } from "./test-support.js";

describe("mel scale", () => {
  it("converts Hz <-> mel on the Slaney and HTK scales", () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(500)).toBeCloseTo(7.5, 12);
    expect(hzToMel(6400)).toBeCloseTo(15 + 27, 10); // ln(6.4)/27 per mel above 1 kHz
    expect(hzToMel(1000, "htk")).toBeCloseTo(2595 * Math.log10(1 + 1000 / 700), 10);
    for (const hz of [0, 123.4, 999.9, 1000, 4321, 11025]) {
      expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 8);
      expect(melToHz(hzToMel(hz, "htk"), "htk")).toBeCloseTo(hz, 8);
    }
  });
});

describe("melFilterbank", () => {
  it("reproduces librosa's published values (filters.mel rows 0)", () => {
    const a = melFilterbank({ sampleRate: 22050, nFft: 2048 });
    expect([a.nMels, a.nFreq]).toEqual([128, 1025]);
    expectClose(
      a.weights.subarray(0, 6),
      [0, 0.016182853, 0.032365706, 0.028990088, 0.012807235, 0],
      1e-6,
      "22050/2048",
    );
    const b = melFilterbank({ sampleRate: 22050, nFft: 1024, nMels: 80, fmax: 8000 });
    expectClose(b.weights.subarray(1, 4), [0.0155277, 0.0226514, 0.0071237], 1e-5, "22050/1024/80/8000");
  });

  it("matches torchaudio's melscale_fbanks (slaney and htk scales, slaney norm and none, fmin/fmax)", () => {
    for (const c of reference().melFilterbank) {
      const fb = melFilterbank({
        sampleRate: c.sampleRate,
        nFft: c.nFft,
        nMels: c.nMels,
        fmin: c.fmin,
        fmax: c.fmax,
        scale: c.scale,
        norm: c.norm,
      });
      const rows = c.rows.flatMap((m) => Array.from(fb.weights.subarray(m * fb.nFreq, (m + 1) * fb.nFreq)));
      expectClose(rows, c.weights, 1e-4, `${c.sampleRate}/${c.nFft}/${c.nMels}/${c.scale}`);
    }
  });

  it("records each row's non-zero span", () => {
    const fb = melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 80, fmin: 80, fmax: 7600 });
    for (let m = 0; m < fb.nMels; m++) {
      for (let k = 0; k < fb.nFreq; k++) {
        const inside = k >= (fb.start[m] as number) && k < (fb.end[m] as number);
        if (!inside) expect(fb.weights[m * fb.nFreq + k]).toBe(0);
      }
      expect(fb.end[m]).toBeGreaterThan(fb.start[m] as number);
    }
  });

  it("rejects fmax above Nyquist, fmax <= fmin and unknown scales by argument name", () => {
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 512, fmax: 9000 })).toThrow(/options\.fmax/);
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 512, fmin: 500, fmax: 500 })).toThrow(/options\.fmax/);
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 512, scale: "bark" as "htk" })).toThrow(/options\.scale/);
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 0 })).toThrow(/options\.nMels/);
  });
});

describe("melSpectrogram", () => {
  it("matches torchaudio.transforms.MelSpectrogram with librosa's settings on speech", () => {
    const c = reference().melSpectrogram;
    const clip = speechSample().subarray(c.offset, c.offset + c.length);
    const mel = melSpectrogram(clip, {
      sampleRate: 16000,
      nFft: c.nFft,
      hop: c.hop,
      nMels: c.nMels,
      fmin: c.fmin,
      fmax: c.fmax,
    });
    expect([mel.bins, mel.frames]).toEqual([c.bins, c.frames]);
    expectClose(mel.data, c.values, 1e-4, "mel power");
  });

  it("applyFilterbank rejects a spectrogram with the wrong number of bins", () => {
    const fb = melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40 });
    expect(() => applyFilterbank(fb, { data: new Float32Array(256 * 3), bins: 256, frames: 3 })).toThrow(
      /257 \(nFft\/2 \+ 1\).*found 256/,
    );
  });
});
