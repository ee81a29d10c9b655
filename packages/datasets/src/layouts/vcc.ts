import { basename, join } from "node:path";
import { audioStem, type CorpusSplit, isAudioFile, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";

const subsetPattern = /^vcc20(16|18)_(training|evaluation|reference)$/i;
const speakerPattern = /^(VCC2)?[ST][FM]\d$/;

/** Folders holding VCC speaker folders: the VCC subsets under `root`, or `root` itself. */
async function subsetFolders(root: string): Promise<string[]> {
  const { folders } = await listFolder(root);
  const subsets = folders.filter((name) => subsetPattern.test(name)).map((name) => join(root, name));
  if (subsets.length > 0) return subsets;
  return folders.some((name) => speakerPattern.test(name)) ? [root] : [];
}

/** The published split of a subset folder: training, or evaluation / reference (the held-out sentences). */
function splitOf(subset: string): CorpusSplit | undefined {
  const match = basename(subset).match(subsetPattern);
  if (!match) return undefined;
  return match[2]?.toLowerCase() === "training" ? "train" : "evaluation";
}

/**
 * Voice Conversion Challenge 2016 (`vcc2016_training/SF1/100001.wav`) and 2018
 * (`vcc2018_training/VCC2SF1/10001.wav`); each utterance carries its subset's split (training: train; evaluation
 * and reference: evaluation), which readCorpus filters on.
 */
export const vccLayout: LayoutReader = {
  layout: "vcc",
  async mismatch(root) {
    return (await subsetFolders(root)).length > 0
      ? null
      : "no vcc2016_/vcc2018_ subset folders and no speaker folders named like SF1 or VCC2SF1";
  },
  async read(root) {
    const utterances: Utterance[] = [];
    for (const subset of await subsetFolders(root)) {
      for (const speaker of (await listFolder(subset)).folders.filter((name) => speakerPattern.test(name))) {
        for (const file of (await listFolder(join(subset, speaker))).files.filter(isAudioFile)) {
          const split = splitOf(subset);
          utterances.push({
            speaker,
            id: audioStem(file),
            path: join(subset, speaker, file),
            ...(split ? { split } : {}),
          });
        }
      }
    }
    return utterances;
  },
};
