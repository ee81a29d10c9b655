import { describe, expect, it } from "vitest";
import { cer, editDistance, normalizeText, wer } from "./wer.js";

describe("word and character error rates", () => {
  it("counts substitutions, insertions and deletions on known strings", () => {
    expect(wer("the cat sat on the mat", "the cat sat on the mat")).toBe(0);
    expect(wer("the cat sat on the mat", "the bat sat on mat")).toBeCloseTo(2 / 6, 10);
    expect(wer("the cat sat", "the cat sat down today")).toBeCloseTo(2 / 3, 10);
    expect(wer("a b", "")).toBe(1);
    expect(wer("", "")).toBe(0);
    expect(cer("kitten", "sitting")).toBeCloseTo(3 / 6, 10);
    expect(editDistance([1, 2, 3], [1, 3])).toBe(1);
  });

  it("ignores case and punctuation, keeps apostrophes inside words", () => {
    expect(normalizeText("  Don't STOP, the 'music'! ")).toBe("don't stop the music");
    expect(wer("Please bring me a cup of tea.", "please bring me a cup of tea")).toBe(0);
  });
});
