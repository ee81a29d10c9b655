import { basename, join } from "node:path";
import { audioStem, isAudioFile, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";
import { parseFestivalPrompts, readTextIfPresent } from "./transcripts.js";

const voicePattern = /^cmu_us_(\w+?)_arctic$/;

/** Voice folders (`cmu_us_bdl_arctic`) under `root`, or `root` itself when it is one. */
async function voiceFolders(root: string): Promise<string[]> {
  if (voicePattern.test(basename(root))) return [root];
  const { folders } = await listFolder(root);
  return folders.filter((name) => voicePattern.test(name)).map((name) => join(root, name));
}

/** CMU ARCTIC: `cmu_us_bdl_arctic/wav/arctic_a0001.wav` + `cmu_us_bdl_arctic/etc/txt.done.data`; speaker `bdl`. */
export const arcticLayout: LayoutReader = {
  layout: "cmu-arctic",
  async mismatch(root) {
    for (const voice of await voiceFolders(root)) {
      if ((await listFolder(voice)).folders.includes("wav")) return null;
    }
    return "no cmu_us_<speaker>_arctic/wav folders";
  },
  async read(root) {
    const utterances: Utterance[] = [];
    for (const voice of await voiceFolders(root)) {
      const speaker = voicePattern.exec(basename(voice))?.[1] ?? basename(voice);
      const prompts = parseFestivalPrompts((await readTextIfPresent(join(voice, "etc", "txt.done.data"))) ?? "");
      for (const file of (await listFolder(join(voice, "wav"))).files.filter(isAudioFile)) {
        const id = audioStem(file);
        const transcript = prompts.get(id);
        utterances.push({ speaker, id, path: join(voice, "wav", file), ...(transcript ? { transcript } : {}) });
      }
    }
    return utterances;
  },
};
