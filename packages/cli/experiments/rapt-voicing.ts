/**
 * Whose F0 loses the words: copy-synthesis through world with the F0 contour of SPTK 3.9's RAPT (`pitch -a 0`,
 * Talkin 1995: normalised cross-correlation candidates joined by dynamic programming) in place of ours, the
 * envelope and aperiodicity analysed on that contour; RAPT's voiced/unvoiced decision with our F0 values (frames
 * RAPT voices and we do not take RAPT's); RAPT's values on our voicing; our contour smoothed; no voicing at all
 * (noise excitation throughout); and "NCCF + DP" (with "+ spectral", its spectral-stationarity term), an estimator
 * of RAPT's design written from the paper (experiments/nccf-f0.ts). An oracle test before writing another F0 estimator into @vox/dsp.
 *
 *   npx tsx --conditions vox-source experiments/rapt-voicing.ts [voices] [sentences per voice, default 10] [variants, default all]
 *
 * "NCCF voicing 0.5" and "0.6": voiced where the NCCF's strongest candidate reaches that correlation, with DIO's values.
 *
 * With `agreement` (or `agreement-nccf[-spectral][@voice bias]`, `agreement-threshold@<correlation>`) as the
 * variants, prints instead how our contour (or NCCF + DP's, without or with its spectral term, or the NCCF voicing
 * rule's) and RAPT's agree per voice: frames both voice, those more than 20 % apart, the median and 90th percentile
 * of |log2 ratio|, frames only one of them voices, and RAPT's own peak correlation (SPTK `-o 3`) and the level on
 * each kind of frame.
 */
import { f0 as estimateF0 } from "@vox/dsp";
import { readConditionedAudio } from "@vox/datasets";
import { nccfF0, nccfPeaks } from "./nccf-f0.js";
import { raptF0, raptOnOurFrames } from "./sptk-rapt.js";
import {
  type CopySynthesisVariant,
  compareCopySyntheses,
  copySynthesisUtterances,
  medianText,
  resynthesizeOnContour,
  world,
} from "./copy-synthesis.js";

/** ln F0 averaged over +-`half` frames within each voiced run (the run's ends over what they have). */
function smoothVoicedRuns(contour: Float64Array, half: number): Float64Array {
  const out = new Float64Array(contour.length);
  for (let t = 0; t < contour.length; t++) {
    if (!((contour[t] as number) > 0)) continue;
    let sum = 0;
    let n = 0;
    for (let u = t - 1; u >= Math.max(0, t - half) && (contour[u] as number) > 0; u--, n++)
      sum += Math.log(contour[u] as number);
    for (let u = t; u <= Math.min(contour.length - 1, t + half) && (contour[u] as number) > 0; u++, n++)
      sum += Math.log(contour[u] as number);
    out[t] = Math.exp(sum / n);
  }
  return out;
}

const nccf = (x: Float32Array, spectral = false, voiceBias = 0) =>
  nccfF0(x, world.rate, { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: 500, spectral, voiceBias });

const ours = (x: Float32Array) =>
  estimateF0(x, world.rate, { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: world.f0Ceil });

/**
 * Voiced where the strongest NCCF candidate (nccf-f0.ts, 7.5 ms window) reaches `threshold`: the F0 of our DIO
 * candidate refined by StoneMask (our estimator without its periodicity test) where it has one, else the peak's
 * (which is an octave off on 45 % of espeak-f's frames); voiced runs shorter than 20 ms dropped, as ours drops them.
 */
function nccfVoicing(x: Float32Array, threshold: number): Float64Array {
  const options = { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: world.f0Ceil };
  const dio = estimateF0(x, world.rate, { ...options, periodicityThreshold: 0 });
  const peak = nccfPeaks(x, world.rate, { ...options, f0Ceil: 500 });
  const contour = new Float64Array(dio.length);
  for (let t = 0; t < dio.length; t++) {
    if (!((peak.correlation[t] as number) >= threshold)) continue;
    const d = dio[t] as number;
    const p = peak.f0[t] as number;
    contour[t] = d > 0 ? d : p;
  }
  let start = -1;
  for (let t = 0; t <= contour.length; t++) {
    const voiced = t < contour.length && (contour[t] as number) > 0;
    if (voiced && start < 0) start = t;
    if (!voiced && start >= 0) {
      if (t - start < 4) contour.fill(0, start, t);
      start = -1;
    }
  }
  return contour;
}

/**
 * Ours and RAPT's contours mixed: "voicing" voices RAPT's frames with our F0 where we have one (RAPT's elsewhere);
 * "values" voices our frames with RAPT's F0 where it has one (ours elsewhere).
 */
function mixed(x: Float32Array, fromRapt: "voicing" | "values"): Float64Array {
  const o = ours(x);
  const r = raptF0(x, o);
  const [voicing, values] = fromRapt === "voicing" ? [r, o] : [o, r];
  const contour = new Float64Array(o.length);
  for (let t = 0; t < o.length; t++) {
    if (!((voicing[t] as number) > 0)) continue;
    contour[t] = (values[t] as number) > 0 ? (values[t] as number) : (voicing[t] as number);
  }
  return contour;
}

