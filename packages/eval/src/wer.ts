/** Lower case, punctuation dropped (apostrophes inside words kept), whitespace collapsed. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, " ")
    .replace(/(^|\s)'|'(\s|$)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Levenshtein distance between two token sequences (substitutions, insertions, deletions cost 1). */
export function editDistance<T>(reference: readonly T[], hypothesis: readonly T[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1);
    }
    previous = current;
  }
  return previous[hypothesis.length] ?? 0;
}

/** Word error rate of `hypothesis` against `reference` (normalised); 0 for two empty texts. */
export function wer(reference: string, hypothesis: string): number {
  const ref = normalizeText(reference).split(" ").filter(Boolean);
  const hyp = normalizeText(hypothesis).split(" ").filter(Boolean);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  return editDistance(ref, hyp) / ref.length;
}

/** Character error rate (normalised, spaces kept as characters). */
export function cer(reference: string, hypothesis: string): number {
  const ref = [...normalizeText(reference)];
  const hyp = [...normalizeText(hypothesis)];
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  return editDistance(ref, hyp) / ref.length;
}
