/**
 * The DSP round trip on the shipped speech sample: WAV -> features (the seed's 256-bin spectrogram and an
 * 80-band log-mel) -> Griffin-Lim -> WAV, plus spectrogram PNGs. `pnpm demo` runs this until the CLI exists.
 * Usage: tsx examples/roundtrip.ts [input.wav] [outDir]
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  analyze,
  featureSpecs,
  renderSpectrogramPng,
  resample,
  StftPlan,
  spectralConvergence,
  synthesize,
} from "../src/index.js";
import { readWavFile, writeFileAtomic, writeWavFile } from "../src/node.js";

const input = process.argv[2] ?? fileURLToPath(new URL("../fixtures/speech-16k.wav", import.meta.url));
// pnpm runs package scripts in the package folder; INIT_CWD is where the user typed the command.
const outDir = resolve(process.env.INIT_CWD ?? ".", process.argv[3] ?? "out/dsp-roundtrip");
const audio = await readWavFile(input);
console.error(`read ${input}: ${(audio.samples.length / audio.sampleRate).toFixed(2)} s at ${audio.sampleRate} Hz`);

for (const [name, spec] of Object.entries(featureSpecs)) {
  const started = performance.now();
  const features = analyze(audio, spec);
  const analysed = performance.now();
  const original = resample(audio.samples, audio.sampleRate, spec.sampleRate);
  const signal = synthesize(features, spec, { length: original.length });
  const done = performance.now();
  await writeWavFile(join(outDir, `${name}.wav`), signal, spec.sampleRate);
  const floor = spec.floorDb;
  const png = renderSpectrogramPng(features, {
    min: 0,
    max: 1,
    pixelsPerBin: spec.kind === "mel" ? 3 : 1,
    colorBar: { unit: "dB", toLabel: (u) => floor + u * -floor },
  });
  await writeFileAtomic(join(outDir, `${name}.png`), png);
  console.log(
    `${name}: ${features.bins} x ${features.frames} features in ${(analysed - started).toFixed(0)} ms, ` +
      `Griffin-Lim (${spec.griffinLim.nIter} iterations) in ${(done - analysed).toFixed(0)} ms, ` +
      `spectral convergence vs the input ${magnitudeConvergence(original, signal).toFixed(3)} ` +
      `-> ${join(outDir, name)}.{wav,png}`,
  );
}

/** Spectral convergence on the linear STFT magnitude (n_fft 512, hop 128): 0 means identical spectra. */
function magnitudeConvergence(x: Float32Array, y: Float32Array): number {
  const plan = new StftPlan({ nFft: 512, hop: 128 });
  return spectralConvergence(plan.magnitude(x).data, plan.magnitude(y).data);
}
