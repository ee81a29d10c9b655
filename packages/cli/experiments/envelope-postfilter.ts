/**
 * A formant-sharpening postfilter in world's synthesis, heard through copy-synthesis: the mel-cepstrum's
 * coefficients from c2 up multiplied by 1 + beta (the mel-cepstral postfilter of HMM-based synthesis), each frame's
 * envelope then rescaled to its unfiltered power, so the formant peaks stand out of valleys that CheapTrick's
 * smoothing filled. WER by pocketsphinx per voice, each variant under noise seeds 0-2, beside the recording.
 *
 *   npx tsx --conditions vox-source experiments/envelope-postfilter.ts [voices] [sentences per voice, default 10] [betas, default 0,0.1,0.2,0.4]
 *
 * voices: demo corpus voices (default all five) and `human` (Debian's pocketsphinx-testdata librivox reader).
 */
import { f0 as estimateF0, melCepstrumToEnvelope, type Spectrogram } from "@vox/dsp";
import { compareCopySyntheses, resynthesizeOnContour, world } from "./copy-synthesis.js";

const { rate, framePeriod, nFft, f0Floor, f0Ceil, alpha } = world;

/** The envelope of `mcep` with c2.. scaled by 1 + beta, each frame at the power of the unfiltered envelope. */
export function sharpenedEnvelope(mcep: Spectrogram, beta: number): Spectrogram {
  const plain = melCepstrumToEnvelope(mcep, nFft, alpha);
  if (beta === 0) return plain;
  const { frames } = mcep;
  const scaled = { ...mcep, data: Float32Array.from(mcep.data) };
  for (let m = 2; m < mcep.bins; m++)
    for (let t = 0; t < frames; t++) scaled.data[m * frames + t] = (mcep.data[m * frames + t] as number) * (1 + beta);
  const sharp = melCepstrumToEnvelope(scaled, nFft, alpha);
  for (let t = 0; t < frames; t++) {
    let before = 0;
    let after = 0;
    for (let k = 0; k < sharp.bins; k++) {
      before += plain.data[k * frames + t] as number;
      after += sharp.data[k * frames + t] as number;
    }
    const gain = after > 0 ? before / after : 1;
    for (let k = 0; k < sharp.bins; k++) sharp.data[k * frames + t] = (sharp.data[k * frames + t] as number) * gain;
  }
  return sharp;
}

const betas = (process.argv[4] ?? "0,0.1,0.2,0.4").split(",").map(Number);
await compareCopySyntheses(
  "out/envelope-postfilter",
  betas.map((beta) => ({
    name: beta === 0 ? "world" : `beta ${beta}`,
    resynthesize: (x: Float32Array, seed: number) =>
      resynthesizeOnContour(x, estimateF0(x, rate, { framePeriod, f0Floor, f0Ceil }), seed, (mcep) =>
        sharpenedEnvelope(mcep, beta),
      ),
  })),
);
