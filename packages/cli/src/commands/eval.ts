import type { Command } from "commander";
import { CliError } from "../errors.js";
import { ensembleFolders, note, numberOption, output, requireFolder } from "../io.js";

export interface EvalFlags {
  run: string;
  step?: number;
  asrCommand?: string;
  asr?: boolean;
  maxUtterances: number;
  maxTargets: number;
  recordings?: string;
  transcripts?: string;
  postfilter?: string;
  heldOut?: string;
  ensemble?: string;
  json?: boolean;
}

/** `vox eval`: its options, each number parsed once as the command line is read. */
export function addEvalCommand(vox: Command): void {
  vox
    .command("eval")
    .addHelpText(
      "after",
      `\nExamples:\n  $ vox eval --run runs/vctk --max-utterances 10\n  $ vox eval --run runs/vctk --recordings human/ --transcripts human/transcription`,
    )
    .description("score a run: MCD-DTW, speaker accuracy, ASR WER/CER, with baselines")
    .requiredOption("--run <dir>", "run folder")
    .option("--step <n>", "checkpoint (default: the newest)", numberOption("--step", { integer: true, min: 0 }))
    .option("--asr-command <command>", "ASR command printing the text of {wav} (default: pocketsphinx if installed)")
    .option("--no-asr", "skip WER/CER")
    .option(
      "--max-utterances <n>",
      "held-out utterances to convert",
      numberOption("--max-utterances", { integer: true, min: 1 }),
      20,
    )
    .option(
      "--max-targets <n>",
      "target speakers per utterance",
      numberOption("--max-targets", { integer: true, min: 1 }),
      4,
    )
    .option("--recordings <folder>", "also convert these recordings from outside the corpus to every voice")
    .option("--transcripts <file>", "their transcripts (id<TAB>text or Sphinx's `<s> text </s> (id)` lines)")
    .option(
      "--postfilter <name>",
      "convert with this postfilter (none, global-variance, source-energy, global-variance+source-energy, aperiodicity, source-energy+aperiodicity, source-energy+source-detail) instead of the run's",
    )
    .option(
      "--held-out <cache>",
      "convert these held-out sentences (vox prepare --split evaluation) instead of the run's validation split",
    )
    .option(
      "--ensemble <runs>",
      "also convert with these runs' generators (the same recipe and split, another seed; comma-separated), the outputs averaged",
    )
    .option("--json", "print the summary as JSON")
    .action((flags: EvalFlags) => evalCommand(flags));
}

export async function evalCommand(flags: EvalFlags): Promise<void> {
  const [{ conversionPostfilters }, { evaluateRun, formatEvalTable, parseAsrCommand }] = await Promise.all([
    import("@vox/dsp"),
    import("@vox/eval"),
  ]);
  await requireFolder(flags.run, "a vox run folder");
  if ((flags.recordings === undefined) !== (flags.transcripts === undefined)) {
    throw new CliError(
      "--recordings and --transcripts",
      "both (a folder of recordings and their transcript file)",
      `only ${flags.recordings ? "--recordings" : "--transcripts"}`,
    );
  }
  if (flags.recordings) await requireFolder(flags.recordings, "a folder of WAV/FLAC recordings");
  if (flags.heldOut) await requireFolder(flags.heldOut, "a feature cache of held-out sentences");
  const ensemble = await ensembleFolders(flags.ensemble);
  const postfilter = conversionPostfilters.find((name) => name === flags.postfilter);
  if (flags.postfilter !== undefined && postfilter === undefined) {
    throw new CliError("--postfilter", `one of ${conversionPostfilters.join(", ")}`, JSON.stringify(flags.postfilter));
  }
  const report = await evaluateRun(flags.run, {
    ...(flags.step !== undefined ? { step: flags.step } : {}),
    asr: flags.asr === false ? null : flags.asrCommand ? parseAsrCommand(flags.asrCommand) : "auto",
    maxUtterances: flags.maxUtterances,
    maxTargets: flags.maxTargets,
    ...(postfilter ? { postfilter } : {}),
    ...(flags.heldOut ? { heldOut: flags.heldOut } : {}),
    ...(ensemble.length > 0 ? { ensemble } : {}),
    ...(flags.recordings && flags.transcripts
      ? { recordings: { folder: flags.recordings, transcripts: flags.transcripts } }
      : {}),
    log: note,
  });
  output(
    flags.json === true,
    {
      step: report.step,
      ...(report.ensemble ? { ensemble: report.ensemble } : {}),
      summary: report.summary,
      pairs: report.pairs,
      outside: report.outside?.summary ?? null,
    },
    formatEvalTable(report),
  );
}
