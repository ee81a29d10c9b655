import { join } from "node:path";
import type { Command } from "commander";
import { audioInputs, note, output, uniqueStems, writableFolder } from "../io.js";
import { resolveSpec } from "./prepare.js";

export interface ResynthesizeFlags {
  spec: string;
  out: string;
  json?: boolean;
}

/** `vox resynthesize` and its options. */
export function addResynthesizeCommand(vox: Command): void {
  vox
    .command("resynthesize <inputs...>")
    .addHelpText("after", `\nExample:\n  $ vox resynthesize speech.wav recordings/ --spec world -o resynthesized/`)
    .description("analyse and resynthesise WAV/FLAC files through a FeatureSpec: the ceiling of a representation")
    .requiredOption("--spec <name|file>", "FeatureSpec: seed, mel80, world or a JSON file")
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--json", "print the written files as JSON")
    .action((inputs: string[], flags: ResynthesizeFlags) => resynthesizeCommand(inputs, flags));
}

/**
 * Copy-synthesis: each file analysed and synthesised through a FeatureSpec with nothing converted (resampled
 * and loudness-normalised as `vox prepare` and `vox convert` do), so a researcher hears the ceiling of a
 * representation before training on it. Writes `<name>.<spec>.wav`.
 */
export async function resynthesizeCommand(inputs: string[], flags: ResynthesizeFlags): Promise<void> {
  const [{ readConditionedAudio }, { analyze, synthesize }, { writeWavFile }] = await Promise.all([
    import("@vox/datasets"),
    import("@vox/dsp"),
    import("@vox/dsp/node"),
  ]);
  const files = await audioInputs(inputs);
  const spec = await resolveSpec(flags.spec);
  const outDir = await writableFolder(flags.out);
  const label = /^[\w-]+$/.test(flags.spec) ? flags.spec : spec.kind;
  const names = uniqueStems(files);
  const results = [];
  for (const [i, file] of files.entries()) {
    const signal = await readConditionedAudio(file, spec.sampleRate);
    const started = performance.now();
    const features = analyze(signal, spec);
    const samples = synthesize(features, spec, { length: signal.length });
    const seconds = (performance.now() - started) / 1000;
    const path = join(outDir, `${names[i]}.${label}.wav`);
    await writeWavFile(path, samples, spec.sampleRate);
    const duration = signal.length / spec.sampleRate;
    results.push({ input: file, output: path, seconds: duration, realTimeFactor: seconds / duration });
    note(`resynthesize: ${file} -> ${path} (${duration.toFixed(2)} s of audio in ${seconds.toFixed(2)} s)`);
  }
  output(flags.json === true, results, results.map((r) => r.output).join("\n"));
}
