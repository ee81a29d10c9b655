import { mulberry32 } from "@vox/dsp";
import { describe, expect, it } from "vitest";
import type { Cepstra } from "./cepstrum.js";
import { DiagonalGmm, type FrameMatrix, SpeakerClassifier, speakerFrames } from "./speaker-classifier.js";

/** Frames of a 2-D mixture: each frame near one of `centres`, chosen in turn, with Gaussian noise of `spread`. */
function mixtureFrames(centres: number[][], frames: number, spread: number, random: () => number): FrameMatrix {
  const data = new Float64Array(frames * 2);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let t = 0; t < frames; t++) {
    const centre = centres[Math.floor(random() * centres.length)] as number[];
    data[2 * t] = (centre[0] ?? 0) + spread * normal();
    data[2 * t + 1] = (centre[1] ?? 0) + spread * normal();
  }
  return { data, frames, dims: 2 };
}

/** Per-dimension mean and standard deviation of an utterance's frames. */
function moments(x: FrameMatrix): number[] {
  const out: number[] = [];
  for (let k = 0; k < x.dims; k++) {
    let sum = 0;
    let squares = 0;
    for (let t = 0; t < x.frames; t++) {
      const v = x.data[t * x.dims + k] ?? 0;
      sum += v;
      squares += v * v;
    }
    out.push(sum / x.frames, Math.sqrt(squares / x.frames - (sum / x.frames) ** 2));
  }
  return out;
}

describe("SpeakerClassifier", () => {
  // Two voices whose every coefficient has the same mean (0) and spread (about 1): they differ only in which
  // combinations occur, as two speakers differ in where each of their sounds lies. Utterance statistics cannot
  // tell them apart; a frame model must.
  const voices: Record<string, number[][]> = {
    a: [
      [-1, -1],
      [1, 1],
    ],
    b: [
      [-1, 1],
      [1, -1],
    ],
  };

  it("tells apart voices with the same per-coefficient mean and spread, on utterances it never saw", () => {
    const random = mulberry32(5);
    const train = ["a", "b"].flatMap((speaker) =>
      Array.from({ length: 10 }, () => ({ frames: mixtureFrames(voices[speaker] ?? [], 60, 0.3, random), speaker })),
    );
    const classifier = new SpeakerClassifier(["a", "b"]).fit(train, { components: 4 });
    let right = 0;
    for (const speaker of ["a", "b"]) {
      for (let i = 0; i < 20; i++) {
        const utterance = mixtureFrames(voices[speaker] ?? [], 40, 0.3, random);
        if (classifier.predict(utterance) === speaker) right++;
      }
    }
    expect(right).toBe(40);
    // The premise: the two voices' utterance statistics agree to within sampling noise.
    const ma = moments(mixtureFrames(voices.a ?? [], 4000, 0.3, random));
    const mb = moments(mixtureFrames(voices.b ?? [], 4000, 0.3, random));
    for (const [k, v] of ma.entries()) expect(v).toBeCloseTo(mb[k] ?? 0, 1);
  });

  it("is deterministic and scores each speaker's model", () => {
    const make = () => {
      const random = mulberry32(9);
      const train = ["a", "b"].flatMap((speaker) =>
        Array.from({ length: 4 }, () => ({ frames: mixtureFrames(voices[speaker] ?? [], 50, 0.3, random), speaker })),
      );
      return new SpeakerClassifier(["a", "b"]).fit(train, { components: 3 });
    };
    const probe = mixtureFrames(voices.a ?? [], 30, 0.3, mulberry32(1));
    const first = make().scores(probe);
    expect(Array.from(make().scores(probe))).toEqual(Array.from(first));
    expect(first[0]).toBeGreaterThan(first[1] ?? 0);
  });

  it("names an unknown speaker, a speaker without frames, and scoring before fitting", () => {
    const some = mixtureFrames(voices.a ?? [], 10, 0.3, mulberry32(2));
    const none: FrameMatrix = { data: new Float64Array(0), frames: 0, dims: 2 };
    expect(() => new SpeakerClassifier(["a"]).fit([{ frames: some, speaker: "z" }])).toThrow(/"z" is not one of a/);
    expect(() =>
      new SpeakerClassifier(["a", "b"]).fit([
        { frames: some, speaker: "a" },
        { frames: none, speaker: "b" },
      ]),
    ).toThrow(/heard frames of speaker "b", found none/);
    expect(() => new SpeakerClassifier(["a"]).scores(some)).toThrow(/fit\(\) before scoring/);
  });
});

describe("DiagonalGmm", () => {
  it("finds the components of a well separated mixture", () => {
    const x = mixtureFrames(
      [
        [-4, 0],
        [4, 0],
      ],
      2000,
      0.5,
      mulberry32(4),
    );
    const two = new DiagonalGmm(2).fit(x, 2);
    const one = new DiagonalGmm(2).fit(x, 1);
    expect(two.components).toBe(2);
    // Expected ln-likelihood at the true parameters: ln 1/2 - ln(2 pi 0.25) - 1 = -2.14 per frame.
    expect(two.meanLogLikelihood(x)).toBeCloseTo(-Math.log(2 * Math.PI * 0.25) - 1 - Math.log(2), 1);
    expect(two.meanLogLikelihood(x)).toBeGreaterThan(one.meanLogLikelihood(x) + 1);
  });
});

describe("speakerFrames", () => {
  it("keeps frames within 40 dB of the loudest, with c1..cD and their deltas", () => {
    // order 1: c0, c1 per frame; frame 1 is 50 dB below the others (c0 is the mean ln amplitude).
    const quiet = -50 / (20 / Math.log(10));
    const cepstra: Cepstra = { data: Float32Array.from([0, 1, quiet, 2, 0, 4, 0, 8]), frames: 4, order: 1 };
    const f = speakerFrames(cepstra);
    expect(f.frames).toBe(3);
    expect(f.dims).toBe(2);
    // Kept frames 0, 2, 3: c1 = 1, 4, 8; deltas (c[t+1] - c[t-1]) / 2 with the ends repeated, the dropped frame's
    // c1 (2) still the context of its neighbours.
    expect(Array.from(f.data)).toEqual([1, 0.5, 4, 3, 8, 2]);
  });
});
