import { readFile } from "node:fs/promises";
import type { CorpusLayout, CorpusSplitChoice } from "@vox/datasets";
import type { FeatureSpec } from "@vox/dsp";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { note, numberOption, output } from "../io.js";

export interface PrepareFlags {
  out: string;
  spec: string;
  workers?: number;
  include?: string;
  exclude?: string;
  dtype?: string;
  layout?: string;
  split?: string;
  overwrite?: boolean;
  json?: boolean;
}

/** `vox prepare`: its options, each number parsed once as the command line is read. */
export function addPrepareCommand(vox: Command): void {
  vox
    .command("prepare <corpus>")
    .addHelpText(
      "after",
      `\nExample:\n  $ vox prepare ~/corpora/VCTK-Corpus --out data/vctk --spec world --exclude p315`,
    )
    .description("detect a corpus layout, decode, resample, trim, analyse, and write a feature cache")
    .requiredOption("--out <cache>", "feature cache folder")
    .option("--spec <name|file>", "FeatureSpec: seed, mel80, world or a JSON file", "mel80")
    .option("--workers <n>", "worker threads (0: in this thread)", numberOption("--workers", { integer: true, min: 0 }))
    .option("--include <speakers>", "only these speakers (comma-separated)")
    .option("--exclude <speakers>", "all speakers but these (comma-separated)")
    .option("--layout <name>", "read the corpus as this layout: vctk, vcc, jvs, cmu-arctic, libritts or folder")
    .option("--split <name>", "published split (VCC, LibriTTS): train (default), evaluation or all")
    .option("--dtype <type>", "float32 or float16 feature files")
    .option("--overwrite", "replace a cache made with another FeatureSpec or settings")
    .option("--json", "print the summary as JSON")
    .action((corpus: string, flags: PrepareFlags) => prepareCommand(corpus, flags));
}

/** `seed`, `mel80`, `world` or a FeatureSpec JSON file. */
export async function resolveSpec(name: string): Promise<FeatureSpec> {
  const { featureSpecs, parseFeatureSpec } = await import("@vox/dsp");
  if (name in featureSpecs) return featureSpecs[name as keyof typeof featureSpecs];
  let text: string;
  try {
    text = await readFile(name, "utf8");
  } catch {
    throw new CliError("--spec", "seed, mel80, world or a FeatureSpec JSON file", JSON.stringify(name));
  }
  return parseFeatureSpec(text, name);
}

function list(value: string | undefined): string[] | undefined {
  return value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

export async function prepareCommand(corpusPath: string, flags: PrepareFlags): Promise<void> {
  const { corpusLayouts, corpusSplits, prepareFeatures, readCorpus, stderrProgress } = await import("@vox/datasets");
  const spec = await resolveSpec(flags.spec);
  const { workers } = flags;
  if (flags.dtype && flags.dtype !== "float32" && flags.dtype !== "float16") {
    throw new CliError("--dtype", "float32 or float16", flags.dtype);
  }
  const include = list(flags.include);
  const exclude = list(flags.exclude);
  if (flags.layout !== undefined && !(corpusLayouts as readonly string[]).includes(flags.layout)) {
    throw new CliError("--layout", `one of ${corpusLayouts.join(", ")}`, JSON.stringify(flags.layout));
  }
  if (flags.split !== undefined && !(corpusSplits as readonly string[]).includes(flags.split)) {
    throw new CliError("--split", `one of ${corpusSplits.join(", ")}`, JSON.stringify(flags.split));
  }
  const corpus = await readCorpus(corpusPath, {
    ...(include ? { include } : {}),
    ...(exclude ? { exclude } : {}),
    ...(flags.layout ? { layout: flags.layout as CorpusLayout } : {}),
    ...(flags.split ? { split: flags.split as CorpusSplitChoice } : {}),
  });
  note(
    `prepare: ${corpus.layout} corpus at ${corpus.root}, ${corpus.speakers.length} speakers, ${corpus.utterances.length} files${corpus.split && corpus.split !== "all" ? ` (its ${corpus.split} split)` : ""}`,
  );
  for (const folder of corpus.skipped ?? []) note(`skipped ${folder.path}: ${folder.reason}`);
  const summary = await prepareFeatures(corpus, spec, flags.out, {
    ...(workers !== undefined ? { workers } : {}),
    ...(flags.dtype ? { dtype: flags.dtype as "float32" | "float16" } : {}),
    overwrite: flags.overwrite === true,
    onProgress: flags.json ? undefined : stderrProgress("prepare"),
  });
  for (const failure of summary.failures) note(`skipped ${failure.path}: ${failure.error}`);
  if (summary.index.utterances.length === 0) {
    const first = summary.failures[0];
    throw new CliError(
      corpusPath,
      "at least one usable utterance",
      `none (${summary.failures.length} of ${corpus.utterances.length} files failed${first ? `; the first, ${first.path}: ${first.error}` : ""})`,
    );
  }
  const result = {
    cache: summary.cacheDir,
    processed: summary.processed,
    reused: summary.reused,
    removed: summary.removed,
    failed: summary.failures.length,
    seconds: Number(summary.elapsedSeconds.toFixed(2)),
    speakers: summary.index.speakers.length,
    utterances: summary.index.utterances.length,
  };
  output(
    flags.json === true,
    { ...result, failures: summary.failures },
    `${result.cache}: ${result.utterances} utterances of ${result.speakers} speakers (${result.processed} processed, ${result.reused} reused, ${result.failed} failed) in ${result.seconds} s`,
  );
}
