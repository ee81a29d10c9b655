import { readAudioFile } from "@vox/datasets";
import { analyze, renderSpectrogramPng } from "@vox/dsp";
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
  await writeFileAtomic(
    flags.out,
    renderSpectrogramPng(features, spec.unitScale ? { min: 0, max: 1 } : { min: spec.floorDb, max: 0 }),
  );
  output(flags.json === true, { input, output: flags.out, bins: features.bins, frames: features.frames }, flags.out);
}
