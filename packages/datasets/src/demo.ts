import { fileURLToPath } from "node:url";

/**
 * The demo corpus shipped in this package: a parallel corpus of synthetic voices (Debian's festival and espeak-ng)
 * saying the same short sentences, 16 kHz mono WAV, folder-per-speaker with `transcripts.tsv`. Rebuilt by
 * `tools/make-demo-corpus.sh`.
 */
export function demoCorpusPath(): string {
  // src/demo.ts and dist/demo.js both sit one level below the package root.
  return fileURLToPath(new URL("../demo-corpus", import.meta.url));
}
