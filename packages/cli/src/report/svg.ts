import type { MetricsLine } from "@vox/train/run";

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);
}

/** One loss over steps as a small inline SVG line chart (no library, no script). */
export function lossChart(metrics: MetricsLine[], loss: string, width = 360, height = 160): string {
  const points = metrics
    .map((m) => [m.step, m.losses[loss]] as const)
    .filter((p): p is readonly [number, number] => typeof p[1] === "number" && Number.isFinite(p[1]));
  const pad = { left: 48, right: 8, top: 18, bottom: 22 };
  if (points.length === 0) return "";
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => pad.left + ((x - x0) / Math.max(1, x1 - x0)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
  const path = points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
  const label = (v: number) =>
    Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 0.01) ? v.toExponential(1) : v.toFixed(3);
  return [
    `<svg class="chart" role="img" aria-label="${escapeXml(loss)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<text x="${pad.left}" y="12" font-size="12">${escapeXml(loss)}</text>`,
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#999"/>`,
    `<text x="${pad.left - 4}" y="${pad.top + 4}" font-size="10" text-anchor="end">${label(y1)}</text>`,
    `<text x="${pad.left - 4}" y="${height - pad.bottom}" font-size="10" text-anchor="end">${label(y0)}</text>`,
    `<text x="${pad.left}" y="${height - 6}" font-size="10">${x0}</text>`,
    `<text x="${width - pad.right}" y="${height - 6}" font-size="10" text-anchor="end">step ${x1}</text>`,
    `<path d="${path}" fill="none" stroke="#3a6ea5" stroke-width="1.5"/>`,
    "</svg>",
  ].join("");
}
