export { CliError, exitCode, isUserError } from "./errors.js";
export { main, program } from "./main.js";
export { collectRun, type RunSummary } from "./report/collect.js";
export { renderHtml } from "./report/html.js";
export { renderMarkdown } from "./report/markdown.js";
