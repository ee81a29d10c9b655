/**
 * The ceiling of each representation, measured: every utterance analysed and resynthesised (copy-synthesis,
 * nothing converted) through world, linear + Griffin-Lim, mel80 + Griffin-Lim and the seed's spectrogram +
 * Griffin-Lim, then transcribed by pocketsphinx (WER against the transcript) and compared with the recording by
 * MCD-DTW on the world mel-cepstrum (order 24, c0 excluded). Two sets: the demo corpus (the first N sentences of
 * every voice) and human recordings (Debian's pocketsphinx-testdata: five read sentences, five card names).
 *
 *   pnpm --filter @vox/cli resynthesis [--per-speaker N] [--out DIR]
 *
 * Writes DIR/results.json and prints one markdown table.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { demoCorpusPath, readConditionedAudio } from "@vox/datasets";
import { analyze, type FeatureSpec, mel80FeatureSpec, seedFeatureSpec, synthesize, worldFeatureSpec } from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { editDistance, mcdDtwWorldAudio, normalizeText, pocketsphinx, transcribe } from "@vox/eval";
import { linear1024 } from "./copy-synthesis.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const perSpeaker = Number(flag("--per-speaker", "6"));
const outDir = flag("--out", "out/resynthesis");
const HUMAN = "/usr/share/pocketsphinx/test/data/librivox";
const CARDS = "/usr/share/pocketsphinx/test/data/cards";

const representations: [string, FeatureSpec][] = [
  ["world", worldFeatureSpec],
  ["linear1024 + GL", linear1024],
  ["mel80 + GL", mel80FeatureSpec],
  ["seed + GL", seedFeatureSpec],
];

interface Item {
  set: "demo" | "human";
  id: string;
  path: string;
  text: string;
}

async function demoItems(): Promise<Item[]> {
  const root = demoCorpusPath();
  const texts = new Map(
    (await readFile(join(root, "transcripts.tsv"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => line.split("\t") as [string, string]),
  );
  const speakers = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  const items: Item[] = [];
  for (const speaker of speakers.sort()) {
    for (const [id, text] of [...texts].slice(0, perSpeaker)) {
      items.push({ set: "demo", id: `${speaker}_${id}`, path: join(root, speaker, `${id}.wav`), text });
    }
  }
  return items;
}

/** Debian's pocketsphinx-testdata: five read sentences (librivox) and five spoken card names, two speakers. */
async function humanItems(): Promise<Item[]> {
  const items: Item[] = [];
  for (const [folder, transcript, prefix] of [
    [HUMAN, "transcription", ""],
    [CARDS, "cards.transcription", "cards_"],
  ] as const) {
    const text = await readFile(join(folder, transcript), "utf8").catch(() => "");
    for (const line of text.split("\n")) {
      const match = line.match(/^<s> (.*?) *<\/s> \((.*)\)$/);
      if (match) {
        const id = match[2] as string;
        items.push({ set: "human", id: `${prefix}${id}`, path: join(folder, `${id}.wav`), text: match[1] as string });
      }
    }
  }
  return items;
}

async function pocketsphinxInstalled(): Promise<boolean> {
  return promisify(execFile)("pocketsphinx_continuous", ["-h"]).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT",
  );
}

if (!(await pocketsphinxInstalled())) {
  console.error(
    "resynthesis: expected Debian's pocketsphinx (apt-get install pocketsphinx pocketsphinx-en-us), found none",
  );
  process.exit(1);
}
const items = [...(await demoItems()), ...(await humanItems())];
await mkdir(outDir, { recursive: true });
interface Score {
  set: string;
  system: string;
  errors: number;
  words: number;
  mcd: number[];
  seconds: number;
  audioSeconds: number;
}
const scores = new Map<string, Score>();
const score = (set: string, system: string): Score => {
  const key = `${set}/${system}`;
  let s = scores.get(key);
  if (!s) {
    s = { set, system, errors: 0, words: 0, mcd: [], seconds: 0, audioSeconds: 0 };
    scores.set(key, s);
  }
  return s;
};

// Transcriptions run two at a time (the machine's cores) while the next utterance is synthesised.
const pending: Promise<void>[] = [];
async function scoreAsr(s: Score, wav: string, text: string): Promise<void> {
  const hypothesis = await transcribe(pocketsphinx, wav);
  const reference = normalizeText(text).split(" ").filter(Boolean);
  s.errors += editDistance(reference, normalizeText(hypothesis).split(" ").filter(Boolean));
  s.words += reference.length;
}
async function queue(task: Promise<void>): Promise<void> {
  pending.push(task);
  if (pending.length >= 2) await pending.shift();
}

for (const [n, item] of items.entries()) {
  const conditioned = await readConditionedAudio(item.path, 16000);
  const original = join(outDir, `${item.id}.original.wav`);
  await writeWavFile(original, conditioned, 16000);
  await queue(scoreAsr(score(item.set, "recording"), original, item.text));
  for (const [name, spec] of representations) {
    const started = performance.now();
    const output = synthesize(analyze(conditioned, spec), spec, { length: conditioned.length });
    const s = score(item.set, name);
    s.seconds += (performance.now() - started) / 1000;
    s.audioSeconds += conditioned.length / 16000;
    s.mcd.push(mcdDtwWorldAudio(output, conditioned, 16000).mcd);
    const path = join(outDir, `${item.id}.${name.split(" ")[0]}.wav`);
    await writeWavFile(path, output, 16000);
    await queue(scoreAsr(s, path, item.text));
  }
  process.stderr.write(`\rresynthesis: ${n + 1}/${items.length} utterances`);
}
await Promise.all(pending);
process.stderr.write("\n");

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const rows = ["recording", ...representations.map(([name]) => name)];
const cell = (set: string, system: string) => {
  const s = scores.get(`${set}/${system}`);
  if (!s) return "– | –";
  const wer = (s.errors / s.words).toFixed(3);
  return `${wer} | ${s.mcd.length > 0 ? mean(s.mcd).toFixed(2) : "0"}`;
};
const demoCount = items.filter((i) => i.set === "demo").length;
const humanCount = items.length - demoCount;
console.log(
  `\n| representation | demo WER (${demoCount} utt.) | demo MCD dB | human WER (${humanCount} utt.) | human MCD dB | analysis + synthesis, x real time |`,
);
console.log("|---|---|---|---|---|---|");
for (const system of rows) {
  const s = scores.get(`demo/${system}`);
  const rtf = s && s.audioSeconds > 0 ? (s.seconds / s.audioSeconds).toFixed(3) : "–";
  console.log(`| ${system} | ${cell("demo", system)} | ${cell("human", system)} | ${rtf} |`);
}
await import("node:fs/promises").then((fs) =>
  fs.writeFile(join(outDir, "results.json"), `${JSON.stringify([...scores.values()], null, 2)}\n`),
);
