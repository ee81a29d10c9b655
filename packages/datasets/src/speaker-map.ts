import { compareIds } from "./corpus.js";
import { DatasetError, SpeakerError } from "./errors.js";

/**
 * Speaker ids -> label indices, fixed by sorting the ids, so the same speakers always get the same labels on every
 * machine. Saved with every feature cache and model; thousands of speakers are fine (the seed used 1479 labels).
 */
export class SpeakerMap {
  readonly speakers: readonly string[];
  private readonly indices: Map<string, number>;

  constructor(speakers: Iterable<string>) {
    const sorted = [...new Set(speakers)].sort(compareIds);
    for (const speaker of sorted) {
      if (speaker.trim() === "") throw new DatasetError("speaker id", "a non-empty id", JSON.stringify(speaker));
    }
    this.speakers = Object.freeze(sorted);
    this.indices = new Map(sorted.map((speaker, index) => [speaker, index]));
  }

  get size(): number {
    return this.speakers.length;
  }

  has(speaker: string): boolean {
    return this.indices.has(speaker);
  }

  /** The label of `speaker`; SpeakerError listing some known ids when it is not in the map. */
  index(speaker: string): number {
    const index = this.indices.get(speaker);
    if (index === undefined) {
      const known = this.speakers.slice(0, 10).join(", ") + (this.size > 10 ? `, ... (${this.size} in all)` : "");
      throw new SpeakerError("speaker", `one of the ${this.size} known speakers (${known})`, JSON.stringify(speaker));
    }
    return index;
  }

  speaker(index: number): string {
    const speaker = this.speakers[index];
    if (speaker === undefined) {
      throw new SpeakerError("speaker label", `an integer in [0, ${this.size - 1}]`, String(index));
    }
    return speaker;
  }

  toJSON(): string[] {
    return [...this.speakers];
  }

  /** Reads what toJSON wrote; the order must be the sorted order, so a hand-edited map cannot reshuffle labels. */
  static fromJSON(value: unknown, source = "speaker map"): SpeakerMap {
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw new DatasetError(source, "an array of speaker id strings", typeof value);
    }
    const map = new SpeakerMap(value as string[]);
    if (map.size !== value.length || map.speakers.some((speaker, index) => speaker !== value[index])) {
      throw new DatasetError(source, "unique speaker ids in sorted order", JSON.stringify(value.slice(0, 8)));
    }
    return map;
  }
}
