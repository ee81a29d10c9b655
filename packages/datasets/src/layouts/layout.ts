import type { CorpusLayout, Utterance } from "../corpus.js";

/** How one corpus layout is recognised and read. */
export interface LayoutReader {
  layout: CorpusLayout;
  /** null when `root` is this layout, else why it is not (one short phrase). */
  mismatch(root: string): Promise<string | null>;
  /** Every utterance under `root`, transcripts attached where the corpus has them. */
  read(root: string): Promise<Utterance[]>;
}
