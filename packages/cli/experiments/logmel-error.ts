/**
 * Where copy-synthesis departs from the recording in what pocketsphinx hears: its front end's log-mel spectrum
 * (40 bands, 133-6855 Hz, 25 ms windows every 10 ms) of the recording against world's resynthesis and against
 * linear1024 + Griffin-Lim's (the representation that keeps the words), RMS dB over bands per frame, by frame class:
 * voiced (our F0 voiced within +-15 ms), unvoiced, or edge (voicing changes within +-15 ms); voiced frames also per
 * quarter of the bands with the mean (bias) beside the RMS. Frames 40 dB below the utterance's loudest are left out.
 *
 *   npx tsx --conditions vox-source experiments/logmel-error.ts [voices, default slt,kal,ked,espeak-m,espeak-f,human] [sentences per voice, default 10]
 */
import { readConditionedAudio } from "@vox/datasets";
import { analyze, f0 as estimateF0, melSpectrogram, synthesize, worldFeatureSpec } from "@vox/dsp";
import { copySynthesisUtterances, linear1024, world } from "./copy-synthesis.js";

const voices = (process.argv[2] ?? "slt,kal,ked,espeak-m,espeak-f,human").split(",");
const per = Number(process.argv[3] ?? 10);
const BANDS = 40;
const logMel = (x: Float32Array) =>
  melSpectrogram(x, { sampleRate: 16000, nFft: 512, winLength: 400, hop: 160, nMels: BANDS, fmin: 133, fmax: 6855 });

/** Running means by key. */
class Means {
  private readonly sums = new Map<string, [number, number]>();
  add(key: string, value: number): void {
    const s = this.sums.get(key) ?? [0, 0];
    s[0] += value;
    s[1]++;
    this.sums.set(key, s);
  }
  get(key: string): string {
    const s = this.sums.get(key);
    return s ? (s[0] / s[1]).toFixed(2) : "-";
  }
}

const classes = ["voiced", "edge", "unvoiced"] as const;
const quarters = [0, 10, 20, 30] as const;
const systems = ["world", "linear1024 + GL"] as const;
const byClass: string[] = [
  `| voice | ${systems.flatMap((s) => classes.map((c) => `${s} ${c}`)).join(" | ")} |`,
  `|---|${systems.flatMap(() => classes.map(() => "---")).join("|")}|`,
];
const byBand: string[] = [
  `| voice | ${systems.flatMap((s) => quarters.map((q) => `${s} bands ${q}-${q + 9}`)).join(" | ")} |`,
  `|---|${systems.flatMap(() => quarters.map(() => "---")).join("|")}|`,
];
for (const voice of voices) {
  const means = new Means();
  for (const [file] of await copySynthesisUtterances(voice, per)) {
    const x = await readConditionedAudio(file, 16000);
    const contour = estimateF0(x, 16000, {
      framePeriod: world.framePeriod,
      f0Floor: world.f0Floor,
      f0Ceil: world.f0Ceil,
    });
    const heard = logMel(x);
    const resynthesised = {
      world: logMel(synthesize(analyze(x, worldFeatureSpec), worldFeatureSpec, { length: x.length, seed: 0 })),
      "linear1024 + GL": logMel(synthesize(analyze(x, linear1024), linear1024, { length: x.length })),
    };
    const frames = heard.frames;
    const energy = new Float64Array(frames);
    let loudest = -Infinity;
    for (let t = 0; t < frames; t++) {
      let e = 0;
      for (let b = 0; b < BANDS; b++) e += heard.data[b * frames + t] as number;
      energy[t] = 10 * Math.log10(e + 1e-12);
      loudest = Math.max(loudest, energy[t] as number);
    }
    // World frames per 10 ms log-mel frame.
    const perLogMelFrame = 10 / world.framePeriod;
    for (let t = 0; t < frames; t++) {
      if ((energy[t] as number) < loudest - 40) continue;
      const w = Math.min(contour.length - 1, Math.round(t * perLogMelFrame));
      let edge = false;
      for (let d = -3; d <= 3; d++) {
        const j = Math.max(0, Math.min(contour.length - 1, w + d));
        if ((contour[j] as number) > 0 !== (contour[w] as number) > 0) edge = true;
      }
      const cls = edge ? "edge" : (contour[w] as number) > 0 ? "voiced" : "unvoiced";
      for (const system of systems) {
        const m = resynthesised[system];
        const db = (b: number) =>
          10 *
          Math.log10(((m.data[b * m.frames + t] as number) + 1e-10) / ((heard.data[b * frames + t] as number) + 1e-10));
        let squares = 0;
        for (let b = 0; b < BANDS; b++) squares += db(b) ** 2;
        means.add(`${system} ${cls}`, Math.sqrt(squares / BANDS));
        if (cls !== "voiced") continue;
        for (const q of quarters) {
          let sq = 0;
          let sum = 0;
          for (let b = q; b < q + 10; b++) {
            sq += db(b) ** 2;
            sum += db(b);
          }
          means.add(`${system} rms ${q}`, Math.sqrt(sq / 10));
          means.add(`${system} bias ${q}`, sum / 10);
        }
      }
    }
  }
  byClass.push(`| ${voice} | ${systems.flatMap((s) => classes.map((c) => means.get(`${s} ${c}`))).join(" | ")} |`);
  byBand.push(
    `| ${voice} | ${systems.flatMap((s) => quarters.map((q) => `${means.get(`${s} rms ${q}`)} (${means.get(`${s} bias ${q}`)})`)).join(" | ")} |`,
  );
}
process.stdout.write(
  `RMS dB by frame class\n${byClass.join("\n")}\n\nvoiced frames, RMS (mean) dB by band quarter\n${byBand.join("\n")}\n`,
);
