import { evaluateRun, formatEvalTable, parseAsrCommand } from "@vox/eval";
import { note, output, requireFolder } from "../io.js";

export interface EvalFlags {
  run: string;
  step?: string;
  asrCommand?: string;
  asr?: boolean;
  maxUtterances?: string;
  maxTargets?: string;
  json?: boolean;
}

export async function evalCommand(flags: EvalFlags): Promise<void> {
  await requireFolder(flags.run, "a vox run folder");
  const report = await evaluateRun(flags.run, {
    ...(flags.step !== undefined ? { step: Number(flags.step) } : {}),
    asr: flags.asr === false ? null : flags.asrCommand ? parseAsrCommand(flags.asrCommand) : "auto",
    ...(flags.maxUtterances ? { maxUtterances: Number(flags.maxUtterances) } : {}),
    ...(flags.maxTargets ? { maxTargets: Number(flags.maxTargets) } : {}),
    log: note,
  });
  output(
    flags.json === true,
    { step: report.step, summary: report.summary, pairs: report.pairs },
    formatEvalTable(report),
  );
}
