/**
 * One change at a time to the world FeatureSpec's analysis, heard through copy-synthesis: the voices whose words
 * world loses most (ked, espeak-m) resynthesised by each variant and transcribed by pocketsphinx (WER against the
 * transcript), beside the recording itself. The `world-noise<N>` rows change only the seed of the synthesis'
 * noise: how far a WER moves by chance alone.
 *
 *   npx tsx --conditions vox-source experiments/world-variants.ts [voices, default ked,espeak-m] [sentences per voice, default 10]
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { demoCorpusPath, readConditionedAudio } from "@vox/datasets";
import { analyze, type FeatureSpec, synthesize, worldFeatureSpec } from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { editDistance, normalizeText, pocketsphinx, transcribe } from "@vox/eval";
const root = demoCorpusPath();
const texts = (await readFile(join(root, "transcripts.tsv"), "utf8"))
  .trim()
  .split("\n")
  .map((l) => l.split("\t") as [string, string]);
const w = worldFeatureSpec.world;
if (!w) throw new Error("worldFeatureSpec: expected world settings, found none");
const variants: [string, FeatureSpec | null, number?][] = [
  ["recording", null],
  ["world", worldFeatureSpec],
  ["world-noise1", worldFeatureSpec, 1],
  ["world-noise2", worldFeatureSpec, 2],
  ["world-noise3", worldFeatureSpec, 3],
  ["world-noise4", worldFeatureSpec, 4],
  ["bands2", { ...worldFeatureSpec, world: { ...w, aperiodicityBands: 2 } }],
  ["mcep59", { ...worldFeatureSpec, world: { ...w, mcepOrder: 59 } }],
  ["f0floor50", { ...worldFeatureSpec, world: { ...w, f0Floor: 50 } }],
];
const voices = (process.argv[2] ?? "ked,espeak-m").split(",");
const per = Number(process.argv[3] ?? 10);
const out = "out/world-variants";
await mkdir(out, { recursive: true });
const tally = new Map<string, [number, number]>();
const jobs: Promise<void>[] = [];
for (const voice of voices)
  for (const [id, text] of texts.slice(0, per)) {
    const x = await readConditionedAudio(join(root, voice, `${id}.wav`), 16000);
    for (const [name, spec, seed] of variants) {
      const y = spec ? synthesize(analyze(x, spec), spec, { length: x.length, seed }) : x;
      const path = join(out, `${voice}_${id}_${name}.wav`);
      await writeWavFile(path, y, 16000);
      jobs.push(
        (async () => {
          const h = await transcribe(pocketsphinx, path);
          const ref = normalizeText(text).split(" ").filter(Boolean);
          const t = tally.get(`${voice}/${name}`) ?? [0, 0];
          t[0] += editDistance(ref, normalizeText(h).split(" ").filter(Boolean));
          t[1] += ref.length;
          tally.set(`${voice}/${name}`, t);
        })(),
      );
      if (jobs.length >= 2) await jobs.shift();
    }
  }
await Promise.all(jobs);
for (const [k, [e, n]] of [...tally].sort()) console.log(k.padEnd(28), (e / n).toFixed(3));
