import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { addConvertCommand } from "./commands/convert.js";
import { addDemoCommand } from "./commands/demo.js";
import { addEvalCommand } from "./commands/eval.js";
import { addExportWebCommand } from "./commands/export-web.js";
import { addInfoCommand } from "./commands/info.js";
import { addPrepareCommand } from "./commands/prepare.js";
import { addReportCommand } from "./commands/report.js";
import { addResynthesizeCommand } from "./commands/resynthesize.js";
import { addSpectrogramCommand } from "./commands/spectrogram.js";
import { addTrainCommand } from "./commands/train.js";
import { exitCode } from "./errors.js";

/** This package's version (src/ and dist/ both sit one level below package.json). */
function packageVersion(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
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
  // Each command file declares its own options (parsed once, as the line is read) and loads the packages its
  // work needs only when it runs: `vox --help` loads no TensorFlow.
  for (const add of [
    addPrepareCommand,
    addTrainCommand,
    addConvertCommand,
    addEvalCommand,
    addReportCommand,
    addSpectrogramCommand,
    addResynthesizeCommand,
    addExportWebCommand,
    addInfoCommand,
    addDemoCommand,
  ]) {
    add(vox);
  }
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
