import type { Command } from "commander";
import { output } from "../io.js";
import { resolveSpec } from "./prepare.js";

export interface SpectrogramFlags {
  out: string;
  spec: string;
  json?: boolean;
}

/** `vox spectrogram` and its options. */
export function addSpectrogramCommand(vox: Command): void {
  vox
    .command("spectrogram <wav>")
    .addHelpText("after", `\nExample:\n  $ vox spectrogram speech.wav -o speech.png --spec mel80`)
    .description("render a WAV/FLAC as a spectrogram PNG")
    .requiredOption("-o, --out <png>", "PNG to write")
    .option("--spec <name|file>", "FeatureSpec: seed, mel80, world or a JSON file", "seed")
    .option("--json", "print the result as JSON")
    .action((wav: string, flags: SpectrogramFlags) => spectrogramCommand(wav, flags));
}

export async function spectrogramCommand(input: string, flags: SpectrogramFlags): Promise<void> {
  const [{ readAudioFile }, { analyze, featuresPng }, { writeFileAtomic }] = await Promise.all([
    import("@vox/datasets"),
    import("@vox/dsp"),
    import("@vox/dsp/node"),
  ]);
  const spec = await resolveSpec(flags.spec);
  const audio = await readAudioFile(input);
  const features = analyze(audio, spec);
  // Axes, a dB colour bar, sized for reading; world features drawn as their spectral envelope.
  await writeFileAtomic(flags.out, featuresPng(features, spec));
  output(flags.json === true, { input, output: flags.out, bins: features.bins, frames: features.frames }, flags.out);
}
