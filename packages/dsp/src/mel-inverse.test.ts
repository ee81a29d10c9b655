import { describe, expect, it } from "vitest";
import { applyFilterbank, melFilterbank } from "./mel.js";
import { melToLinear } from "./mel-inverse.js";
import { reference } from "./test-support.js";

describe.each(["wasm", "js"] as const)("melToLinear (%s iterations)", (engine) => {
  const c = reference().melSpectrogram;
  const fb = melFilterbank({ sampleRate: 16000, nFft: c.nFft, nMels: c.nMels, fmin: c.fmin, fmax: c.fmax });
  const mel = { data: Float32Array.from(c.values), bins: c.bins, frames: c.frames };

  it("finds non-negative spectra whose mel projection matches as well as scipy's exact NNLS (to 1e-4 of ||M||)", () => {
    const linear = melToLinear(mel, fb, { power: 2, maxIterations: 2000, tolerance: 1e-7, engine });
    expect([linear.bins, linear.frames]).toEqual([fb.nFreq, c.frames]);
    expect(linear.data.every((x) => x >= 0)).toBe(true);
    const power = { data: linear.data.map((x) => x * x), bins: linear.bins, frames: linear.frames };
    const projected = applyFilterbank(fb, power);
    const { residualNorms, melNorms } = reference().melToLinear;
    for (let t = 0; t < c.frames; t++) {
      let residual = 0;
      for (let m = 0; m < c.nMels; m++) {
        residual += ((projected.data[m * c.frames + t] as number) - (mel.data[m * c.frames + t] as number)) ** 2;
      }
      const excess = Math.sqrt(residual) - (residualNorms[t] as number);
      expect(excess / (melNorms[t] as number), `frame ${t}`).toBeLessThan(1e-4);
    }
  });

  it("fits quiet frames to the tolerance of their own level, not the loud frames' (frames 60 dB apart)", () => {
    // Frames leave the iterations when they meet the tolerance on their own: a quiet frame must not leave at
    // the loud frames' absolute error, which would be its whole level.
    // Mel frames of non-negative spectra (so an exact fit exists), every other one 60 dB down.
    const frames = 40;
    const spectra = new Float32Array(fb.nFreq * frames);
    for (let k = 0; k < fb.nFreq; k++)
      for (let t = 0; t < frames; t++)
        spectra[k * frames + t] = (t % 2 === 0 ? 1 : 1e-6) * (1 + Math.sin(0.05 * k * (1 + t / 8))) ** 2;
    const data = applyFilterbank(fb, { data: spectra, bins: fb.nFreq, frames }).data;
    const tolerance = 1e-3;
    const linear = melToLinear({ data, bins: c.nMels, frames }, fb, { power: 2, tolerance, engine });
    const projected = applyFilterbank(fb, { data: linear.data.map((x) => x * x), bins: linear.bins, frames });
    for (let t = 1; t < frames; t += 2) {
      let residual = 0;
      let norm = 0;
      for (let m = 0; m < c.nMels; m++) {
        residual += ((projected.data[m * frames + t] as number) - (data[m * frames + t] as number)) ** 2;
        norm += (data[m * frames + t] as number) ** 2;
      }
      expect(Math.sqrt(residual / norm), `quiet frame ${t}`).toBeLessThan(10 * tolerance);
    }
  });

  it("never returns NaN when it stops on the tolerance at an extrapolated point (32 bands over n_fft 512)", () => {
    // Found by @vox/eval: flat mid-level mel frames converged early and the extrapolated point had negative
    // entries at bin 158, whose square root was NaN.
    const narrow = melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 32, fmin: 80, fmax: 7600 });
    const frames = 126;
    const data = new Float32Array(32 * frames).map((_, i) => 10 ** ((-55 + 13 * ((i * 0.618) % 1)) / 10) * 65536);
    const linear = melToLinear({ data, bins: 32, frames }, narrow, { power: 2, engine });
    for (const v of linear.data) expect(Number.isFinite(v) && v >= 0).toBe(true);
  });

  it("rejects a mel spectrogram with the wrong number of bands", () => {
    expect(() => melToLinear({ data: new Float32Array(40), bins: 40, frames: 1 }, fb)).toThrow(
      /80 mel bands.*found 40/,
    );
  });
});
