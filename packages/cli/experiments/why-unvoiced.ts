/**
 * Why our F0 leaves unvoiced the frames SPTK's RAPT voices (and voices those it does not): per voice, of the frames
 * only RAPT voices, how many our DIO candidates would voice without the periodicity test (threshold 0), and the
 * median periodicity-free NCCF peak (experiments/nccf-f0.ts's strongest candidate) on each kind of frame.
 *
 *   npx tsx --conditions vox-source experiments/why-unvoiced.ts [voices] [sentences per voice, default 10]
 */
import { f0 as estimateF0 } from "@vox/dsp";
import { readConditionedAudio } from "@vox/datasets";
import { copySynthesisUtterances, medianText, world } from "./copy-synthesis.js";
import { nccfPeaks } from "./nccf-f0.js";
import { raptOnOurFrames } from "./sptk-rapt.js";

const voices = (process.argv[2] ?? "slt,kal,ked,espeak-m,espeak-f,human").split(",");
const per = Number(process.argv[3] ?? 10);
const lines = [
  "| voice | only RAPT voices | of those, a DIO candidate failing the periodicity test | NCCF peak (median): both / only ours / only RAPT / neither |",
  "|---|---|---|---|",
];
for (const voice of voices) {
  let onlyRapt = 0;
  let candidate = 0;
  const peaks: Record<string, number[]> = { both: [], ours: [], rapt: [], neither: [] };
  for (const [file] of await copySynthesisUtterances(voice, per)) {
    const x = await readConditionedAudio(file, world.rate);
    const options = { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: world.f0Ceil };
    const o = estimateF0(x, world.rate, options);
    const loose = estimateF0(x, world.rate, { ...options, periodicityThreshold: 0 });
    const { f0: r } = raptOnOurFrames(x, o, false);
    const nccf = nccfPeaks(x, world.rate, { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: 500 });
    for (let t = 0; t < o.length; t++) {
      const a = (o[t] as number) > 0;
      const b = (r[t] as number) > 0;
      (peaks[a && b ? "both" : a ? "ours" : b ? "rapt" : "neither"] as number[]).push(nccf.correlation[t] ?? 0);
      if (b && !a) {
        onlyRapt++;
        if ((loose[t] as number) > 0) candidate++;
      }
    }
  }
  lines.push(
    `| ${voice} | ${onlyRapt} | ${candidate} | ${medianText(peaks.both as number[])} / ${medianText(peaks.ours as number[])} / ${medianText(peaks.rapt as number[])} / ${medianText(peaks.neither as number[])} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
