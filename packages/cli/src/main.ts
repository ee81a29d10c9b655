import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { exitCode } from "./errors.js";

/** Lazy-loaded subcommands: `vox info` does not load TensorFlow's training code, `vox --help` loads nothing. */
const load = {
  prepare: () => import("./commands/prepare.js"),
  train: () => import("./commands/train.js"),
  convert: () => import("./commands/convert.js"),
  eval: () => import("./commands/eval.js"),
  report: () => import("./commands/report.js"),
  spectrogram: () => import("./commands/spectrogram.js"),
  resynthesize: () => import("./commands/resynthesize.js"),
  info: () => import("./commands/info.js"),
  demo: () => import("./commands/demo.js"),
};

/** This package's version (src/ and dist/ both sit one level below package.json). */
function packageVersion(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function program(): Command {
  const vox = new Command("vox")
    .description("Many-to-many voice conversion with StarGAN: prepare a corpus, train, convert, evaluate, report")
    .version(packageVersion(), "-V, --version", "print vox's version")
    .option("--verbose", "print stack traces of errors")
    .exitOverride()
    .showHelpAfterError()
    .addHelpText(
      "after",
      "\nExample:\n  $ vox demo   # the whole pipeline on the shipped demo corpus\n  $ vox train --help",
    );
  vox
    .command("prepare <corpus>")
    .addHelpText(
      "after",
      `\nExample:\n  $ vox prepare ~/corpora/VCTK-Corpus --out data/vctk --spec world --exclude p315`,
    )
    .description("detect a corpus layout, decode, resample, trim, analyse, and write a feature cache")
    .requiredOption("--out <cache>", "feature cache folder")
    .option("--spec <name|file>", "FeatureSpec: seed, mel80, world or a JSON file", "mel80")
    .option("--workers <n>", "worker threads (0: in this thread)")
    .option("--include <speakers>", "only these speakers (comma-separated)")
    .option("--exclude <speakers>", "all speakers but these (comma-separated)")
    .option("--layout <name>", "read the corpus as this layout: vctk, vcc, jvs, cmu-arctic, libritts or folder")
    .option("--split <name>", "published split (VCC, LibriTTS): train (default), evaluation or all")
    .option("--dtype <type>", "float32 or float16 feature files")
    .option("--overwrite", "replace a cache made with another FeatureSpec or settings")
    .option("--json", "print the summary as JSON")
    .action(async (corpus, flags) => (await load.prepare()).prepareCommand(corpus, flags));
  vox
    .command("train")
    .addHelpText(
      "after",
      `\nExamples:\n  $ vox train --data data/vctk --preset tiny-cepstral --run runs/vctk --steps 2000 --set lambda.identity=5\n  $ vox train --data data/vctk --preset stargan-vc --run runs/vc --dry-run\n  $ vox train --resume runs/vctk --steps 4000`,
    )
    .description("train a StarGAN on a feature cache (or resume a run)")
    .option("--data <cache>", "feature cache from vox prepare")
    .option(
      "--preset <name>",
      "seed-31f31449, stargan-2018, stargan-vc, stargan-vc2, tiny, tiny-vc2, temporal or tiny-cepstral",
      "tiny",
    )
    .option("--run <dir>", "run folder to create")
    .option("--resume <dir>", "continue a run from its newest checkpoint")
    .option("--config <file>", "JSON TrainConfig fields over the preset's")
    .option("--set <path=value>", "override a config field (repeatable), e.g. --set lambda.identity=5", collect)
    .option("--steps <n>", "generator steps")
    .option("--backend <name>", "tensorflow-gpu, tensorflow, wasm or cpu")
    .option("--dry-run", "print the resolved config (and, with --data, the model and total steps) and exit")
    .option("--json", "print the result as JSON")
    .action(async (flags) => (await load.train()).trainCommand(flags));
  vox
    .command("convert <inputs...>")
    .addHelpText("after", `\nExample:\n  $ vox convert --run runs/vctk --to p231 speech.wav recordings/ -o converted/`)
    .description("convert WAV/FLAC files or folders of them to a speaker")
    .requiredOption("--run <dir>", "trained run folder")
    .requiredOption("--to <speaker>", "target speaker")
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--from <speaker>", "source speaker (default: the run speaker whose feature statistics fit best)")
    .option("--step <n>", "checkpoint (default: the newest)")
    .addOption(new Option("--gl-iterations <n>", "Griffin-Lim iterations (default: the FeatureSpec's)"))
    .addOption(new Option("--gl-momentum <m>", "Griffin-Lim momentum (default: the FeatureSpec's)"))
    .option("--json", "print the written files as JSON")
    .action(async (inputs, flags) => (await load.convert()).convertCommand(inputs, flags));
  vox
    .command("eval")
    .addHelpText(
      "after",
      `\nExamples:\n  $ vox eval --run runs/vctk --max-utterances 10\n  $ vox eval --run runs/vctk --recordings human/ --transcripts human/transcription`,
    )
    .description("score a run: MCD-DTW, speaker accuracy, ASR WER/CER, with baselines")
    .requiredOption("--run <dir>", "run folder")
    .option("--step <n>", "checkpoint (default: the newest)")
    .option("--asr-command <command>", "ASR command printing the text of {wav} (default: pocketsphinx if installed)")
    .option("--no-asr", "skip WER/CER")
    .option("--max-utterances <n>", "held-out utterances to convert", "20")
    .option("--max-targets <n>", "target speakers per utterance", "4")
    .option("--recordings <folder>", "also convert these recordings from outside the corpus to every voice")
    .option("--transcripts <file>", "their transcripts (id<TAB>text or Sphinx's `<s> text </s> (id)` lines)")
    .option(
      "--postfilter <name>",
      "convert with this postfilter (none, global-variance, source-energy, global-variance+source-energy) instead of the run's",
    )
    .option(
      "--held-out <cache>",
      "convert these held-out sentences (vox prepare --split evaluation) instead of the run's validation split",
    )
    .option("--json", "print the summary as JSON")
    .action(async (flags) => (await load.eval()).evalCommand(flags));
  vox
    .command("report <run>")
    .addHelpText("after", `\nExample:\n  $ vox report runs/vctk   # runs/vctk/report.html and report.md`)
    .description("write the experiment record: report.html and report.md in the run folder")
    .option("--json", "print the paths as JSON")
    .action(async (run, flags) => {
      await (await load.report()).reportCommand(run, flags);
    });
  vox
    .command("spectrogram <wav>")
    .addHelpText("after", `\nExample:\n  $ vox spectrogram speech.wav -o speech.png --spec mel80`)
    .description("render a WAV/FLAC as a spectrogram PNG")
    .requiredOption("-o, --out <png>", "PNG to write")
    .option("--spec <name|file>", "FeatureSpec: seed, mel80, world or a JSON file", "seed")
    .option("--json", "print the result as JSON")
    .action(async (wav, flags) => (await load.spectrogram()).spectrogramCommand(wav, flags));
  vox
    .command("resynthesize <inputs...>")
    .addHelpText("after", `\nExample:\n  $ vox resynthesize speech.wav recordings/ --spec world -o resynthesized/`)
    .description("analyse and resynthesise WAV/FLAC files through a FeatureSpec: the ceiling of a representation")
    .requiredOption("--spec <name|file>", "FeatureSpec: seed, mel80, world or a JSON file")
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--json", "print the written files as JSON")
    .action(async (inputs, flags) => (await load.resynthesize()).resynthesizeCommand(inputs, flags));
  vox
    .command("info")
    .addHelpText("after", `\nExample:\n  $ vox info --json`)
    .description("the backend found, presets, versions")
    .option("--json", "print as JSON")
    .action(async (flags) => (await load.info()).infoCommand(flags));
  vox
    .command("demo")
    .addHelpText("after", `\nExample:\n  $ vox demo --out out/demo`)
    .description("prepare the shipped demo corpus, train tiny, convert, evaluate and report (a few minutes on 2 cores)")
    .option("--out <dir>", "where the demo's cache and run go", "out/demo")
    .option("--steps <n>", "training steps (default: the demo recipe's)")
    .option("--no-asr", "skip WER/CER even when pocketsphinx is installed")
    .option("--json", "print the result as JSON")
    .action(async (flags) => (await load.demo()).demoCommand(flags));
  return vox;
}

/** Runs the CLI; returns the exit code (0, 1 user error, 2 internal error) instead of exiting. */
export async function main(argv: string[]): Promise<number> {
  const vox = program();
  try {
    await vox.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const verbose = argv.includes("--verbose");
    const code = await exitCode(error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`vox: ${code === 2 ? "internal error: " : ""}${message}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else if (code === 2) process.stderr.write("(run again with --verbose for the stack trace)\n");
    return code;
  }
}
