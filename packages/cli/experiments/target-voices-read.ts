/**
 * How well pocketsphinx understands each demo voice saying the human reader's own sentences: the demo corpus'
 * synthesisers (tools/make-demo-corpus.sh, the same voices, rate, trimming and level) read the five transcripts
 * of Debian's pocketsphinx-testdata librivox reader, and each reading is transcribed as `vox eval --recordings`
 * transcribes a conversion (WER per utterance, averaged). A conversion of the reader that sounded exactly like a
 * target voice would be understood about as well as that voice's reading: the floor under the human-voice WER.
 *
 *   npx tsx --conditions vox-source experiments/target-voices-read.ts [out folder, default /tmp/target-voices-read]
 */
import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readConditionedAudio } from "@vox/datasets";
import { writeWavFile } from "@vox/dsp/node";
import { pocketsphinx, transcribe, wer } from "@vox/eval";
import { copySynthesisUtterances } from "./copy-synthesis.js";

const voices = ["slt", "kal", "ked", "espeak-m", "espeak-f"];
const out = process.argv[2] ?? "/tmp/target-voices-read";
const script = fileURLToPath(new URL("../../../tools/make-demo-corpus.sh", import.meta.url));

const utterances = (await copySynthesisUtterances("human", 0)).map(([file, text]) => ({
  id: (file.split("/").pop() ?? file).replace(/\.wav$/, ""),
  file,
  text,
}));
await rm(out, { recursive: true, force: true });
const sentences = `${out}.tsv`;
await writeFile(sentences, `${utterances.map((u) => `${u.id}\t${u.text}`).join("\n")}\n`);
await promisify(execFile)("bash", [script, sentences, out]);

/** The mean over the reader's utterances of WER for the WAV `path(id)`. */
async function meanWer(path: (id: string) => string): Promise<number> {
  const scores = await Promise.all(
    utterances.map(async (u) => wer(u.text, await transcribe(pocketsphinx, path(u.id)))),
  );
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

// The recording itself, conditioned (16 kHz, loudness-normalised) as eval conditions it.
for (const u of utterances) {
  await writeWavFile(join(out, `${u.id}.recording.wav`), await readConditionedAudio(u.file, 16000), 16000);
}
const rows = [["the recording (human reader)", await meanWer((id) => join(out, `${id}.recording.wav`))]] as [
  string,
  number,
][];
for (const voice of voices) rows.push([voice, await meanWer((id) => join(out, voice, `${id}.wav`))]);
const demo = rows.slice(1).reduce((a, [, w]) => a + w, 0) / voices.length;
const lines = ["| who reads the reader's 5 sentences | WER |", "|---|---|"];
for (const [who, w] of rows) lines.push(`| ${who} | ${w.toFixed(3)} |`);
lines.push(`| the five demo voices, mean | ${demo.toFixed(3)} |`);
process.stdout.write(`${lines.join("\n")}\n`);
