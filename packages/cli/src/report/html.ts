import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type RunSummary, formatDuration, trainingSeconds } from "./collect.js";
import { lossChart } from "./svg.js";

function escapeHtml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`;
}

/** Flattens nested config objects into dotted keys. */
export function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, JSON.stringify(value)]];
}

const number = (v: number | null, digits = 2) => (v === null ? "-" : v.toFixed(digits));

/**
 * The experiment record as one self-contained HTML page: no scripts or stylesheets to fetch, spectrograms embedded
 * as data URIs, audio players pointing at the run folder's own WAVs (relative paths: the folder can be copied).
 */
export async function renderHtml(run: RunSummary): Promise<string> {
  const { record } = run;
  const losses = [...new Set(run.metrics.flatMap((m) => Object.keys(m.losses)))];
  const png = async (relative: string) =>
    `data:image/png;base64,${(await readFile(join(run.root, relative))).toString("base64")}`;
  const sections: string[] = [];
  sections.push(
    `<h1>vox report: ${escapeHtml(run.name)}</h1>`,
    table([
      ["preset", record.config.preset],
      ["created", record.createdAt],
      ["backend", run.training?.backend ?? record.config.backend ?? "default"],
      ["steps", `${run.metrics[run.metrics.length - 1]?.step ?? 0} of ${record.totalSteps}`],
      ["training time", formatDuration(trainingSeconds(run))],
      [
        "speakers",
        `${record.speakers.length}: ${record.speakers.slice(0, 20).join(", ")}${record.speakers.length > 20 ? ", ..." : ""}`,
      ],
      ["generator parameters (incl. norm statistics)", run.parameters.generator?.toLocaleString("en-US") ?? "-"],
      ["discriminator parameters", run.parameters.discriminator?.toLocaleString("en-US") ?? "-"],
      ["feature cache", record.data],
    ]),
  );
  sections.push(
    "<h2>Loss curves</h2>",
    losses.length
      ? `<div class="charts">${losses.map((l) => lossChart(run.metrics, l)).join("")}</div>`
      : "<p>No metrics yet.</p>",
  );
  if (run.evaluation) {
    const e = run.evaluation;
    sections.push(
      `<h2>Objective scores (step ${e.step})</h2>`,
      `<p>MCD-DTW in dB over mel-cepstra c1..c24 against the target speaker's real utterance of the same sentence (MCD: vox's 40-band mel-cepstrum; MCD24: the StarGAN-VC papers' world mel-cepstrum, alpha 0.42); "mean/variance shift" converts by per-row statistics alone, learning nothing; speaker accuracy by an independent classifier of frames (a GMM per speaker over mel-cepstra and deltas, trained on the real training utterances); WER/CER by ${escapeHtml(e.asr ?? "no ASR (install pocketsphinx or pass --asr-command)")}.${e.ensemble ? ` "converted" is an ensemble: this run's generator and ${e.ensemble.length} more (${e.ensemble.map(escapeHtml).join(", ")}), their outputs averaged.` : ""}</p>`,
      scoreTable(e.summary),
      ...(e.outside
        ? [
            `<h3>Recordings from outside the corpus (${e.outside.recordings}, ${escapeHtml(e.outside.folder)}), each converted to every voice</h3>`,
            scoreTable(e.outside.summary),
            voiceTable(e.outside.voices),
          ]
        : []),
    );
    const examples = e.items.filter((i) => i.system === "converted").slice(0, 6);
    if (examples.length) {
      // The target's real clip is its own utterance of the same sentence: found by speaker and text, not by id.
      const wavOf = (system: string, item: (typeof examples)[number]) =>
        e.items.find((i) =>
          system === "target"
            ? i.system === "target" && i.target === item.target && i.transcript === item.transcript
            : i.system === system && i.utterance === item.utterance && i.target === item.target,
        )?.wav;
      sections.push(
        "<h3>Listen: source, converted, target</h3>",
        `<table class="audio"><tr><th>utterance</th><th>to</th><th>source</th><th>converted</th><th>mean/variance shift</th><th>target (real)</th></tr>${examples
          .map((item) => {
            const cells = [
              wavOf("source", item),
              item.wav,
              wavOf("mean/variance shift", item),
              wavOf("target", item),
            ].map((w) =>
              w ? `<td><audio controls preload="none" src="${escapeHtml(w)}"></audio></td>` : "<td>-</td>",
            );
            return `<tr><td>${escapeHtml(item.utterance)}${item.transcript ? `<br><small>${escapeHtml(item.transcript)}</small>` : ""}</td><td>${escapeHtml(item.target)}</td>${cells.join("")}</tr>`;
          })
          .join("")}</table>`,
      );
    }
  }
  if (run.samples) {
    const pngs = run.samples.files.filter((f) => f.endsWith(".png"));
    const figures = await Promise.all(
      pngs.map(async (f) => {
        const wav = f.replace(/\.png$/, ".wav");
        const name =
          f
            .split("/")
            .pop()
            ?.replace(/\.png$/, "") ?? f;
        return `<figure><img alt="${escapeHtml(name)}" src="${await png(f)}"><figcaption>${escapeHtml(name)}</figcaption>${run.samples?.files.includes(wav) ? `<audio controls preload="none" src="${escapeHtml(wav)}"></audio>` : ""}</figure>`;
      }),
    );
    sections.push(`<h2>Samples at step ${run.samples.step}</h2>`, `<div class="samples">${figures.join("")}</div>`);
  }
  sections.push(
    "<h2>Training config</h2>",
    table(flatten(record.config)),
    "<h2>FeatureSpec</h2>",
    table(flatten(record.featureSpec)),
  );
  const style = [
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}",
    "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}",
    ".charts{display:flex;flex-wrap:wrap;gap:8px}.samples{display:flex;flex-wrap:wrap;gap:12px}",
    "figure{margin:0}figure img{max-width:100%;image-rendering:pixelated;display:block}figcaption{font-size:12px}",
    "audio{width:220px}",
  ].join("");
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>vox report: ${escapeHtml(run.name)}</title><style>${style}</style></head><body>${sections.join("\n")}</body></html>\n`;
}

/** Outside recordings per target voice (absent from reports written before it was added). */
function voiceTable(
  voices: NonNullable<NonNullable<RunSummary["evaluation"]>["outside"]>["voices"] | undefined,
): string {
  const rows = Object.entries(voices ?? {})
    .map(
      ([voice, { converted, shift }]) =>
        `<tr><td>${escapeHtml(voice)}</td><td>${number(converted.targetAccuracy)}</td><td>${number(converted.wer)}</td><td>${number(shift.targetAccuracy)}</td><td>${number(shift.wer)}</td></tr>`,
    )
    .join("");
  return rows
    ? `<table class="scores"><tr><th>to voice</th><th>converted: classified as target</th><th>WER</th><th>shift: classified as target</th><th>WER</th></tr>${rows}</table>`
    : "";
}

function scoreTable(summary: NonNullable<RunSummary["evaluation"]>["summary"]): string {
  const rows = summary
    .map(
      (s) =>
        `<tr><td>${s.system}</td><td>${s.items}</td><td>${number(s.mcd)}</td><td>${number(s.mcdWorld ?? null)}</td><td>${number(s.targetAccuracy)}</td><td>${number(s.sourceAccuracy)}</td><td>${number(s.wer)}</td><td>${number(s.cer)}</td></tr>`,
    )
    .join("");
  return `<table class="scores"><tr><th>system</th><th>items</th><th>MCD dB</th><th>MCD24 dB</th><th>classified as target</th><th>classified as source</th><th>WER</th><th>CER</th></tr>${rows}</table>`;
}
