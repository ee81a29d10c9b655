import { describe, expect, it } from "vitest";
import { SpeakerClassifier } from "./speaker-classifier.js";
import { mulberry32 } from "@vox/dsp";

describe("SpeakerClassifier", () => {
  it("learns separable synthetic speakers and generalises to new utterances of them", () => {
    const random = mulberry32(3);
    const centres: Record<string, number[]> = { a: [2, 0, 0, 1], b: [0, 2, 0, -1], c: [0, 0, 2, 0] };
    const sample = (speaker: string) => Float64Array.from(centres[speaker] ?? [], (v) => v + (random() - 0.5) * 1.2);
    const train = ["a", "b", "c"].flatMap((speaker) =>
      Array.from({ length: 20 }, () => ({ embedding: sample(speaker), speaker })),
    );
    const classifier = new SpeakerClassifier(["a", "b", "c"]).fit(train);
    let right = 0;
    for (const speaker of ["a", "b", "c"])
      for (let i = 0; i < 30; i++) if (classifier.predict(sample(speaker)) === speaker) right++;
    expect(right / 90).toBeGreaterThan(0.95);
    const p = classifier.probabilities(Float64Array.from(centres.b ?? []));
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(p[1]).toBeGreaterThan(0.8);
  });

  it("cannot separate speakers whose utterances look alike (accuracy near chance)", () => {
    const random = mulberry32(4);
    const train = ["a", "b"].flatMap((speaker) =>
      Array.from({ length: 30 }, () => ({ embedding: Float64Array.from([random(), random()]), speaker })),
    );
    const classifier = new SpeakerClassifier(["a", "b"]).fit(train);
    let right = 0;
    for (let i = 0; i < 200; i++) {
      const speaker = i % 2 ? "a" : "b";
      if (classifier.predict(Float64Array.from([random(), random()])) === speaker) right++;
    }
    expect(right / 200).toBeLessThan(0.65);
    expect(() => new SpeakerClassifier(["a"]).fit([{ embedding: new Float64Array(2), speaker: "z" }])).toThrow(/"z"/);
  });
});