const variants: CopySynthesisVariant[] = [
  { name: "world", resynthesize: (x, seed) => resynthesizeOnContour(x, ours(x), seed) },
  { name: "all unvoiced", resynthesize: (x, seed) => resynthesizeOnContour(x, new Float64Array(ours(x).length), seed) },
  { name: "RAPT F0", resynthesize: (x, seed) => resynthesizeOnContour(x, raptF0(x, ours(x)), seed) },
  { name: "RAPT voicing", resynthesize: (x, seed) => resynthesizeOnContour(x, mixed(x, "voicing"), seed) },
  { name: "RAPT values", resynthesize: (x, seed) => resynthesizeOnContour(x, mixed(x, "values"), seed) },
  { name: "NCCF + DP", resynthesize: (x, seed) => resynthesizeOnContour(x, nccf(x), seed) },
  { name: "NCCF + DP + spectral", resynthesize: (x, seed) => resynthesizeOnContour(x, nccf(x, true), seed) },
  ...[0.5, 0.6, 0.7].map((threshold) => ({
    name: `NCCF voicing ${threshold}`,
    resynthesize: (x: Float32Array, seed: number) => resynthesizeOnContour(x, nccfVoicing(x, threshold), seed),
  })),
  { name: "smoothed", resynthesize: (x, seed) => resynthesizeOnContour(x, smoothVoicedRuns(ours(x), 2), seed) },
];

/** Each frame's 25 ms power in dB relative to the utterance's loudest frame (frame t centred on t x hop). */
function frameLevels(x: Float32Array, frames: number): Float64Array {
  const hop = (world.rate * world.framePeriod) / 1000;
  const half = Math.round(0.0125 * world.rate);
  const power = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const centre = Math.round(t * hop);
    let sum = 0;
    for (let i = Math.max(0, centre - half); i < Math.min(x.length, centre + half); i++) sum += (x[i] as number) ** 2;
    power[t] = sum + 1e-20;
  }
  const loudest = power.reduce((m, v) => Math.max(m, v), 0);
  return power.map((p) => 10 * Math.log10(p / loudest));
}

/** Per voice: where a contour (ours, or `nccf`) and RAPT's agree (`agreement` / `agreement-nccf` mode). */
async function printAgreement(
  voices: string[],
  per: number,
  estimate: (x: Float32Array) => Float64Array,
): Promise<void> {
  const lines = [
    "| voice | frames both voice | of those > 20 % apart | median abs log2 ratio | 90th percentile | only ours voice | only RAPT voices | RAPT's peak correlation (median): both / only ours / only RAPT | level, dB re the loudest frame (median): both / only ours / only RAPT |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const voice of voices) {
    let gross = 0;
    let onlyOurs = 0;
    let onlyRapt = 0;
    const ratios: number[] = [];
    const peaks: Record<"both" | "ours" | "rapt", number[]> = { both: [], ours: [], rapt: [] };
    const levels: Record<"both" | "ours" | "rapt", number[]> = { both: [], ours: [], rapt: [] };
    for (const [file] of await copySynthesisUtterances(voice, per)) {
      const x = await readConditionedAudio(file, world.rate);
      const o = estimate(x);
      const { f0: r, correlation } = raptOnOurFrames(x, o, true);
      const level = frameLevels(x, o.length);
      for (let t = 0; t < o.length; t++) {
        const a = (o[t] as number) > 0;
        const b = (r[t] as number) > 0;
        const kind = a && b ? "both" : a ? "ours" : "rapt";
        if (a || b) {
          peaks[kind].push(correlation[t] as number);
          levels[kind].push(level[t] as number);
        }
        if (a && b) {
          const d = Math.abs(Math.log2((o[t] as number) / (r[t] as number)));
          ratios.push(d);
          if (d > Math.log2(1.2)) gross++;
        } else if (a) onlyOurs++;
        else if (b) onlyRapt++;
      }
    }
    ratios.sort((p, q) => p - q);
    const at = (q: number) => (ratios[Math.floor(q * (ratios.length - 1))] ?? 0).toFixed(4);
    lines.push(
      `| ${voice} | ${ratios.length} | ${((100 * gross) / Math.max(1, ratios.length)).toFixed(1)} % | ${at(0.5)} | ${at(0.9)} | ${onlyOurs} | ${onlyRapt} | ${medianText(peaks.both)} / ${medianText(peaks.ours)} / ${medianText(peaks.rapt)} | ${medianText(levels.both)} / ${medianText(levels.ours)} / ${medianText(levels.rapt)} |`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

const only = process.argv[4]?.split(",");
const agreement = only?.find((v) => v.startsWith("agreement"));
if (agreement) {
  const voices = (process.argv[2] ?? "slt,kal,ked,espeak-m,espeak-f,human").split(",");
  // agreement-nccf[-spectral][@voice bias]
  const [mode = "", bias = "0"] = agreement.split("@");
  await printAgreement(
    voices,
    Number(process.argv[3] ?? 10),
    mode.startsWith("agreement-nccf")
      ? (x) => nccf(x, mode === "agreement-nccf-spectral", Number(bias))
      : mode === "agreement-threshold"
        ? (x) => nccfVoicing(x, Number(bias))
        : ours,
  );
  process.exit(0);
}
await compareCopySyntheses(
  "out/rapt-voicing",
  variants.filter((v) => !only || only.includes(v.name)),
);
