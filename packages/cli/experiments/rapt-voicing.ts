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
 * With `agreement` (or `agreement-nccf`, `agreement-nccf-spectral`) as the variants, prints instead how our contour
 * (or NCCF + DP's, without or with its spectral term) and RAPT's agree per voice: frames both voice, those more
 * than 20 % apart, the median and 90th percentile of |log2 ratio|, frames only one of them voices, and RAPT's own
 * peak correlation (SPTK `-o 3`) on each kind of frame.
 */
import { execFileSync } from "node:child_process";
import {
  bandAperiodicity,
  f0 as estimateF0,
  melCepstrum,
  melCepstrumToEnvelope,
  spectralEnvelope,
  synthesizeWorldParameters,
} from "@vox/dsp";
import { readConditionedAudio } from "@vox/datasets";
import { nccfF0 } from "./nccf-f0.js";
import { type CopySynthesisVariant, compareCopySyntheses, copySynthesisUtterances, world } from "./copy-synthesis.js";

const SPTK = "/usr/libexec/sptk/bin/pitch";

/** RAPT's F0 (Hz, 0 unvoiced) on our frames (frame t centred on t x hop), aligned to `ours` by the lag that fits best. */
function raptF0(x: Float32Array, ours: Float64Array): Float64Array {
  return raptOnOurFrames(x, ours, false).f0;
}

/** SPTK's `pitch -a 0` output `-o kind` (1: F0 in Hz, 3: RAPT's peak cross-correlation), 5 ms frames. */
function sptkRapt(x: Float32Array, kind: "1" | "3"): Float32Array {
  const hop = (world.rate * world.framePeriod) / 1000;
  const raw = execFileSync(
    SPTK,
    ["-a", "0", "-s", "16", "-p", String(hop), "-L", String(world.f0Floor), "-H", "500", "-o", kind],
    {
      // RAPT's energy thresholds expect 16-bit sample values: at full scale 1 it finds every frame unvoiced.
      input: Buffer.from(x.map((v) => v * 32768).buffer),
      maxBuffer: 1 << 28,
    },
  );
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

/**
 * RAPT's F0 and (with `withCorrelation`, a second SPTK run) its peak correlation on our frames (frame t centred on
 * t x hop), shifted by the frame lag that best fits `ours`; the correlation is all 0 without it.
 */
function raptOnOurFrames(
  x: Float32Array,
  ours: Float64Array,
  withCorrelation: boolean,
): { f0: Float64Array; correlation: Float64Array } {
  const rapt = sptkRapt(x, "1");
  let best = 0;
  let bestError = Infinity;
  for (let lag = -4; lag <= 4; lag++) {
    let error = 0;
    let n = 0;
    for (let t = 0; t < ours.length; t++) {
      const r = rapt[t + lag] ?? 0;
      const o = ours[t] as number;
      if (r > 0 && o > 0) {
        error += Math.abs(Math.log2(r / o));
        n++;
      }
    }
    if (n > 20 && error / n < bestError) {
      bestError = error / n;
      best = lag;
    }
  }
  const peaks = withCorrelation ? sptkRapt(x, "3") : new Float32Array(0);
  const f0 = new Float64Array(ours.length);
  const correlation = new Float64Array(ours.length);
  for (let t = 0; t < ours.length; t++) {
    f0[t] = rapt[t + best] ?? 0;
    correlation[t] = peaks[t + best] ?? 0;
  }
  return { f0, correlation };
}

/** Analysis on the given contour and world's synthesis (the envelope through its order-35 mel-cepstrum). */
function resynthesizeOn(x: Float32Array, contour: Float64Array, seed: number): Float32Array {
  const { framePeriod, f0Floor, rate, nFft, mcepOrder, alpha, aperiodicityBands } = world;
  const envelope = spectralEnvelope(x, rate, contour, { framePeriod, f0Floor, fftSize: nFft });
  const coded = bandAperiodicity(x, rate, contour, { framePeriod, f0Floor, bands: aperiodicityBands });
  return synthesizeWorldParameters(
    {
      sampleRate: rate,
      framePeriod,
      f0: contour,
      envelope: melCepstrumToEnvelope(melCepstrum(envelope, mcepOrder, alpha), nFft, alpha),
      bandAperiodicity: coded,
    },
    { length: x.length, seed },
  );
}

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

const nccf = (x: Float32Array, spectral = false) =>
  nccfF0(x, world.rate, { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: 500, spectral });

const ours = (x: Float32Array) =>
  estimateF0(x, world.rate, { framePeriod: world.framePeriod, f0Floor: world.f0Floor, f0Ceil: world.f0Ceil });

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
  { name: "world", resynthesize: (x, seed) => resynthesizeOn(x, ours(x), seed) },
  { name: "all unvoiced", resynthesize: (x, seed) => resynthesizeOn(x, new Float64Array(ours(x).length), seed) },
  { name: "RAPT F0", resynthesize: (x, seed) => resynthesizeOn(x, raptF0(x, ours(x)), seed) },
  { name: "RAPT voicing", resynthesize: (x, seed) => resynthesizeOn(x, mixed(x, "voicing"), seed) },
  { name: "RAPT values", resynthesize: (x, seed) => resynthesizeOn(x, mixed(x, "values"), seed) },
  { name: "NCCF + DP", resynthesize: (x, seed) => resynthesizeOn(x, nccf(x), seed) },
  { name: "NCCF + DP + spectral", resynthesize: (x, seed) => resynthesizeOn(x, nccf(x, true), seed) },
  { name: "smoothed", resynthesize: (x, seed) => resynthesizeOn(x, smoothVoicedRuns(ours(x), 2), seed) },
];

/** Per voice: where a contour (ours, or `nccf`) and RAPT's agree (`agreement` / `agreement-nccf` mode). */
async function printAgreement(
  voices: string[],
  per: number,
  estimate: (x: Float32Array) => Float64Array,
): Promise<void> {
  const lines = [
    "| voice | frames both voice | of those > 20 % apart | median abs log2 ratio | 90th percentile | only ours voice | only RAPT voices | RAPT's peak correlation (median): both / only ours / only RAPT |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const voice of voices) {
    let gross = 0;
    let onlyOurs = 0;
    let onlyRapt = 0;
    const ratios: number[] = [];
    const peaks: Record<"both" | "ours" | "rapt", number[]> = { both: [], ours: [], rapt: [] };
    for (const [file] of await copySynthesisUtterances(voice, per)) {
      const x = await readConditionedAudio(file, world.rate);
      const o = estimate(x);
      const { f0: r, correlation } = raptOnOurFrames(x, o, true);
      for (let t = 0; t < o.length; t++) {
        const a = (o[t] as number) > 0;
        const b = (r[t] as number) > 0;
        if (a || b) peaks[a && b ? "both" : a ? "ours" : "rapt"].push(correlation[t] as number);
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
    const median = (values: number[]) =>
      (values.sort((p, q) => p - q)[Math.floor((values.length - 1) / 2)] ?? 0).toFixed(2);
    lines.push(
      `| ${voice} | ${ratios.length} | ${((100 * gross) / Math.max(1, ratios.length)).toFixed(1)} % | ${at(0.5)} | ${at(0.9)} | ${onlyOurs} | ${onlyRapt} | ${median(peaks.both)} / ${median(peaks.ours)} / ${median(peaks.rapt)} |`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

const only = process.argv[4]?.split(",");
if (only?.some((v) => v.startsWith("agreement"))) {
  const voices = (process.argv[2] ?? "slt,kal,ked,espeak-m,espeak-f,human").split(",");
  await printAgreement(
    voices,
    Number(process.argv[3] ?? 10),
    only.includes("agreement-nccf-spectral")
      ? (x: Float32Array) => nccf(x, true)
      : only.includes("agreement-nccf")
        ? (x: Float32Array) => nccf(x)
        : ours,
  );
  process.exit(0);
}
await compareCopySyntheses(
  "out/rapt-voicing",
  variants.filter((v) => !only || only.includes(v.name)),
);
