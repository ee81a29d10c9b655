import type { CachedUtterance } from "./cache-index.js";
import { compareIds } from "./corpus.js";

/** 32-bit FNV-1a with a murmur3 finaliser: a stable, well-mixed hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** What makes two utterances "the same sentence": their normalised transcript, else their id. */
export function sentenceKey(utterance: Pick<CachedUtterance, "id" | "transcript">): string {
  const text = utterance.transcript
    ?.toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
  return text ? `text:${text}` : `id:${utterance.id}`;
}

export interface Split {
  train: CachedUtterance[];
  validation: CachedUtterance[];
}

/**
 * Holds out whole sentences: a fraction of the distinct sentences (by transcript, else by id), chosen by a seeded
 * hash, goes to validation for every speaker who said it. In a parallel corpus no speaker trains on a held-out
 * sentence, so a converted validation utterance can be scored against the target's real one. A speaker left with
 * no training utterance keeps all of theirs for training.
 */
export function splitBySentence(utterances: readonly CachedUtterance[], fraction: number, seed: number): Split {
  const keys = [...new Set(utterances.map(sentenceKey))].sort(compareIds);
  let count = Math.round(keys.length * fraction);
  if (fraction > 0 && keys.length >= 2) count = Math.max(1, Math.min(keys.length - 1, count));
  const ranked = keys
    .map((key) => ({ key, rank: hashString(`${seed}:${key}`) }))
    .sort((a, b) => a.rank - b.rank || compareIds(a.key, b.key));
  const heldOut = new Set(ranked.slice(0, count).map((item) => item.key));
  const train: CachedUtterance[] = [];
  const validation: CachedUtterance[] = [];
  for (const utterance of utterances) (heldOut.has(sentenceKey(utterance)) ? validation : train).push(utterance);
  const training = new Set(train.map((utterance) => utterance.speaker));
  const orphans = validation.filter((utterance) => !training.has(utterance.speaker));
  if (orphans.length === 0) return { train, validation };
  const moved = new Set(orphans);
  return { train: [...train, ...orphans], validation: validation.filter((utterance) => !moved.has(utterance)) };
}
