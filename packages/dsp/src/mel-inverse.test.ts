import { describe, expect, it } from "vitest";
import { applyFilterbank, melFilterbank } from "./mel.js";
import { melToLinear } from "./mel-inverse.js";
import { reference } from "./test-support.js";

describe("melToLinear", () => {
  const c = reference().melSpectrogram;
  const fb = melFilterbank({ sampleRate: 16000, nFft: c.nFft, nMels: c.nMels, fmin: c.fmin, fmax: c.fmax });
  const mel = { data: Float32Array.from(c.values), bins: c.bins, frames: c.frames };

  it("finds non-negative spectra whose mel projection matches as well as scipy's exact NNLS (to 1e-4 of ||M||)", () => {
    const linear = melToLinear(mel, fb, { power: 2, maxIterations: 2000, tolerance: 1e-7 });
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

  it("rejects a mel spectrogram with the wrong number of bands", () => {
    expect(() => melToLinear({ data: new Float32Array(40), bins: 40, frames: 1 }, fb)).toThrow(
      /80 mel bands.*found 40/,
    );
  });
});
