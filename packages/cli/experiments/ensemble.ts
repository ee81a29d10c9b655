/**
 * Does an ensemble convert better than its members? Runs of one recipe on one split (`splitSeed`) that differ in
 * seed alone (initial weights, crops): their generators convert each held-out sentence and the converted rows are
 * averaged (evaluateRun's `ensemble`), scored like the sweep (10 held-out sentences x 4 targets, and the human
 * reader of Debian's pocketsphinx-testdata to all five voices). The first run's folder is copied to <out> (its
 * config, statistics and checkpoints, not its eval/) so that the ensemble's eval report does not replace the run's.
 *
 *   npx tsx --conditions vox-source experiments/ensemble.ts <out> <postfilter> <run> <run> [<run> ...]
 */
import { cp, rm } from "node:fs/promises";
import { basename } from "node:path";
import type { ConversionPostfilter } from "@vox/dsp";
import { evaluateRun } from "@vox/eval";
import { humanRecordings } from "../src/commands/demo.js";

const [out, postfilter, first, ...members] = process.argv.slice(2);
if (!out || !postfilter || !first || members.length === 0) {
  throw new Error("usage: ensemble.ts <out> <postfilter> <run> <run> [<run> ...]");
}
await rm(out, { recursive: true, force: true });
await cp(first, out, { recursive: true, filter: (path) => basename(path) !== "eval" });
const report = await evaluateRun(out, {
  maxUtterances: 10,
  maxTargets: 4,
  postfilter: postfilter as ConversionPostfilter,
  recordings: humanRecordings,
  ensemble: members,
  log: () => {},
});
const lines = ["system\tMCD\tMCD24\t→target\tWER"];
for (const s of report.summary) {
  lines.push(
    `${s.system}\t${s.mcd?.toFixed(2)}\t${s.mcdWorld?.toFixed(2)}\t${s.targetAccuracy.toFixed(3)}\t${s.wer?.toFixed(3)}`,
  );
}
for (const s of report.outside?.summary ?? []) {
  lines.push(`human ${s.system}\t\t\t${s.targetAccuracy.toFixed(3)}\t${s.wer?.toFixed(3)}`);
}
process.stdout.write(`${[first, ...members].join(" + ")}\n${lines.join("\n")}\n`);
