/**
 * How much of "classified as the target" is pitch alone: every held-out sentence of a run (the validation split)
 * and the human reader of Debian's pocketsphinx-testdata converted to each other voice by the ln F0 Gaussian
 * transform only (the mel-cepstrum and aperiodicity left as analysed), synthesised through world and classified by
 * the classifier `vox eval` trains (one GMM per speaker over mel-cepstra and deltas of the run's training
 * utterances). A control for the →target column: a conversion that reaches the target voice must do more than this.
 * The human reader's pitch-only conversions are also transcribed by pocketsphinx (WER per target voice): what the
 * F0 transform alone costs in words, before the generator touches the envelope.
 *
 *   npx tsx --conditions vox-source experiments/f0-only.ts <run>
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readAudioFile, readConditionedAudio } from "@vox/datasets";
import {
  analyze,
  featureStatistics,
  type SpeakerFeatureStatistics,
  type Spectrogram,
  synthesize,
  transformLogF0,
  worldFeatureLayout,
} from "@vox/dsp";
import { writeWavFile } from "@vox/dsp/node";
import { melCepstra, SpeakerClassifier, speakerFrames } from "@vox/eval";
import { openRunConversion, openRunFeatures, readRunRecord } from "@vox/train";
import { copySynthesisUtterances, WerTally } from "./copy-synthesis.js";

const run = process.argv[2] ?? "out/demo/run";
const record = await readRunRecord(run);
const spec = record.featureSpec;
const conversion = await openRunConversion(run, record, "source-energy");
if (!conversion.statistics) throw new Error(`${run}: expected a run with statistics.json (world features)`);
const { store, heldOut, training } = await openRunFeatures(record);
const examples = [];
for (const u of training) {
  const audio = await readAudioFile(u.source);
  examples.push({ frames: speakerFrames(melCepstra(audio.samples, audio.sampleRate)), speaker: u.speaker });
}
const classifier = new SpeakerClassifier(record.speakers).fit(examples);
const layout = worldFeatureLayout(spec);

/** `features` with ln F0 moved from `from` to `to`'s statistics, synthesised; the audio and its predicted speaker. */
function pitchOnly(
  features: Spectrogram,
  from: SpeakerFeatureStatistics,
  to: SpeakerFeatureStatistics,
  length?: number,
) {
  const data = features.data.slice();
  const row = data.subarray(layout.logF0 * features.frames, (layout.logF0 + 1) * features.frames);
  if (from.logF0 && to.logF0) transformLogF0(row, from.logF0, to.logF0);
  const samples = synthesize({ ...features, data }, spec, length === undefined ? {} : { length });
  return { samples, predicted: classifier.predict(speakerFrames(melCepstra(samples, spec.sampleRate))) };
}

const tally = new Map<string, [number, number]>();
const count = (key: string, hit: boolean) => {
  const t = tally.get(key) ?? [0, 0];
  t[0] += hit ? 1 : 0;
  t[1]++;
  tally.set(key, t);
};
for (const u of heldOut) {
  const features = store.readUtterance(u);
  const from = conversion.speaker(u.speaker) as SpeakerFeatureStatistics;
  for (const target of record.speakers.filter((s) => s !== u.speaker)) {
    const { predicted } = pitchOnly(features, from, conversion.speaker(target) as SpeakerFeatureStatistics);
    count("held-out", predicted === target);
    count(`held-out, to ${target}`, predicted === target);
    count("held-out, heard as its source", predicted === u.speaker);
  }
}
const out = join(run, "f0-only");
await mkdir(out, { recursive: true });
const words = new WerTally();
for (const [file, text] of await copySynthesisUtterances("human", 0)) {
  const signal = await readConditionedAudio(file, spec.sampleRate);
  const features = analyze(signal, spec);
  const own = featureStatistics(spec, [features]);
  for (const target of record.speakers) {
    const to = conversion.speaker(target) as SpeakerFeatureStatistics;
    const { samples, predicted } = pitchOnly(features, own, to, signal.length);
    count("human", predicted === target);
    count(`human, to ${target}`, predicted === target);
    const wav = join(
      out,
      `${file
        .split("/")
        .pop()
        ?.replace(/\.wav$/, "")}_to_${target}.wav`,
    );
    await writeWavFile(wav, samples, spec.sampleRate);
    await words.score(target, "human, pitch only: WER", wav, text);
  }
}
for (const [key, [hits, n]] of tally) console.log(`${key.padEnd(40)} ${(hits / n).toFixed(3)} (${hits} of ${n})`);
await words.print(record.speakers, ["human, pitch only: WER"]);
