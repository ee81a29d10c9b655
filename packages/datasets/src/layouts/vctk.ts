import { join } from "node:path";
import { audioStem, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";
import { cleanTranscript, readTextIfPresent } from "./transcripts.js";

/**
 * VCTK 0.80 (`wav48/p225/p225_001.wav`) and 0.92 (`wav48_silence_trimmed/p225/p225_001_mic1.flac`), with
 * `txt/p225/p225_001.txt`. From 0.92 only microphone 1 is read (mic2 is the same speech through another microphone);
 * files without a `_micN` suffix (re-encoded or trimmed copies, `p225_001.wav`) are read as they are, and when both
 * `p225_001` and `p225_001_mic1` exist the first one listed is kept.
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
      const seen = new Set<string>();
      for (const file of (await listFolder(join(audioRoot, speaker))).files) {
        const stem = audioStem(file);
        if (stem === file) continue;
        const mic = /_mic(\d+)$/.exec(stem);
        if (mic && mic[1] !== "1") continue;
        const id = mic ? stem.slice(0, -mic[0].length) : stem;
        if (seen.has(id)) continue;
        seen.add(id);
        const transcript = cleanTranscript(await readTextIfPresent(join(root, "txt", speaker, `${id}.txt`)));
        utterances.push({ speaker, id, path: join(audioRoot, speaker, file), ...(transcript ? { transcript } : {}) });
      }
    }
    return utterances;
  },
};
