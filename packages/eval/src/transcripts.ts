import { ScoringError } from "./errors.js";
import { readFile } from "node:fs/promises";

/**
 * Reads a transcript file into id -> text. Accepts the two layouts researchers have: tab-separated `id<TAB>text`
 * lines (vox's demo corpus, many corpora) and Sphinx's `<s> text </s> (id)` / `text (id)` lines (CMU's test sets,
 * Debian's pocketsphinx-testdata). Blank lines are skipped; any other line is an error naming the file and line.
 */
export async function readTranscripts(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ScoringError(path, "a readable transcript file", String((error as NodeJS.ErrnoException).code ?? error));
  }
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const sphinx = line.match(/^\s*(?:<s>)?\s*(.*?)\s*(?:<\/s>)?\s*\(([^()]+)\)\s*$/);
    const tab = line.indexOf("\t");
    if (tab > 0) out.set(line.slice(0, tab).trim(), line.slice(tab + 1).trim());
    else if (sphinx) out.set((sphinx[2] as string).trim(), sphinx[1] as string);
    else {
      throw new ScoringError(
        `${path}:${i + 1}`,
        `"id<TAB>text" or "<s> text </s> (id)"`,
        JSON.stringify(line.slice(0, 60)),
      );
    }
  });
  return out;
}
