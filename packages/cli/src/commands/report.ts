import { join } from "node:path";
import { writeFileAtomic } from "@vox/dsp/node";
import { output, requireFolder } from "../io.js";
import { collectRun } from "../report/collect.js";
import { renderHtml } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";

export async function reportCommand(runDir: string, flags: { json?: boolean }, print = true): Promise<string> {
  const root = await requireFolder(runDir, "a vox run folder");
  const run = await collectRun(root);
  const html = join(root, "report.html");
  const markdown = join(root, "report.md");
  await writeFileAtomic(html, await renderHtml(run));
  await writeFileAtomic(markdown, renderMarkdown(run));
  if (print) output(flags.json === true, { html, markdown }, html);
  return html;
}
