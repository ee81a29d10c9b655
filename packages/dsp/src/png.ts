import pngjs from "pngjs";
import { colormapTables } from "./colormaps.js";
import { InvalidArgumentError, requireInteger } from "./errors.js";
import type { Spectrogram } from "./spectrogram.js";

export type ColormapName = keyof typeof colormapTables;

export interface SpectrogramPngOptions {
  /** Perceptual colormap from matplotlib. Default "magma". */
  colormap?: ColormapName;
  /** Value drawn as the darkest colour. Default: the spectrogram's minimum. */
  min?: number;
  /** Value drawn as the brightest colour. Default: the spectrogram's maximum. */
  max?: number;
  /** Pixels per frame and per bin (integers). Default 1 x 1. */
  pixelsPerFrame?: number;
  pixelsPerBin?: number;
  /**
   * Draw a colour bar on the right with labelled ticks. `toLabel` maps a value to the number printed
   * (e.g. a [0, 1] feature to dB); `unit` is printed above the bar (digits, letters d B H z k s and '-' only).
   */
  colorBar?: { toLabel?: (value: number) => number; unit?: string; ticks?: number };
  /**
   * Draw a time axis (seconds) below and a frequency axis (kHz) on the left: the seconds between frames and
   * the frequency of each row (increasing with the row).
   */
  axes?: SpectrogramAxes;
}

/** Where a spectrogram's frames and rows lie: seconds per frame, and each row's frequency in Hz. */
export interface SpectrogramAxes {
  secondsPerFrame: number;
  hertzOfRow: (row: number) => number;
}

/** The first step of 1-2-5 x 10^k at or above `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}

/**
 * Renders a spectrogram as a PNG image: time left to right, low frequencies at the bottom, values mapped
 * through a perceptual colormap, optionally with a labelled colour bar. Returns the PNG file's bytes.
 */
export function renderSpectrogramPng(spectrogram: Spectrogram, options: SpectrogramPngOptions = {}): Uint8Array {
  const { data, bins, frames } = spectrogram;
  if (bins < 1 || frames < 1 || data.length !== bins * frames) {
    throw new InvalidArgumentError(
      "renderSpectrogramPng(spectrogram)",
      "bins x frames values, both >= 1",
      `${bins} x ${frames} with ${data.length} values`,
    );
  }
  const colormap = options.colormap ?? "magma";
  const table = colormapTables[colormap];
  if (!table)
    throw new InvalidArgumentError(
      "renderSpectrogramPng(options.colormap)",
      Object.keys(colormapTables).join(" | "),
      colormap,
    );
  const lut = decodeTable(table);
  const sx = requireInteger("renderSpectrogramPng(options.pixelsPerFrame)", options.pixelsPerFrame ?? 1, 1, 64);
  const sy = requireInteger("renderSpectrogramPng(options.pixelsPerBin)", options.pixelsPerBin ?? 1, 1, 64);
  let min = options.min ?? Infinity;
  let max = options.max ?? -Infinity;
  if (options.min === undefined || options.max === undefined) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (!Number.isFinite(v)) continue;
      if (options.min === undefined && v < min) min = v;
      if (options.max === undefined && v > max) max = v;
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  const span = max > min ? max - min : 1;
  const plotWidth = frames * sx;
  const plotHeight = bins * sy;
  const bar = options.colorBar;
  const axes = options.axes;
  const barGap = 6;
  const barWidth = 12;
  const labelWidth = 4 * 6 + 4; // up to 6 glyphs of 3 px + 1 px spacing, plus tick
  // Room above for the units and the bar's top label; on the left for kHz labels, below for seconds.
  const margin = bar || axes ? 8 : 0;
  const left = axes ? 4 * 4 + 5 : 0;
  const bottom = axes ? 12 : 0;
  const width = left + plotWidth + (bar ? barGap + barWidth + labelWidth : 0);
  const height = plotHeight + 2 * margin + bottom;
  const png = new pngjs.PNG({ width, height, colorType: 6 });
  const pixels = png.data;
  pixels.fill(255); // white, opaque background
  const colour = (value: number): number => {
    const u = Number.isFinite(value) ? (value - min) / span : 0;
    return Math.max(0, Math.min(255, Math.round(u * 255)));
  };
  for (let f = 0; f < bins; f++) {
    const rowTop = margin + (bins - 1 - f) * sy; // low frequencies at the bottom
    for (let t = 0; t < frames; t++) {
      const c = colour(data[f * frames + t] as number) * 3;
      for (let dy = 0; dy < sy; dy++) {
        let p = ((rowTop + dy) * width + left + t * sx) * 4;
        for (let dx = 0; dx < sx; dx++, p += 4) {
          pixels[p] = lut[c] as number;
          pixels[p + 1] = lut[c + 1] as number;
          pixels[p + 2] = lut[c + 2] as number;
        }
      }
    }
  }
  if (axes) drawAxes(pixels, width, height, { left, top: margin, plotWidth, plotHeight, sx, sy, bins, frames }, axes);
  if (bar) {
    const x0 = left + plotWidth + barGap;
    for (let y = 0; y < plotHeight; y++) {
      const c = Math.round((1 - y / Math.max(1, plotHeight - 1)) * 255) * 3;
      for (let x = x0; x < x0 + barWidth; x++) {
        const p = ((margin + y) * width + x) * 4;
        pixels[p] = lut[c] as number;
        pixels[p + 1] = lut[c + 1] as number;
        pixels[p + 2] = lut[c + 2] as number;
      }
    }
    const ticks = Math.max(2, bar.ticks ?? 5);
    const toLabel = bar.toLabel ?? ((v: number) => v);
    for (let i = 0; i < ticks; i++) {
      const value = min + (span * i) / (ticks - 1);
      const y = margin + Math.round((1 - i / (ticks - 1)) * (plotHeight - 1));
      for (let x = x0 + barWidth; x < x0 + barWidth + 3; x++) setPixel(pixels, width, x, y, 0);
      drawText(pixels, width, height, x0 + barWidth + 4, y - 2, formatLabel(toLabel(value)));
    }
    if (bar.unit) drawText(pixels, width, height, x0, 1, bar.unit);
  }
  return new Uint8Array(pngjs.PNG.sync.write(png));
}

