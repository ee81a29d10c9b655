import { type RunSummary, formatDuration, trainingSeconds } from "./collect.js";
import { flatten } from "./html.js";

const number = (v: number | null, digits = 2) => (v === null ? "-" : v.toFixed(digits));

/** The markdown twin of the HTML record (links instead of embedded images and players). */
export function renderMarkdown(run: RunSummary): string {
  const { record } = run;
  const lines = [
    `# vox report: ${run.name}`,
    "",
    `- preset: ${record.config.preset}`,
    `- steps: ${run.metrics[run.metrics.length - 1]?.step ?? 0} of ${record.totalSteps}`,
    `- training time: ${formatDuration(trainingSeconds(run))}`,
    `- speakers: ${record.speakers.length}`,
    `- parameters: generator ${run.parameters.generator ?? "-"}, discriminator ${run.parameters.discriminator ?? "-"}`,
    "",
  ];
  const last = run.metrics[run.metrics.length - 1];
  if (last) {
    lines.push(`## Losses at step ${last.step}`, "", "| loss | value |", "|---|---|");
    for (const [k, v] of Object.entries(last.losses)) lines.push(`| ${k} | ${v.toFixed(4)} |`);
    lines.push("");
  }
  if (run.evaluation) {
    lines.push(`## Objective scores (step ${run.evaluation.step}, ASR: ${run.evaluation.asr ?? "none"})`, "");
    const members = run.evaluation.ensemble;
    if (members)
      lines.push(`"converted" is an ensemble: this run's generator and ${members.join(", ")}, averaged.`, "");
    const table = (summary: typeof run.evaluation.summary) => {
      lines.push(
        "| system | items | MCD dB | MCD24 dB | as target | as source | WER | CER |",
        "|---|---|---|---|---|---|---|---|",
      );
      for (const s of summary) {
        lines.push(
          `| ${s.system} | ${s.items} | ${number(s.mcd)} | ${number(s.mcdWorld ?? null)} | ${number(s.targetAccuracy)} | ${number(s.sourceAccuracy)} | ${number(s.wer)} | ${number(s.cer)} |`,
        );
      }
      lines.push("");
    };
    table(run.evaluation.summary);
    const outside = run.evaluation.outside;
    if (outside) {
      lines.push(`### Recordings from outside the corpus (${outside.recordings}, ${outside.folder})`, "");
      table(outside.summary);
      // Reports written before the per-voice table have none.
      const voices = Object.entries(outside.voices ?? {});
      if (voices.length) {
        lines.push("| to voice | converted as target | WER | shift as target | WER |", "|---|---|---|---|---|");
        for (const [voice, { converted, shift }] of voices) {
          lines.push(
            `| ${voice} | ${number(converted.targetAccuracy)} | ${number(converted.wer)} | ${number(shift.targetAccuracy)} | ${number(shift.wer)} |`,
          );
        }
        lines.push("");
      }
    }
  }
  if (run.samples) {
    lines.push(`## Samples at step ${run.samples.step}`, "");
    for (const f of run.samples.files) lines.push(`- [${f.split("/").pop()}](${f})`);
    lines.push("");
  }
  lines.push(
    "## Training config",
    "",
    "| field | value |",
    "|---|---|",
    ...flatten(record.config).map(([k, v]) => `| ${k} | ${v} |`),
    "",
  );
  return lines.join("\n");
}
