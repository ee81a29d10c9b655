import { join } from "node:path";
import { audioStem, isAudioFile, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";
import { parseKeyedLines, readTextIfPresent } from "./transcripts.js";

/** The normally spoken subsets (whisper10/falset10 are other phonation styles and left out). */
const subsets = ["parallel100", "nonpara30"];

/** JVS: `jvs001/parallel100/wav24kHz16bit/VOICEACTRESS100_001.wav` + `jvs001/parallel100/transcripts_utf8.txt`. */
export const jvsLayout: LayoutReader = {
  layout: "jvs",
  async mismatch(root) {
    const { folders } = await listFolder(root);
    const speakers = folders.filter((name) => /^jvs\d{3}$/.test(name));
    if (speakers.length === 0) return "no jvsNNN speaker folders";
    for (const speaker of speakers) {
      if ((await listFolder(join(root, speaker, "parallel100"))).folders.includes("wav24kHz16bit")) return null;
    }
    return "jvsNNN folders without parallel100/wav24kHz16bit";
  },
  async read(root) {
    const utterances: Utterance[] = [];
    for (const speaker of (await listFolder(root)).folders.filter((name) => /^jvs\d{3}$/.test(name))) {
      for (const subset of subsets) {
        const folder = join(root, speaker, subset);
        const transcripts = parseKeyedLines((await readTextIfPresent(join(folder, "transcripts_utf8.txt"))) ?? "", ":");
        for (const file of (await listFolder(join(folder, "wav24kHz16bit"))).files.filter(isAudioFile)) {
          const id = audioStem(file);
          const transcript = transcripts.get(id);
          utterances.push({
            speaker,
            id,
            path: join(folder, "wav24kHz16bit", file),
            ...(transcript ? { transcript } : {}),
          });
        }
      }
    }
    return utterances;
  },
};
