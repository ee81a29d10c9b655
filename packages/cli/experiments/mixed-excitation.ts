/**
 * Mixed excitation, one change at a time, heard through copy-synthesis: world's analysis and synthesis with (a)
 * the decoded aperiodicity below the first band flattened towards that band's value when the band is mostly
 * noise (the 0 Hz pin moves from -60 dB to the band's value as the band goes from -6 to 0 dB), so a frame of
 * weak periodicity is synthesised as pulses and noise at every frequency, not pulses below 3 kHz; (b) the same with
 * frames of periodicity >= 0.3 (not 0.5) counted voiced, so weakly periodic frames get that mixed excitation instead
 * of noise alone. WER by pocketsphinx per voice, each variant under noise seeds 0-2, beside the recording.
 *
 *   npx tsx --conditions vox-source experiments/mixed-excitation.ts [voices] [sentences per voice, default 10]
 *
 * voices: demo corpus voices (default all five) and `human` (Debian's pocketsphinx-testdata librivox reader).
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { demoCorpusPath, readConditionedAudio } from "@vox/datasets";
import {
  bandAperiodicity,
  decodeAperiodicity,
  f0 as estimateF0,
  melCepstrum,
  melCepstrumToEnvelope,
  type Spectrogram,
  spectralEnvelope,
  synthesizeWorld,
  worldFeatureSpec,
} from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { editDistance, normalizeText, pocketsphinx, readTranscripts, transcribe } from "@vox/eval";

const spec = worldFeatureSpec;
const world = spec.world;
if (!world) throw new Error("worldFeatureSpec: expected world settings, found none");
const rate = spec.sampleRate;
const framePeriod = (1000 * spec.hop) / rate;

/** decodeAperiodicity, with the 0 Hz pin moved towards the first band's value as that band nears 0 dB. */
function decodeMixed(coded: Spectrogram, fftSize: number): Spectrogram {
  const ap = decodeAperiodicity(coded, rate, fftSize);
  const { frames, bins } = ap;
  const centre = 3000;
  for (let t = 0; t < frames; t++) {
    const band = Math.min(0, coded.data[t] as number);
    const w = Math.min(1, Math.max(0, (band + 6) / 6));
    if (w === 0) continue;
    const pin = -60 + (band + 60) * w;
    for (let k = 0; k < bins; k++) {
      const f = (k * rate) / fftSize;
      if (f >= centre) break;
      const db = pin + (band - pin) * (f / centre);
      ap.data[k * frames + t] = 10 ** (db / 20);
    }
  }
  return ap;
}

function resynthesize(signal: Float32Array, threshold: number, mixed: boolean, seed: number): Float32Array {
  const { f0Floor, f0Ceil } = world as NonNullable<typeof world>;
  const f0 = estimateF0(signal, rate, { framePeriod, f0Floor, f0Ceil, periodicityThreshold: threshold });
  const envelope = spectralEnvelope(signal, rate, f0, { framePeriod, f0Floor, fftSize: spec.nFft });
  const smooth = melCepstrumToEnvelope(
    melCepstrum(envelope, world?.mcepOrder ?? 35, world?.alpha ?? 0.42),
    spec.nFft,
    world?.alpha ?? 0.42,
  );
  const coded = bandAperiodicity(signal, rate, f0, { framePeriod, f0Floor, bands: world?.aperiodicityBands ?? 1 });
  const ap = mixed ? decodeMixed(coded, spec.nFft) : decodeAperiodicity(coded, rate, spec.nFft);
  return synthesizeWorld(f0, smooth, ap, { sampleRate: rate, framePeriod, length: signal.length, seed });
}

const variants: [string, number, boolean][] = [
  ["world", 0.5, false],
  ["mixed-ap", 0.5, true],
  ["mixed-ap+voiced0.3", 0.3, true],
];
const seeds = [0, 1, 2];
const voices = (process.argv[2] ?? "slt,kal,ked,espeak-m,espeak-f,human").split(",");
const per = Number(process.argv[3] ?? 10);
const root = demoCorpusPath();
const demoTexts = (await readFile(join(root, "transcripts.tsv"), "utf8"))
  .trim()
  .split("\n")
  .map((l) => l.split("\t") as [string, string]);
const HUMAN = "/usr/share/pocketsphinx/test/data/librivox";
async function utterances(voice: string): Promise<[string, string][]> {
  if (voice !== "human") return demoTexts.slice(0, per).map(([id, text]) => [join(root, voice, `${id}.wav`), text]);
  const transcripts = await readTranscripts(join(HUMAN, "transcription"));
  const files = (await readdir(HUMAN)).filter((f) => f.endsWith(".wav")).sort();
  return files.map((f) => [join(HUMAN, f), transcripts.get(f.replace(/\.wav$/, "")) ?? ""]);
}
const out = "out/mixed-excitation";
await mkdir(out, { recursive: true });
const tally = new Map<string, [number, number]>();
const jobs: Promise<void>[] = [];
const score = (key: string, path: string, text: string) =>
  jobs.push(
    (async () => {
      const ref = normalizeText(text).split(" ").filter(Boolean);
      const hyp = normalizeText(await transcribe(pocketsphinx, path))
        .split(" ")
        .filter(Boolean);
      const t = tally.get(key) ?? [0, 0];
      t[0] += editDistance(ref, hyp);
      t[1] += ref.length;
      tally.set(key, t);
    })(),
  );
for (const voice of voices)
  for (const [file, text] of await utterances(voice)) {
    const x = await readConditionedAudio(file, rate);
    const id =
      file
        .split("/")
        .pop()
        ?.replace(/\.wav$/, "") ?? "x";
    const recording = join(out, `${voice}_${id}_recording.wav`);
    await writeWavFile(recording, x, rate);
    score(`${voice}\trecording`, recording, text);
    for (const [name, threshold, mixed] of variants)
      for (const seed of seeds) {
        const path = join(out, `${voice}_${id}_${name}_${seed}.wav`);
        await writeWavFile(path, resynthesize(x, threshold, mixed, seed), rate);
        score(`${voice}\t${name}`, path, text);
        while (jobs.length >= 2) await jobs.shift();
      }
  }
await Promise.all(jobs);
const names = ["recording", ...variants.map(([n]) => n)];
console.log(`| voice | ${names.join(" | ")} |\n|---|${names.map(() => "---").join("|")}|`);
const demo = voices.filter((v) => v !== "human");
const mean = (name: string, of: string[]) => {
  let e = 0;
  let n = 0;
  for (const v of of) {
    const t = tally.get(`${v}\t${name}`);
    if (t) {
      e += t[0] / t[1];
      n++;
    }
  }
  return n ? (e / n).toFixed(3) : "-";
};
for (const voice of voices) console.log(`| ${voice} | ${names.map((n) => mean(n, [voice])).join(" | ")} |`);
console.log(`| demo mean | ${names.map((n) => mean(n, demo)).join(" | ")} |`);
