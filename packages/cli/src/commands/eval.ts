import { type ConversionPostfilter, conversionPostfilters } from "@vox/dsp";
import { evaluateRun, formatEvalTable, parseAsrCommand } from "@vox/eval";
import { CliError } from "../errors.js";
import { note, output, requireFolder, numberFlag } from "../io.js";

export interface EvalFlags {
  run: string;
  step?: string;
  asrCommand?: string;
  asr?: boolean;
  maxUtterances?: string;
  maxTargets?: string;
  recordings?: string;
  transcripts?: string;
  postfilter?: string;
  heldOut?: string;
  json?: boolean;
}

export async function evalCommand(flags: EvalFlags): Promise<void> {
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
  if (flags.postfilter !== undefined && !(conversionPostfilters as readonly string[]).includes(flags.postfilter)) {
    throw new CliError("--postfilter", `one of ${conversionPostfilters.join(", ")}`, JSON.stringify(flags.postfilter));
  }
  const report = await evaluateRun(flags.run, {
    ...(flags.step !== undefined ? { step: numberFlag("--step", flags.step, { integer: true, min: 0 }) } : {}),
    asr: flags.asr === false ? null : flags.asrCommand ? parseAsrCommand(flags.asrCommand) : "auto",
    ...(flags.maxUtterances
      ? { maxUtterances: numberFlag("--max-utterances", flags.maxUtterances, { integer: true, min: 1 }) }
      : {}),
    ...(flags.maxTargets
      ? { maxTargets: numberFlag("--max-targets", flags.maxTargets, { integer: true, min: 1 }) }
      : {}),
    ...(flags.postfilter ? { postfilter: flags.postfilter as ConversionPostfilter } : {}),
    ...(flags.heldOut ? { heldOut: flags.heldOut } : {}),
    ...(flags.recordings && flags.transcripts
      ? { recordings: { folder: flags.recordings, transcripts: flags.transcripts } }
      : {}),
    log: note,
  });
  output(
    flags.json === true,
    { step: report.step, summary: report.summary, pairs: report.pairs, outside: report.outside?.summary ?? null },
    formatEvalTable(report),
  );
}
