import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { PageConversion } from "./page.js";

// Drives an exported site the way a user's browser loads it (served over HTTP from 127.0.0.1, in Debian's
// headless Chromium): for the export-web test and the @vox/cli bench, not part of the CLI.

export const chromiumPath = "/usr/bin/chromium";

const types: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** A static server of `root` on 127.0.0.1 (a free port); `close` stops it. */
export async function serveFolder(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent((request.url ?? "/").split("?")[0] ?? "/")));
    const file = path.endsWith("/") ? join(path, "index.html") : path;
    if (!file.startsWith(normalize(root))) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) =>
        response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The site open in headless Chromium, its model loaded (the status line says "ready"); page errors collected. */
export async function openSite(url: string): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(
    () => /^(ready|could not)/.test(document.getElementById("status")?.textContent ?? ""),
    null,
    {
      timeout: 120_000,
    },
  );
  return { browser, page, errors };
}

/** A file's bytes converted in the page by the drop handler's function; the audio and the page's own timing. */
export async function convertInPage(
  page: Page,
  bytes: Uint8Array,
  name: string,
  target: string,
): Promise<{ samples: Float32Array; source: string; seconds: number; sampleRate: number }> {
  const result = await page.evaluate(
    async ({ bytes, name, target }) => {
      const site = (globalThis as unknown as { voxPage: typeof import("./page.js") }).voxPage;
      const out: PageConversion = await site.convertBytes(Uint8Array.from(bytes), name, target);
      return { samples: Array.from(out.samples), source: out.source, seconds: out.seconds, sampleRate: out.sampleRate };
    },
    { bytes: Array.from(bytes), name, target },
  );
  return { ...result, samples: Float32Array.from(result.samples) };
}
