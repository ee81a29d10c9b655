import type { Spectrogram } from "@vox/dsp";
import type { GeneratorConfig } from "./config.js";
import { timeMultiple } from "./generators.js";
import * as tf from "./tfjs.js";

/** The generator's condition input for converting `source` -> `target` (label one-hot, or VC2's source+target code). */
export function conditionVector(config: GeneratorConfig, source: number, target: number): Float32Array {
  if (config.kind === "stargan") {
    const labels = new Float32Array(config.numLabels);
    labels[target] = 1;
    return labels;
  }
  const code = new Float32Array(2 * config.numSpeakers);
  code[source] = 1;
  code[config.numSpeakers + target] = 1;
  return code;
}

/**
 * Converts a whole utterance in one pass of the fully convolutional generator: the frames are padded at the end
 * to a multiple of the generator's time factor with the FeatureSpec's silence (one value, or one per row as
 * `silenceFrame(spec)` gives it), and cut back after.
 */
export function convertUtterance(
  generator: tf.LayersModel,
  config: GeneratorConfig,
  features: Spectrogram,
  source: number,
  target: number,
  silence: number | Float32Array,
): Spectrogram {
  const multiple = timeMultiple(config);
  const frames = Math.max(multiple, Math.ceil(features.frames / multiple) * multiple);
  const padded = new Float32Array(features.bins * frames);
  for (let f = 0; f < features.bins; f++) {
    padded.fill(typeof silence === "number" ? silence : (silence[f] ?? 0), f * frames, (f + 1) * frames);
    padded.set(features.data.subarray(f * features.frames, (f + 1) * features.frames), f * frames);
  }
  const condition = conditionVector(config, source, target);
  // The tensor leaves tidy, not its values: tidy walks a returned typed array element by element.
  const result = tf.tidy(() => {
    const x = tf.tensor4d(padded, [1, features.bins, frames, 1]);
    const c = tf.tensor2d(condition, [1, condition.length]);
    return generator.apply([x, c], { training: false }) as tf.Tensor;
  });
  const output = result.dataSync() as Float32Array;
  result.dispose();
  const data = new Float32Array(features.bins * features.frames);
  for (let f = 0; f < features.bins; f++)
    data.set(output.subarray(f * frames, f * frames + features.frames), f * features.frames);
  return { data, bins: features.bins, frames: features.frames };
}
