import { describe, expect, it } from "vitest";
import { griffinLim } from "./griffin-lim.js";
import { spectralConvergence } from "./metrics.js";
import { StftPlan } from "./stft.js";
import { reference, speechSample } from "./test-support.js";

describe.each(["wasm", "js"] as const)("griffinLim (%s engine)", (engine) => {
  const speech = speechSample();
  const plan = new StftPlan({ nFft: 512, hop: 128 });
  const magnitude = plan.magnitude(speech);

  it("falls monotonically in spectral convergence on speech and ends no worse than torchaudio's", () => {
    // Three random initialisations each side; torchaudio's figures come from tools/make-dsp-fixtures.py.
    const finals: number[] = [];
    for (const seed of [0, 1, 2]) {
      const history: number[] = [];
      const y = griffinLim(magnitude, {
        hop: 128,
        length: speech.length,
        engine,
        seed,
        onIteration: (_, sc) => history.push(sc),
      });
      expect(history).toHaveLength(32);
      for (let i = 1; i < history.length; i++)
        expect(history[i], `seed ${seed} iteration ${i}`).toBeLessThan(history[i - 1] as number);
      finals.push(spectralConvergence(magnitude.data, plan.magnitude(y).data));
      // The final signal is one projection past the last reported estimate, so it is no worse.
      expect(finals.at(-1)).toBeLessThanOrEqual((history[31] as number) * 1.001);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(finals)).toBeLessThanOrEqual(mean(reference().griffinLim.torchaudioSpectralConvergence));
  });

  it("is deterministic for a seed, differs across seeds, and supports zero-phase init and classic GL", () => {
    const short = new StftPlan({ nFft: 512, hop: 128 }).magnitude(speech.subarray(0, 8000));
    const a = griffinLim(short, { hop: 128, engine, nIter: 4, seed: 7 });
    const b = griffinLim(short, { hop: 128, engine, nIter: 4, seed: 7 });
    const c = griffinLim(short, { hop: 128, engine, nIter: 4, seed: 8 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const zeros = griffinLim(short, { hop: 128, engine, nIter: 4, init: "zeros" });
    expect(zeros.length).toBe(128 * (short.frames - 1));
    const classic: number[] = [];
    griffinLim(short, { hop: 128, engine, nIter: 8, momentum: 0, onIteration: (_, sc) => classic.push(sc) });
    for (let i = 1; i < classic.length; i++) expect(classic[i]).toBeLessThanOrEqual((classic[i - 1] as number) + 1e-9);
  });

  it("momentum 0.99 converges faster than classic Griffin-Lim", () => {
    const short = new StftPlan({ nFft: 512, hop: 128 }).magnitude(speech.subarray(0, 16000));
    const last = (momentum: number) => {
      let value = Number.NaN;
      griffinLim(short, { hop: 128, engine, nIter: 16, momentum, onIteration: (_, sc) => (value = sc) });
      return value;
    };
    expect(last(0.99)).toBeLessThan(last(0));
  });

  it("rejects bad settings by name", () => {
    expect(() => griffinLim(magnitude, { hop: 128, nIter: -1 })).toThrow(/options\.nIter/);
    expect(() => griffinLim(magnitude, { hop: 128, momentum: Number.NaN })).toThrow(/options\.momentum/);
    expect(() => griffinLim(magnitude, { nFft: 256, hop: 64 })).toThrow(/magnitude\.bins.*129.*257/);
  });
});

describe("griffinLim engines", () => {
  it("the wasm kernels (frame-blocked) and the JavaScript path give the same signal, a partial last block included", () => {
    // 37 frames: nine blocks of four and one of a single frame, whose padding lanes must stay silent.
    const speech = speechSample().subarray(0, 128 * 36);
    for (const nFft of [512, 1024]) {
      const magnitude = new StftPlan({ nFft, hop: 128 }).magnitude(speech);
      expect(magnitude.frames).toBe(37);
      const histories: number[][] = [[], []];
      const [wasm, js] = (["wasm", "js"] as const).map((engine, i) =>
        griffinLim(magnitude, {
          nFft,
          hop: 128,
          engine,
          nIter: 4,
          seed: 3,
          length: speech.length,
          onIteration: (_, sc) => histories[i]?.push(sc),
        }),
      );
      let difference = 0;
      let energy = 0;
      for (let i = 0; i < speech.length; i++) {
        difference += ((wasm?.[i] as number) - (js?.[i] as number)) ** 2;
        energy += (js?.[i] as number) ** 2;
      }
      expect(Math.sqrt(difference / energy), `n_fft ${nFft}`).toBeLessThan(1e-4);
      for (let i = 0; i < 4; i++) expect(histories[0]?.[i]).toBeCloseTo(histories[1]?.[i] as number, 5);
    }
  });
});
