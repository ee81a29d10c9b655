import { join } from "node:path";
import { audioStem, listAudioRecursive, listFolder, type Utterance } from "../corpus.js";
import type { LayoutReader } from "./layout.js";
import { cleanTranscript, parseKeyedLines, readTextIfPresent } from "./transcripts.js";

/** Name of the optional transcript table at a folder corpus's root: `<id>\t<text>` lines, for every speaker. */
export const folderTranscriptsFile = "transcripts.tsv";

/**
 * The generic layout: one folder per speaker (`<root>/<speaker>/**\/*.wav|flac`). The id is the path below the
 * speaker folder without extension. Transcripts: `<stem>.txt` or `<stem>.lab` beside the audio, else the root's
 * `transcripts.tsv` by id (a parallel corpus writes each sentence once).
 */
export const folderLayout: LayoutReader = {
  layout: "folder",
  async mismatch(root) {
    for (const speaker of (await listFolder(root)).folders) {
      if ((await listAudioRecursive(join(root, speaker))).length > 0) return null;
    }
    return "no speaker folders holding .wav or .flac files";
  },
  async read(root) {
    const table = parseKeyedLines((await readTextIfPresent(join(root, folderTranscriptsFile))) ?? "", "\t");
    const utterances: Utterance[] = [];
    for (const speaker of (await listFolder(root)).folders) {
      for (const relative of await listAudioRecursive(join(root, speaker))) {
        const id = audioStem(relative);
        const path = join(root, speaker, relative);
        const sidecar =
          (await readTextIfPresent(join(root, speaker, `${id}.txt`))) ??
          (await readTextIfPresent(join(root, speaker, `${id}.lab`)));
        const transcript = cleanTranscript(sidecar) ?? table.get(id);
        utterances.push({ speaker, id, path, ...(transcript ? { transcript } : {}) });
      }
    }
    return utterances;
  },
};
