import { describe, expect, it } from "vitest";
import { DatasetError, SpeakerError } from "./errors.js";
import { SpeakerMap } from "./speaker-map.js";

describe("SpeakerMap", () => {
  it("labels are the sorted order, whatever order the ids come in", () => {
    const a = new SpeakerMap(["p226", "p225", "VCC2SF1", "p225"]);
    const b = new SpeakerMap(["p225", "VCC2SF1", "p226"]);
    expect(a.speakers).toEqual(["VCC2SF1", "p225", "p226"]);
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.index("p225")).toBe(1);
    expect(a.speaker(2)).toBe("p226");
  });

  it("holds thousands of speakers (the seed's 1479 labels) and round-trips through JSON", () => {
    const ids = Array.from({ length: 1479 }, (_, i) => `spk${String(1478 - i).padStart(4, "0")}`);
    const map = new SpeakerMap(ids);
    expect(map.size).toBe(1479);
    expect(map.index("spk0000")).toBe(0);
    expect(map.index("spk1478")).toBe(1478);
    const back = SpeakerMap.fromJSON(JSON.parse(JSON.stringify(map)));
    expect(back.speakers).toEqual(map.speakers);
  });

  it("unknown speakers and labels, and hand-edited maps, are clear errors", () => {
    const map = new SpeakerMap(["a", "b"]);
    expect(() => map.index("c")).toThrow(SpeakerError);
    expect(() => map.index("c")).toThrow(/one of the 2 known speakers \(a, b\), found "c"/);
    expect(() => map.speaker(2)).toThrow(/\[0, 1\]/);
    expect(() => SpeakerMap.fromJSON(["b", "a"])).toThrow(/sorted order/);
    expect(() => SpeakerMap.fromJSON(["a", "a"])).toThrow(/unique/);
    expect(() => SpeakerMap.fromJSON({ a: 0 })).toThrow(DatasetError);
    expect(() => new SpeakerMap(["a", " "])).toThrow(/non-empty/);
  });
});
