import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type Corpus,
  type CorpusLayout,
  type CorpusSplitChoice,
  corpusSplits,
  hiddenAudioFolders,
  listFolder,
  sortUtterances,
} from "./corpus.js";
import { CorpusLayoutError, DatasetError, SpeakerError } from "./errors.js";
import { arcticLayout } from "./layouts/arctic.js";
import { folderLayout } from "./layouts/folder.js";
import { jvsLayout } from "./layouts/jvs.js";
import type { LayoutReader } from "./layouts/layout.js";
import { librittsLayout } from "./layouts/libritts.js";
import { vccLayout } from "./layouts/vcc.js";
import { vctkLayout } from "./layouts/vctk.js";

/** Specific layouts first: the generic folder-per-speaker layout matches nearly any of them too. */
const specificLayouts: LayoutReader[] = [vctkLayout, vccLayout, jvsLayout, arcticLayout, librittsLayout];
const readers: Record<CorpusLayout, LayoutReader> = Object.fromEntries(
  [...specificLayouts, folderLayout].map((reader) => [reader.layout, reader]),
) as Record<CorpusLayout, LayoutReader>;

export interface DetectedCorpus {
  layout: CorpusLayout;
  /** Where the layout starts: the folder given, or the one folder inside it that a download unpacks to. */
  root: string;
}

async function requireFolder(root: string): Promise<void> {
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new DatasetError(root, "a corpus folder", "no such file or folder");
  if (!info.isDirectory()) throw new DatasetError(root, "a corpus folder", "a file");
}

/**
 * Which layout `root` is in. Tries each specific layout on `root` and then on its subfolders (archives unpack to
 * `VCTK-Corpus/`, `jvs_ver1/`, ...), and the generic folder-per-speaker layout last. Throws CorpusLayoutError
 * saying, per layout, why it does not match.
 */
export async function detectCorpus(root: string): Promise<DetectedCorpus> {
  const absolute = resolve(root);
  await requireFolder(absolute);
  const reasons: Record<string, string> = {};
  for (const reader of specificLayouts) {
    const reason = await reader.mismatch(absolute);
    if (reason === null) return { layout: reader.layout, root: absolute };
    reasons[reader.layout] = reason;
  }
  const { folders } = await listFolder(absolute);
  for (const folder of folders) {
    for (const reader of specificLayouts) {
      if ((await reader.mismatch(join(absolute, folder))) === null) {
        return { layout: reader.layout, root: join(absolute, folder) };
      }
    }
  }
  const reason = await folderLayout.mismatch(absolute);
  if (reason === null) return { layout: "folder", root: absolute };
  reasons.folder = reason;
  throw new CorpusLayoutError(absolute, reasons);
}

export interface ReadCorpusOptions {
  /** Skip detection and read `root` as this layout. */
  layout?: CorpusLayout;
  /** Only these speakers (each must exist). */
  include?: readonly string[];
  /** All speakers but these (each must exist). */
  exclude?: readonly string[];
  /** Fewest speakers a usable corpus has. Default 2 (conversion needs a source and a target). */
  minSpeakers?: number;
  /**
   * The published split to read (VCC, LibriTTS): `train` (default; a layout without splits is all train),
   * `evaluation` (the held-out sentences) or `all`.
   */
  split?: CorpusSplitChoice;
}

/** The utterances of a corpus (layout detected unless given), filtered by speaker, sorted by speaker then id. */
export async function readCorpus(root: string, options: ReadCorpusOptions = {}): Promise<Corpus> {
  let detected: DetectedCorpus;
  if (options.layout) {
    const absolute = resolve(root);
    await requireFolder(absolute);
    const reader = readers[options.layout];
    if (!reader) {
      throw new DatasetError("layout", `one of ${Object.keys(readers).join(", ")}`, JSON.stringify(options.layout));
    }
    const reason = await reader.mismatch(absolute);
    if (reason !== null) throw new CorpusLayoutError(absolute, { [options.layout]: reason });
    detected = { layout: options.layout, root: absolute };
  } else {
    detected = await detectCorpus(root);
  }
  let utterances = sortUtterances(await readers[detected.layout].read(detected.root));
  const split = options.split ?? "train";
  if (!(corpusSplits as readonly string[]).includes(split)) {
    throw new DatasetError("split", `one of ${corpusSplits.join(", ")}`, JSON.stringify(split));
  }
  const hasSplits = utterances.some((utterance) => utterance.split !== undefined);
  if (split === "evaluation" && !utterances.some((utterance) => utterance.split === "evaluation")) {
    throw new DatasetError(
      detected.root,
      "an evaluation split (vcc20xx_evaluation / _reference, LibriTTS dev-* / test-*)",
      hasSplits ? "only training folders" : `a ${detected.layout} corpus, which has no published split`,
    );
  }
  if (split === "train") utterances = utterances.filter((utterance) => utterance.split !== "evaluation");
  if (split === "evaluation") utterances = utterances.filter((utterance) => utterance.split === "evaluation");
  const all = new Set(utterances.map((utterance) => utterance.speaker));
  for (const [option, list] of [
    ["include", options.include],
    ["exclude", options.exclude],
  ] as const) {
    const unknown = (list ?? []).filter((speaker) => !all.has(speaker));
    if (unknown.length > 0) {
      throw new SpeakerError(
        `${option} speakers`,
        `speakers of the corpus at ${detected.root}`,
        `${unknown.map((s) => JSON.stringify(s)).join(", ")}, which it does not have`,
        `it has ${all.size}: ${[...all].slice(0, 12).join(", ")}${all.size > 12 ? ", ..." : ""}`,
      );
    }
  }
  if (options.include) {
    const keep = new Set(options.include);
    utterances = utterances.filter((utterance) => keep.has(utterance.speaker));
  }
  if (options.exclude) {
    const drop = new Set(options.exclude);
    utterances = utterances.filter((utterance) => !drop.has(utterance.speaker));
  }
  const speakers = [...new Set(utterances.map((utterance) => utterance.speaker))];
  const minSpeakers = options.minSpeakers ?? 2;
  if (speakers.length < minSpeakers) {
    throw new SpeakerError(
      detected.root,
      `a ${detected.layout} corpus with at least ${minSpeakers} speakers`,
      speakers.length === 0 ? "no audio" : `${speakers.length}: ${speakers.join(", ")}`,
    );
  }
  const skipped = (await hiddenAudioFolders(detected.root)).map((path) => ({
    path: join(detected.root, path),
    reason: 'a hidden folder (its name starts with "."), not read; rename it to include it',
  }));
  return {
    layout: detected.layout,
    root: detected.root,
    speakers,
    utterances,
    skipped,
    split: hasSplits ? split : "all",
  };
}
