/**
 * What the copy-synthesis experiments share: the utterances of a voice (the demo corpus' first sentences, or the
 * human reader of Debian's pocketsphinx-testdata), and a tally of pocketsphinx WER per (voice, variant) printed as
 * one table with the demo voices' mean; {@link compareCopySyntheses} runs a whole experiment from its variants.
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { demoCorpusPath, readConditionedAudio } from "@vox/datasets";
import {
  bandAperiodicity,
  type FeatureSpec,
  melCepstrum,
  melCepstrumToEnvelope,
  type Spectrogram,
  seedFeatureSpec,
  spectralEnvelope,
  synthesizeWorldParameters,
  worldFeatureSpec,
} from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { editDistance, normalizeText, pocketsphinx, readTranscripts, transcribe } from "@vox/eval";

const HUMAN = "/usr/share/pocketsphinx/test/data/librivox";

/** The world FeatureSpec's analysis settings, which every variant starts from. */
export const world = (() => {
  const settings = worldFeatureSpec.world;
  if (!settings) throw new Error("worldFeatureSpec: expected world settings, found none");
  const rate = worldFeatureSpec.sampleRate;
  return { ...settings, rate, nFft: worldFeatureSpec.nFft, framePeriod: (1000 * worldFeatureSpec.hop) / rate };
})();

/**
 * world's analysis on the given F0 contour and its synthesis: the envelope through its order-35 mel-cepstrum
 * (`envelopeOf` turns that mel-cepstrum into the envelope synthesised; by default melCepstrumToEnvelope).
 */
export function resynthesizeOnContour(
  x: Float32Array,
  contour: Float64Array,
  seed: number,
  envelopeOf: (mcep: Spectrogram) => Spectrogram = (mcep) => melCepstrumToEnvelope(mcep, world.nFft, world.alpha),
): Float32Array {
  const { framePeriod, f0Floor, rate, nFft, mcepOrder, alpha, aperiodicityBands } = world;
  const envelope = spectralEnvelope(x, rate, contour, { framePeriod, f0Floor, fftSize: nFft });
  const coded = bandAperiodicity(x, rate, contour, { framePeriod, f0Floor, bands: aperiodicityBands });
  return synthesizeWorldParameters(
    {
      sampleRate: rate,
      framePeriod,
      f0: contour,
      envelope: envelopeOf(melCepstrum(envelope, mcepOrder, alpha)),
      bandAperiodicity: coded,
    },
    { length: x.length, seed },
  );
}

/** Linear magnitude with enough frequency resolution to keep harmonics (n_fft 1024, hop 128, all 513 bins). */
export const linear1024: FeatureSpec = {
  ...seedFeatureSpec,
  nFft: 1024,
  winLength: 1024,
  dropNyquist: false,
  refAmplitude: 256,
};

/** The median of `values` (sorted in place; the lower middle of an even count, 0 when empty), to 2 decimals. */
export function medianText(values: number[]): string {
  return (values.sort((p, q) => p - q)[Math.floor((values.length - 1) / 2)] ?? 0).toFixed(2);
}

/** [file, transcript] of `voice`: a demo corpus voice (its first `per` sentences) or `human`. */
export async function copySynthesisUtterances(voice: string, per: number): Promise<[string, string][]> {
  if (voice === "human") {
    const transcripts = await readTranscripts(join(HUMAN, "transcription"));
    const files = (await readdir(HUMAN)).filter((f) => f.endsWith(".wav")).sort();
    return files.map((f) => [join(HUMAN, f), transcripts.get(f.replace(/\.wav$/, "")) ?? ""]);
  }
  const root = demoCorpusPath();
  const texts = (await readFile(join(root, "transcripts.tsv"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => l.split("\t") as [string, string]);
  return texts.slice(0, per).map(([id, text]) => [join(root, voice, `${id}.wav`), text]);
}

/** Word errors and reference words per (voice, variant), transcribed two at a time. */
export class WerTally {
  private readonly counts = new Map<string, [number, number]>();
  private readonly jobs: Promise<void>[] = [];

  /** Transcribes `wav` and adds its errors against `text` to (voice, variant); waits while two are running. */
  async score(voice: string, variant: string, wav: string, text: string): Promise<void> {
    this.jobs.push(
      (async () => {
        const ref = normalizeText(text).split(" ").filter(Boolean);
        const hyp = normalizeText(await transcribe(pocketsphinx, wav))
          .split(" ")
          .filter(Boolean);
        const key = `${voice}\t${variant}`;
        const t = this.counts.get(key) ?? [0, 0];
        t[0] += editDistance(ref, hyp);
        t[1] += ref.length;
        this.counts.set(key, t);
      })(),
    );
    while (this.jobs.length >= 2) await this.jobs.shift();
  }

  /** The mean over `voices` of each voice's WER under `variant` ("-" when none was scored). */
  mean(variant: string, voices: readonly string[]): string {
    let sum = 0;
    let n = 0;
    for (const v of voices) {
      const t = this.counts.get(`${v}\t${variant}`);
      if (t) {
        sum += t[0] / t[1];
        n++;
      }
    }
    return n ? (sum / n).toFixed(3) : "-";
  }

  /** Waits for every transcription, then prints voice x variant (and the demo voices' mean) as a Markdown table. */
  async print(voices: readonly string[], variants: readonly string[]): Promise<void> {
    await Promise.all(this.jobs);
    const lines = [`| voice | ${variants.join(" | ")} |`, `|---|${variants.map(() => "---").join("|")}|`];
    for (const voice of voices) lines.push(`| ${voice} | ${variants.map((n) => this.mean(n, [voice])).join(" | ")} |`);
    const demo = voices.filter((v) => v !== "human");
    lines.push(`| demo mean | ${variants.map((n) => this.mean(n, demo)).join(" | ")} |`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
}

/** A way to resynthesise a recording (16 kHz), under a seed of the synthesis' noise. */
export interface CopySynthesisVariant {
  name: string;
  resynthesize(signal: Float32Array, seed: number): Float32Array;
}

/**
 * Every utterance of `voices` (process.argv[2], default the five demo voices and `human`; process.argv[3]
 * sentences per demo voice, default 10) through each variant under noise seeds 0-2, WAVs under `out`, transcribed
 * and printed as one table beside the recording.
 */
export async function compareCopySyntheses(out: string, variants: readonly CopySynthesisVariant[]): Promise<void> {
  const rate = 16000;
  const seeds = [0, 1, 2];
  const voices = (process.argv[2] ?? "slt,kal,ked,espeak-m,espeak-f,human").split(",");
  const per = Number(process.argv[3] ?? 10);
  await mkdir(out, { recursive: true });
  const tally = new WerTally();
  for (const voice of voices)
    for (const [file, text] of await copySynthesisUtterances(voice, per)) {
      const x = await readConditionedAudio(file, rate);
      const id =
        file
          .split("/")
          .pop()
          ?.replace(/\.wav$/, "") ?? "x";
      const recording = join(out, `${voice}_${id}_recording.wav`);
      await writeWavFile(recording, x, rate);
      await tally.score(voice, "recording", recording, text);
      for (const variant of variants)
        for (const seed of seeds) {
          const path = join(out, `${voice}_${id}_${variant.name}_${seed}.wav`);
          await writeWavFile(path, variant.resynthesize(x, seed), rate);
          await tally.score(voice, variant.name, path, text);
        }
    }
  await tally.print(voices, ["recording", ...variants.map((v) => v.name)]);
}
