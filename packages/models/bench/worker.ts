/**
 * One measurement in its own process, so that a backend abort (the wasm heap is capped at 4 GiB) cannot
 * take the whole benchmark down. Prints one JSON line.
 *   tsx worker.ts forward <preset> <seconds>   generator forward on an utterance of that length, batch 1
 */
import { featureSpecs } from "@vox/dsp";
import { initBackend } from "../src/node.js";
import { buildGenerator, conditionWidth, timeMultiple } from "../src/generators.js";
import { type PresetName, presetConfig } from "../src/presets.js";
import * as tf from "../src/tfjs.js";

const [mode, preset, a] = process.argv.slice(2) as [string, PresetName, string];
const backend = await initBackend(undefined, () => {});

function median(times: number[]): number {
  return [...times].sort((x, y) => x - y)[Math.floor(times.length / 2)] as number;
}

function timed(fn: () => void, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

if (mode !== "forward") throw new Error(`unknown mode ${mode}: expected forward`);
const g = presetConfig(preset).generator;
const spec = g.bins === 256 ? featureSpecs.seed : featureSpecs.mel80;
const multiple = timeMultiple(g);
const frames = Math.ceil((Number(a) * spec.sampleRate) / spec.hop / multiple) * multiple;
const model = buildGenerator(g);
const x = tf.randomUniform([1, g.bins, frames, 1]);
const code = tf.zeros([1, conditionWidth(g)]);
const seconds = timed(() => tf.tidy(() => void (model.predict([x, code]) as tf.Tensor).dataSync()), 2);
console.log(
  JSON.stringify({ mode, preset, backend: backend.name, bins: g.bins, frames, seconds, peakRssMiB: peakRssMiB() }),
);
