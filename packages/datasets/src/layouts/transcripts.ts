import { readFile } from "node:fs/promises";

/** A text file's content, or undefined when it is missing or unreadable (corpora often lack a few transcripts). */
export async function readTextIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Whitespace collapsed; undefined for empty text. */
export function cleanTranscript(text: string | undefined): string | undefined {
  const cleaned = text?.replace(/\s+/g, " ").trim();
  return cleaned ? cleaned : undefined;
}

/** `key<separator>text` lines (JVS's `ID:text`, a folder corpus's `id<TAB>text`) as a map. */
export function parseKeyedLines(text: string, separator: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(separator);
    if (at <= 0) continue;
    const transcript = cleanTranscript(line.slice(at + separator.length));
    if (transcript) map.set(line.slice(0, at).trim(), transcript);
  }
  return map;
}

/** Festival's `etc/txt.done.data` (CMU ARCTIC): lines `( arctic_a0001 "Author of the danger trail." )`. */
export function parseFestivalPrompts(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const match of text.matchAll(/^\(\s*(\S+)\s+"((?:[^"\\]|\\.)*)"\s*\)/gm)) {
    const transcript = cleanTranscript(match[2]?.replace(/\\"/g, '"'));
    if (match[1] && transcript) map.set(match[1], transcript);
  }
  return map;
}
