import { basename, join } from "node:path";
import { audioStem, type CorpusSplit, isAudioFile, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";
import { cleanTranscript, readTextIfPresent } from "./transcripts.js";

const numeric = /^\d+$/;

/** Folders of numeric speaker folders: LibriTTS subsets (`train-clean-100`) under `root`, or `root` itself. */
async function subsetFolders(root: string): Promise<string[]> {
  const { folders } = await listFolder(root);
  if (folders.some((name) => numeric.test(name))) return [root];
  return folders.filter((name) => /^(train|dev|test)-(clean|other)(-\d+)?$/.test(name)).map((name) => join(root, name));
}

/** A subset's split: train-* is train; dev-* and test-* are evaluation. None for a root of speaker folders. */
function splitOf(subset: string): CorpusSplit | undefined {
  const match = basename(subset).match(/^(train|dev|test)-/);
  return match ? (match[1] === "train" ? "train" : "evaluation") : undefined;
}

/**
 * LibriTTS: `<subset>/<speaker>/<chapter>/<speaker>_<chapter>_<n>_<m>.wav` + `.normalized.txt` beside it. The same
 * speaker in two subsets is one speaker; each utterance carries its subset's split.
 */
export const librittsLayout: LayoutReader = {
  layout: "libritts",
  async mismatch(root) {
    for (const subset of await subsetFolders(root)) {
      for (const speaker of (await listFolder(subset)).folders.filter((name) => numeric.test(name))) {
        for (const chapter of (await listFolder(join(subset, speaker))).folders.filter((name) => numeric.test(name))) {
          const { files } = await listFolder(join(subset, speaker, chapter));
          if (files.some((file) => file.endsWith(".normalized.txt"))) return null;
        }
      }
    }
    return "no <speaker>/<chapter>/ folders of numbers holding .normalized.txt transcripts";
  },
  async read(root) {
    const utterances: Utterance[] = [];
    for (const subset of await subsetFolders(root)) {
      for (const speaker of (await listFolder(subset)).folders.filter((name) => numeric.test(name))) {
        for (const chapter of (await listFolder(join(subset, speaker))).folders.filter((name) => numeric.test(name))) {
          const folder = join(subset, speaker, chapter);
          for (const file of (await listFolder(folder)).files.filter(isAudioFile)) {
            const id = audioStem(file);
            const transcript = cleanTranscript(await readTextIfPresent(join(folder, `${id}.normalized.txt`)));
            const split = splitOf(subset);
            utterances.push({
              speaker,
              id,
              path: join(folder, file),
              ...(transcript ? { transcript } : {}),
              ...(split ? { split } : {}),
            });
          }
        }
      }
    }
    return utterances;
  },
};
