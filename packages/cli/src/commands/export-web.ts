import { basename } from "node:path";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { note, numberOption, output, requireFolder, writableFolder } from "../io.js";
import { checkpointDir, speakerStatistics } from "./convert.js";

export interface ExportWebFlags {
  run: string;
  out: string;
  step?: number;
  json?: boolean;
}

/** `vox export-web` and its options. */
export function addExportWebCommand(vox: Command): void {
  vox
    .command("export-web")
    .addHelpText(
      "after",
      `\nExample:\n  $ vox export-web --run runs/vctk -o site/   # then serve site/ (e.g. python3 -m http.server -d site)`,
    )
    .description("write a static page that converts a dropped or recorded file with a run's generator, in the browser")
    .requiredOption("--run <dir>", "trained run folder")
    .requiredOption("-o, --out <site>", "folder to write the site into")
    .option("--step <n>", "checkpoint (default: the newest)", numberOption("--step", { integer: true, min: 0 }))
    .option("--json", "print the written files as JSON")
    .action((flags: ExportWebFlags) => exportWebCommand(flags));
}

/**
 * The site: index.html and one script (vox-web.js) that load the generator, the run's statistics and the wasm
 * backend from beside them and convert in the page with the same functions as `vox convert`.
 */
export async function exportWebCommand(flags: ExportWebFlags): Promise<void> {
  const [{ readModelMetadata }, { openRunConversion, readRunRecord }, { writeSite }] = await Promise.all([
    import("@vox/models/node"),
    import("@vox/train/run"),
    import("../web/site.js"),
  ]);
  const root = await requireFolder(flags.run, "a vox run folder");
  const { dir: generator, step } = await checkpointDir(root, flags.step);
  const [metadata, record] = await Promise.all([readModelMetadata(generator), readRunRecord(root)]).catch(
    (error: unknown) => {
      throw new CliError(flags.run, "a vox run folder", (error as Error).message);
    },
  );
  const conversion = await openRunConversion(root, {
    ...record,
    featureSpec: metadata.featureSpec,
    speakers: metadata.speakers,
  });
  const out = await writableFolder(flags.out);
  const files = await writeSite(
    out,
    {
      name: basename(root),
      step,
      speakers: metadata.speakers,
      statistics: conversion.statistics,
      known: await speakerStatistics(record, conversion),
      postfilter: record.config.postfilter,
    },
    generator,
  );
  note(`export-web: ${root} (step ${step}) -> ${out}: serve the folder over HTTP and open index.html`);
  output(flags.json === true, { site: out, step, files }, out);
}
