import pngjs from "pngjs";
import { describe, expect, it } from "vitest";
import { colormapTables } from "./colormaps.js";
import { renderSpectrogramPng } from "./png.js";

function decode(bytes: Uint8Array) {
  return pngjs.PNG.sync.read(Buffer.from(bytes));
}

function rgbAt(png: ReturnType<typeof decode>, x: number, y: number): number[] {
  const p = (y * png.width + x) * 4;
  return [png.data[p], png.data[p + 1], png.data[p + 2]] as number[];
}

function lutColour(name: keyof typeof colormapTables, index: number): number[] {
  const hex = colormapTables[name].slice(index * 6, index * 6 + 6);
  return [0, 2, 4].map((o) => Number.parseInt(hex.slice(o, o + 2), 16));
}

describe("renderSpectrogramPng", () => {
  // 3 bins x 4 frames: bin 0 (lowest) all 0, bin 2 (highest) all 1, the middle a ramp.
  const spectrogram = { data: Float32Array.from([0, 0, 0, 0, 0, 1 / 3, 2 / 3, 1, 1, 1, 1, 1]), bins: 3, frames: 4 };

  it("puts low frequencies at the bottom and maps values through the colormap", () => {
    const png = decode(renderSpectrogramPng(spectrogram, { min: 0, max: 1 }));
    expect([png.width, png.height]).toEqual([4, 3]);
    expect(rgbAt(png, 0, 2)).toEqual(lutColour("magma", 0)); // bottom row = bin 0 = darkest
    expect(rgbAt(png, 0, 0)).toEqual(lutColour("magma", 255)); // top row = highest bin = brightest
    expect(rgbAt(png, 1, 1)).toEqual(lutColour("magma", 85));
    const viridis = decode(renderSpectrogramPng(spectrogram, { colormap: "viridis", min: 0, max: 1 }));
    expect(rgbAt(viridis, 3, 1)).toEqual(lutColour("viridis", 255));
  });

  it("scales pixels and adds a labelled colour bar", () => {
    const png = decode(
      renderSpectrogramPng(spectrogram, { pixelsPerFrame: 3, pixelsPerBin: 2, colorBar: { unit: "dB" } }),
    );
    expect(png.width).toBeGreaterThan(12 + 6);
    expect(png.height).toBe(6 + 16);
    // The bar's top is the brightest colour, its bottom the darkest.
    expect(rgbAt(png, 12 + 6 + 5, 8)).toEqual(lutColour("magma", 255));
    expect(rgbAt(png, 12 + 6 + 5, 8 + 5)).toEqual(lutColour("magma", 0));
    // Some label pixels are drawn in black to the right of the bar.
    let black = 0;
    for (let x = 12 + 6 + 12; x < png.width; x++)
      for (let y = 0; y < png.height; y++) if (rgbAt(png, x, y).every((c) => c === 0)) black++;
    expect(black).toBeGreaterThan(10);
  });

  it("draws a time axis in seconds below and a frequency axis in kHz on the left, ticks where they belong", () => {
    // 100 frames of 10 ms (1 s) and 40 rows 200 Hz apart (0..7.8 kHz), 2 x 2 pixels each: a 200 x 80 plot.
    const flat = { data: new Float32Array(40 * 100).fill(0.5), bins: 40, frames: 100 };
    const axes = { secondsPerFrame: 0.01, hertzOfRow: (row: number) => 200 * row };
    const png = decode(renderSpectrogramPng(flat, { min: 0, max: 1, pixelsPerFrame: 2, pixelsPerBin: 2, axes }));
    const left = png.width - 200; // the plot starts after the kHz labels
    expect(left).toBeGreaterThan(10);
    expect(png.height).toBe(80 + 2 * 8 + 12);
    expect(rgbAt(png, left, 8)).toEqual(lutColour("magma", 128)); // the plot's top-left pixel
    const black = (x: number, y: number) => rgbAt(png, x, y).every((c) => c === 0);
    // Time: a tick per 1-2-5 step of at least 60 px: 0.5 s, at x = left + 0.5 s / 10 ms x 2 px.
    const baseline = 8 + 80;
    expect([black(left + 100, baseline + 2), black(left + 40, baseline + 2)]).toEqual([true, false]);
    // Frequency: a tick per 1-2-5 step of at least 30 px: 5 kHz, at row 25 (5000 / 200), 14 rows below the top.
    const rowY = (row: number) => 8 + (39 - row) * 2 + 1;
    expect([black(left - 3, rowY(25)), black(left - 3, rowY(20))]).toEqual([true, false]);
  });

  it("rejects malformed spectrograms and unknown colormaps", () => {
    expect(() => renderSpectrogramPng({ data: new Float32Array(5), bins: 2, frames: 3 })).toThrow(/bins x frames/);
    expect(() => renderSpectrogramPng(spectrogram, { colormap: "jet" as "magma" })).toThrow(/colormap/);
  });
});
