import { describe, expect, it } from "vitest";
import { frameCount, istft, resolveStftOptions, StftPlan, stft, stftMagnitude } from "./stft.js";
import { melFilterbank } from "./mel.js";
import { expectClose, reference, speechSample } from "./test-support.js";

const engines = ["wasm", "js"] as const;

describe.each(engines)("stft (%s engine)", (engine) => {
  it("matches torch.stft with librosa's conventions (constant and reflect padding, short window)", () => {
    const ref = reference();
    const signal = Float32Array.from(ref.signal);
    for (const c of ref.stft) {
      const X = stft(signal, { nFft: c.nFft, hop: c.hop, winLength: c.winLength, padMode: c.padMode, engine });
      expect([X.bins, X.frames]).toEqual([c.bins, c.frames]);
      expectClose(X.re, c.re, 1e-4, `re ${c.nFft}/${c.padMode}`);
      expectClose(X.im, c.im, 1e-4, `im ${c.nFft}/${c.padMode}`);
    }
  });

  it("gives the magnitude and power of the complex transform", () => {
    const signal = speechSample().subarray(0, 4000);
    const X = stft(signal, { nFft: 512, hop: 128, engine });
    const magnitude = stftMagnitude(signal, { nFft: 512, hop: 128, engine });
    const power = stftMagnitude(signal, { nFft: 512, hop: 128, engine }, 2);
    const expected = X.re.map((re, i) => Math.hypot(re, X.im[i] as number));
    expectClose(magnitude.data, expected, 1e-6, "magnitude");
    expectClose(
      power.data,
      expected.map((m) => m * m),
      1e-5,
      "power",
    );
  });

  it("counts frames as librosa does", () => {
    const centred = resolveStftOptions({ nFft: 512, hop: 128 });
    expect(frameCount(16000, centred)).toBe(126);
    expect(frameCount(1, centred)).toBe(1);
    const plain = resolveStftOptions({ nFft: 512, hop: 128, center: false });
    expect(frameCount(512, plain)).toBe(1);
    expect(frameCount(1023, plain)).toBe(4);
  });

  it("rejects a non-power-of-two n_fft, a window longer than n_fft and a too-short signal", () => {
    expect(() => new StftPlan({ nFft: 400 })).toThrow(/nFft: expected a power of two.*found 400/);
    expect(() => new StftPlan({ nFft: 256, winLength: 300 })).toThrow(/winLength/);
    expect(() => new StftPlan({ nFft: 256, hop: 0 })).toThrow(/hop/);
    expect(() => new StftPlan({ nFft: 256, center: false }).complex(new Float32Array(100))).toThrow(
      /at least nFft = 256/,
    );
  });
});

describe.each(engines)("istft (%s engine)", (engine) => {
  it("reconstructs the signal to 1e-5 (constant and reflect padding, hop n_fft/4 and n_fft/2, short window)", () => {
    const signal = speechSample().subarray(0, 20000);
    for (const options of [
      { nFft: 512, hop: 128 },
      { nFft: 1024, hop: 256, padMode: "reflect" as const },
      { nFft: 512, hop: 256 },
      { nFft: 256, hop: 50, winLength: 200 },
    ]) {
      const plan = new StftPlan({ ...options, engine });
      const y = plan.inverse(plan.complex(signal), signal.length);
      let worst = 0;
      for (let i = 0; i < signal.length; i++)
        worst = Math.max(worst, Math.abs((y[i] as number) - (signal[i] as number)));
      expect(worst, JSON.stringify(options)).toBeLessThan(1e-5);
    }
  });

  it("defaults to hop * (frames - 1) samples and accepts a dropped Nyquist row", () => {
    const signal = speechSample().subarray(0, 8192);
    const X = stft(signal, { nFft: 512, hop: 128, engine });
    expect(istft(X, { hop: 128, engine }).length).toBe(128 * (X.frames - 1));
    const dropped = {
      re: X.re.subarray(0, 256 * X.frames),
      im: X.im.subarray(0, 256 * X.frames),
      bins: 256,
      frames: X.frames,
    };
    const y = new StftPlan({ nFft: 512, hop: 128, engine }).inverse(dropped, signal.length);
    // Removing the (tiny) Nyquist component of speech changes the signal very little.
    let error = 0;
    let energy = 0;
    for (let i = 0; i < signal.length; i++) {
      error += ((y[i] as number) - (signal[i] as number)) ** 2;
      energy += (signal[i] as number) ** 2;
    }
    expect(Math.sqrt(error / energy)).toBeLessThan(1e-2);
  });
});

describe("engines agree", () => {
  it("wasm (float32 SIMD) and js (fft.js, float64) give the same STFT, mel power and inverse", () => {
    const signal = speechSample().subarray(3000, 13000);
    const wasm = new StftPlan({ nFft: 1024, hop: 256, padMode: "reflect", engine: "wasm" });
    const js = new StftPlan({ nFft: 1024, hop: 256, padMode: "reflect", engine: "js" });
    const a = wasm.complex(signal);
    const b = js.complex(signal);
    expectClose(a.re, b.re, 1e-4, "re");
    expectClose(a.im, b.im, 1e-4, "im");
    const fb = melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 80 });
    expectClose(wasm.filteredPower(signal, fb).data, js.filteredPower(signal, fb).data, 1e-4, "mel power");
    // Into a caller's buffer (what a benchmark or a streaming caller reuses), on both engines.
    const frames = wasm.frameCount(signal.length);
    for (const plan of [wasm, js]) {
      const out = { data: new Float32Array(80 * frames), bins: 80, frames };
      expect(plan.filteredPower(signal, fb, out)).toBe(out);
      expectClose(out.data, js.filteredPower(signal, fb).data, 1e-4, "mel power into out");
      expect(() => plan.filteredPower(signal, fb, { data: new Float32Array(80), bins: 80, frames: 1 })).toThrow(
        /filteredPower\(out\): expected a 80 x \d+ spectrogram, found "80 x 1"/,
      );
    }
    expectClose(wasm.inverse(b, signal.length), js.inverse(b, signal.length), 1e-4, "inverse");
  });
});
