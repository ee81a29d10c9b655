import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** The corpus layouts vox reads, by their own folder structure (names for `vox prepare --layout`). */
export const corpusLayouts = ["vctk", "vcc", "jvs", "cmu-arctic", "libritts", "folder"] as const;
export type CorpusLayout = (typeof corpusLayouts)[number];

/**
 * A corpus' published protocol: `train` (VCC's vcc20xx_training, LibriTTS's train-*) or `evaluation` (VCC's
 * evaluation and reference folders, LibriTTS's dev-* and test-*). Layouts without one put everything in train.
 */
export type CorpusSplit = "train" | "evaluation";
/** Which utterances `readCorpus` keeps: one split, or all of them. */
export const corpusSplits = ["train", "evaluation", "all"] as const;
export type CorpusSplitChoice = (typeof corpusSplits)[number];

/** One recording: a speaker, an id unique within that speaker, the audio file, and its text where the corpus has it. */
export interface Utterance {
  speaker: string;
  id: string;
  path: string;
  transcript?: string;
  /** The published split it belongs to, where the corpus has one. */
  split?: CorpusSplit;
}

export interface Corpus {
  layout: CorpusLayout;
  /** The folder the layout was found in (may be below the folder given). */
  root: string;
  /** Sorted speaker ids. */
  speakers: string[];
  /** Sorted by speaker, then id. */
  utterances: Utterance[];
  /** Folders with audio that were not read, each with why (e.g. hidden: the name starts with "."). */
  skipped?: { path: string; reason: string }[];
  /** The split read (readCorpus's `split`); "all" when the layout has none. */
  split?: CorpusSplitChoice;
}

/** Audio file extensions vox decodes. */
export const audioExtensions = [".wav", ".flac"] as const;

export function isAudioFile(name: string): boolean {
  const lower = name.toLowerCase();
  return audioExtensions.some((extension) => lower.endsWith(extension));
}

/** The file name without its audio extension. */
export function audioStem(name: string): string {
  return name.replace(/\.(wav|flac)$/i, "");
}

/**
 * Entries of a folder (names only), or [] when it does not exist or is not a folder. Symbolic links are
 * followed (researchers link corpora and speaker folders in); a dangling link is left out.
 */
export async function listFolder(path: string): Promise<{ files: string[]; folders: string[] }> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    const files: string[] = [];
    const folders: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const target = entry.isSymbolicLink() ? await stat(join(path, entry.name)).catch(() => undefined) : entry;
      if (target?.isDirectory()) folders.push(entry.name);
      else if (target?.isFile()) files.push(entry.name);
    }
    return { files: files.sort(), folders: folders.sort() };
  } catch {
    return { files: [], folders: [] };
  }
}

/**
 * Hidden folders (names starting with ".", which every layout skips) under `path` that hold audio, as paths
 * relative to `path`: a speaker folder named `..bad` is left out, and the user should hear of it.
 */
export async function hiddenAudioFolders(path: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const here = join(path, relative);
    const entries = await readdir(here, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      const target = entry.isSymbolicLink() ? await stat(join(here, entry.name)).catch(() => undefined) : entry;
      if (!target?.isDirectory()) continue;
      if (!entry.name.startsWith(".")) await walk(child);
      else if ((await listAudioRecursive(join(path, child))).length > 0) found.push(child);
    }
  };
  await walk("");
  return found.sort();
}

/** Audio files under `path`, recursively, as paths relative to `path`, sorted. */
export async function listAudioRecursive(path: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const { files, folders } = await listFolder(join(path, relative));
    for (const file of files) if (isAudioFile(file)) found.push(relative ? `${relative}/${file}` : file);
    for (const folder of folders) await walk(relative ? `${relative}/${folder}` : folder);
  };
  await walk("");
  return found.sort();
}

/** Code-unit order: stable across machines and locales (localeCompare is not). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortUtterances(utterances: Utterance[]): Utterance[] {
  return utterances.sort((a, b) => compareIds(a.speaker, b.speaker) || compareIds(a.id, b.id));
}
