/**
 * `pnpm bench` for @vox/cli: the real-time factor of converting a 10 s utterance with each preset on the default
 * backend (what `vox convert` does: analysis, one pass of the generator, Griffin-Lim with the FeatureSpec's
 * settings), split into its parts. Weights are untrained: the time does not depend on them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { demoCorpusPath } from "@vox/datasets";
import {
  analyze,
  decodeWav,
  type FeatureSpec,
  mel80FeatureSpec,
  seedFeatureSpec,
  silenceValue,
  synthesize,
} from "@vox/dsp";
import { buildGenerator, convertUtterance, initBackend, type PresetName, presetConfig } from "@vox/models";

const backend = await initBackend(undefined, () => {});
const speech = decodeWav(readFileSync(join(demoCorpusPath(), "slt", "s01.wav"))).samples;
const tenSeconds = new Float32Array(16000 * 10);
for (let i = 0; i < tenSeconds.length; i += speech.length) tenSeconds.set(speech.subarray(0, tenSeconds.length - i), i);

console.log(
  `@vox/cli bench: converting 10 s of speech on ${backend.name} (real-time factor = seconds per second of audio)`,
);
const presets: [PresetName, FeatureSpec][] = [
  ["tiny", mel80FeatureSpec],
  ["stargan-vc2", mel80FeatureSpec],
  ["stargan-2018", seedFeatureSpec],
  ["seed-31f31449", seedFeatureSpec],
];
for (const [preset, spec] of presets) {
  try {
    const config = presetConfig(preset, { numLabels: 5, bins: spec.kind === "mel" ? spec.nMels : 256 });
    const generator = buildGenerator(config.generator);
    const t0 = performance.now();
    const features = analyze(tenSeconds, spec);
    const t1 = performance.now();
    const converted = convertUtterance(generator, config.generator, features, 0, 1, silenceValue(spec));
    const t2 = performance.now();
    synthesize(converted, spec);
    const t3 = performance.now();
    generator.dispose();
    const total = (t3 - t0) / 1000;
    console.log(
      `${preset.padEnd(14)} RTF ${(total / 10).toFixed(3)}  (analysis ${((t1 - t0) / 1000).toFixed(2)} s, generator ${((t2 - t1) / 1000).toFixed(2)} s, Griffin-Lim ${spec.griffinLim.nIter} it ${((t3 - t2) / 1000).toFixed(2)} s)`,
    );
  } catch (error) {
    console.log(`${preset.padEnd(14)} failed: ${(error as Error).message.split("\n")[0]?.slice(0, 160)}`);
  }
}
