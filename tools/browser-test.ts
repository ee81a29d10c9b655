import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium, which .ci/run installs; a developer machine without it skips the browser tests, CI never does. */
export const chromiumPath = "/usr/bin/chromium";

/**
 * A package's entry (a URL or path of its src/ .ts file) bundled for the browser platform as an application's
 * bundler would, as one script defining `globalName`. esbuild refuses a `node:` import on this platform, so a
 * bundle at all says the entry is browser-safe.
 */
export async function browserBundle(entry: URL | string, globalName: string): Promise<string> {
  const result = await build({
    entryPoints: [typeof entry === "string" ? entry : fileURLToPath(entry)],
    bundle: true,
    format: "iife",
    globalName,
    platform: "browser",
    // The workspace packages resolve to their src/, as everywhere in development.
    conditions: ["vox-source"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

/** Headless Chromium for the packages' browser tests. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
