import { readAudioFile } from "@vox/datasets";
import { analyze, featuresPng } from "@vox/dsp";
import { writeFileAtomic } from "@vox/dsp/node";
import { output } from "../io.js";
import { resolveSpec } from "./prepare.js";

export async function spectrogramCommand(
  input: string,
  flags: { out: string; spec: string; json?: boolean },
): Promise<void> {
  const spec = await resolveSpec(flags.spec);
  const audio = await readAudioFile(input);
  const features = analyze(audio, spec);
  // Axes, a dB colour bar, sized for reading; world features drawn as their spectral envelope.
  await writeFileAtomic(flags.out, featuresPng(features, spec));
  output(flags.json === true, { input, output: flags.out, bins: features.bins, frames: features.frames }, flags.out);
}
