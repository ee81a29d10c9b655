import { join } from "node:path";
import type { Command } from "commander";
import { output, requireFolder } from "../io.js";

/** `vox report` and its options. */
export function addReportCommand(vox: Command): void {
  vox
    .command("report <run>")
    .addHelpText("after", `\nExample:\n  $ vox report runs/vctk   # runs/vctk/report.html and report.md`)
    .description("write the experiment record: report.html and report.md in the run folder")
    .option("--json", "print the paths as JSON")
    .action(async (run: string, flags: { json?: boolean }) => {
      await reportCommand(run, flags);
    });
}

export async function reportCommand(runDir: string, flags: { json?: boolean }, print = true): Promise<string> {
  const [{ writeFileAtomic }, { collectRun }, { renderHtml }, { renderMarkdown }] = await Promise.all([
    import("@vox/dsp/node"),
    import("../report/collect.js"),
    import("../report/html.js"),
    import("../report/markdown.js"),
  ]);
  const root = await requireFolder(runDir, "a vox run folder");
  const run = await collectRun(root);
  const html = join(root, "report.html");
  const markdown = join(root, "report.md");
  await writeFileAtomic(html, await renderHtml(run));
  await writeFileAtomic(markdown, renderMarkdown(run));
  if (print) output(flags.json === true, { html, markdown }, html);
  return html;
}
