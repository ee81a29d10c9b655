import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "@vox/dsp/node";
import type { SiteRun } from "./page.js";

/** The files of an exported site, relative to its folder (index.html loads vox-web.js, which fetches the rest). */
export const siteFiles = {
  page: "index.html",
  script: "vox-web.js",
  run: "run.json",
  model: "model",
  wasm: ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"],
} as const;

/** page.ts bundled for the browser as one script (its dependencies' browser-safe entries; tfjs included). */
export async function bundlePage(): Promise<string> {
  const { build } = await import("esbuild");
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = fileURLToPath(new URL(fromSource ? "./page.ts" : "./page.js", import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    globalName: "voxPage",
    platform: "browser",
    target: "es2022",
    minify: true,
    // From source (`pnpm vox`) the workspace packages resolve to their src/ as everywhere else in development.
    conditions: fromSource ? ["vox-source"] : [],
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

/** tfjs-backend-wasm's dist folder, found through @vox/models (whose dependency it is). */
function wasmFolder(): string {
  const models = createRequire(import.meta.url).resolve("@vox/models/package.json");
  return dirname(createRequire(models).resolve("@tensorflow/tfjs-backend-wasm/package.json"));
}

/**
 * Writes the site into `out` (an existing, writable folder): index.html, vox-web.js, run.json, the generator's
 * three files under model/ and tfjs-backend-wasm's binaries. Each file is written whole (atomically).
 */
export async function writeSite(out: string, run: SiteRun, generatorDir: string): Promise<string[]> {
  await mkdir(join(out, siteFiles.model), { recursive: true });
  const written: string[] = [];
  const put = async (name: string, content: string | Uint8Array) => {
    await writeFileAtomic(join(out, name), content);
    written.push(name);
  };
  await put(siteFiles.page, pageHtml(run));
  await put(siteFiles.script, await bundlePage());
  await put(siteFiles.run, `${JSON.stringify(run)}\n`);
  for (const name of ["model.json", "weights.bin", "metadata.json"]) {
    await copyFile(join(generatorDir, name), join(out, siteFiles.model, name));
    written.push(`${siteFiles.model}/${name}`);
  }
  const wasm = join(wasmFolder(), "dist");
  for (const name of siteFiles.wasm) {
    await copyFile(join(wasm, name), join(out, name));
    written.push(name);
  }
  return written;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
}

function pageHtml(run: SiteRun): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>vox: ${escapeHtml(run.name)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  #drop { border: 2px dashed #888; border-radius: 8px; padding: 2rem; text-align: center; margin: 1rem 0; }
  #drop.over { background: #eef5ff; border-color: #36c; }
  .controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
  progress { width: 100%; }
  .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
  .pair img { width: 100%; image-rendering: pixelated; border: 1px solid #ccc; }
  audio { width: 100%; }
</style>
</head>
<body>
<h1>vox voice conversion</h1>
<p id="run">${escapeHtml(run.name)}, step ${run.step}</p>
<p>Everything runs in this page: the recording is converted here and never uploaded.</p>
<div class="controls">
  <label>to voice <select id="target"></select></label>
  <input id="file" type="file" accept=".wav,.flac,audio/wav,audio/flac">
  <button id="record" type="button">record</button>
</div>
<div id="drop">drop a WAV or FLAC file here</div>
<progress id="progress" max="4" value="0"></progress>
<p id="status">loading the model...</p>
<section id="result" hidden>
  <div class="pair">
    <figure><figcaption>input (conditioned)</figcaption><audio id="input-audio" controls></audio><img id="input-spectrogram" alt="input spectrogram"></figure>
    <figure><figcaption>converted</figcaption><audio id="output-audio" controls></audio><img id="output-spectrogram" alt="converted spectrogram"></figure>
  </div>
  <p><a id="download" href="#">download the converted WAV</a></p>
</section>
<script src="${siteFiles.script}"></script>
</body>
</html>
`;
}