/** Ticks and labels of the time axis (below the plot, seconds) and the frequency axis (left, kHz). */
function drawAxes(
  pixels: Uint8Array,
  width: number,
  height: number,
  plot: {
    left: number;
    top: number;
    plotWidth: number;
    plotHeight: number;
    sx: number;
    sy: number;
    bins: number;
    frames: number;
  },
  axes: SpectrogramAxes,
): void {
  const { left, top, plotWidth, plotHeight, sx, sy, bins, frames } = plot;
  const baseline = top + plotHeight;
  for (let x = left - 1; x < left + plotWidth; x++) setPixel(pixels, width, x, baseline, 0);
  for (let y = top; y <= baseline; y++) setPixel(pixels, width, left - 1, y, 0);
  // Time: about one labelled tick per 60 px.
  const seconds = frames * axes.secondsPerFrame;
  const timeStep = niceStep((seconds * 60) / Math.max(1, plotWidth));
  for (let k = 0; k * timeStep <= seconds + 1e-9; k++) {
    const x = left + Math.round((k * timeStep * sx) / axes.secondsPerFrame);
    if (x >= left + plotWidth) break;
    for (let y = baseline + 1; y <= baseline + 3; y++) setPixel(pixels, width, x, y, 0);
    drawText(pixels, width, height, x - 1, baseline + 5, formatLabel(k * timeStep));
  }
  drawText(pixels, width, height, left + plotWidth - 4, baseline + 5, "s");
  // Frequency: ticks at 1-2-5 kHz steps, each at the row nearest its frequency (rows may be mel-spaced).
  const topHz = axes.hertzOfRow(bins - 1);
  const lowHz = axes.hertzOfRow(0);
  const hzStep = niceStep(Math.max(1, (topHz - lowHz) * 30) / Math.max(1, plotHeight));
  for (let hz = Math.ceil(lowHz / hzStep) * hzStep; hz <= topHz + 1e-9; hz += hzStep) {
    let row = 0;
    while (row + 1 < bins && axes.hertzOfRow(row + 1) <= hz) row++;
    const y = top + (bins - 1 - row) * sy + Math.floor(sy / 2);
    for (let x = left - 4; x < left - 1; x++) setPixel(pixels, width, x, y, 0);
    const label = formatLabel(hz / 1000);
    drawText(pixels, width, height, left - 5 - 4 * label.length, y - 2, label);
  }
  drawText(pixels, width, height, 0, 1, "kHz");
}

function decodeTable(hex: string): Uint8Array {
  const lut = new Uint8Array(hex.length / 2);
  for (let i = 0; i < lut.length; i++) lut[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return lut;
}

function formatLabel(value: number): string {
  const rounded = Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return String(rounded);
}

function setPixel(pixels: Uint8Array, width: number, x: number, y: number, grey: number): void {
  const p = (y * width + x) * 4;
  pixels[p] = grey;
  pixels[p + 1] = grey;
  pixels[p + 2] = grey;
  pixels[p + 3] = 255;
}

/** A 3 x 5 pixel font for colour-bar labels: each glyph is 5 rows of 3 bits, top row first. */
const GLYPHS: Record<string, readonly number[]> = {
  "0": [7, 5, 5, 5, 7],
  "1": [2, 6, 2, 2, 7],
  "2": [7, 1, 7, 4, 7],
  "3": [7, 1, 3, 1, 7],
  "4": [5, 5, 7, 1, 1],
  "5": [7, 4, 7, 1, 7],
  "6": [7, 4, 7, 5, 7],
  "7": [7, 1, 1, 2, 2],
  "8": [7, 5, 7, 5, 7],
  "9": [7, 5, 7, 1, 7],
  "-": [0, 0, 7, 0, 0],
  ".": [0, 0, 0, 0, 2],
  d: [1, 1, 7, 5, 7],
  B: [6, 5, 6, 5, 6],
  H: [5, 5, 7, 5, 5],
  z: [0, 7, 1, 2, 7],
  k: [4, 5, 6, 5, 5],
  s: [0, 7, 6, 1, 7],
  " ": [0, 0, 0, 0, 0],
};

function drawText(pixels: Uint8Array, width: number, height: number, x: number, y: number, text: string): void {
  let cursor = x;
  for (const ch of text) {
    const glyph = GLYPHS[ch] ?? GLYPHS[" "];
    glyph?.forEach((bits, row) => {
      for (let col = 0; col < 3; col++) {
        const px = cursor + col;
        const py = y + row;
        if (bits & (4 >> col) && px >= 0 && px < width && py >= 0 && py < height) setPixel(pixels, width, px, py, 0);
      }
    });
    cursor += 4;
  }
}
