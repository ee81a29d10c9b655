import { join } from "node:path";
import { audioStem, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";
import { cleanTranscript, readTextIfPresent } from "./transcripts.js";

/**
 * VCTK 0.80 (`wav48/p225/p225_001.wav`) and 0.92 (`wav48_silence_trimmed/p225/p225_001_mic1.flac`), with
 * `txt/p225/p225_001.txt`. From 0.92 only microphone 1 is read (mic2 is the same speech through another microphone).
 */
export const vctkLayout: LayoutReader = {
  layout: "vctk",
  async mismatch(root) {
    const { folders } = await listFolder(root);
    if (folders.includes("wav48_silence_trimmed") || folders.includes("wav48")) return null;
    return "no wav48/ or wav48_silence_trimmed/ folder";
  },
  async read(root) {
    const { folders } = await listFolder(root);
    const trimmed = folders.includes("wav48_silence_trimmed");
    const audioRoot = join(root, trimmed ? "wav48_silence_trimmed" : "wav48");
    const utterances: Utterance[] = [];
    for (const speaker of (await listFolder(audioRoot)).folders) {
      for (const file of (await listFolder(join(audioRoot, speaker))).files) {
        const stem = audioStem(file);
        if (stem === file) continue;
        if (trimmed && !stem.endsWith("_mic1")) continue;
        const id = trimmed ? stem.slice(0, -"_mic1".length) : stem;
        const transcript = cleanTranscript(await readTextIfPresent(join(root, "txt", speaker, `${id}.txt`)));
        utterances.push({ speaker, id, path: join(audioRoot, speaker, file), ...(transcript ? { transcript } : {}) });
      }
    }
    return utterances;
  },
};
