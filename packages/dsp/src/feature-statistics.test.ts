import { describe, expect, it } from "vitest";
import { mel80FeatureSpec, worldFeatureLayout, worldFeatureSpec } from "./feature-spec.js";
import {
  FeatureStatisticsAccumulator,
  featureStatistics,
  likeliestSpeaker,
  speakerLikelihoods,
  meanVarianceShift,
  pooledRowStatistics,
  type SpeakerFeatureStatistics,
} from "./feature-statistics.js";
import { ModelFeatureMap } from "./model-features.js";
import { Mulberry32 } from "./random.js";
import type { Spectrogram } from "./spectrogram.js";

const layout = worldFeatureLayout(worldFeatureSpec);

/** World-shaped features: each mcep row Gaussian around `offset + row / 10`, ln F0 around `f0` with 20 % unvoiced. */
function worldFeatures(frames: number, offset: number, spread: number, f0: number, seed: number): Spectrogram {
  const rng = new Mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const data = new Float32Array(layout.rows * frames);
  for (let row = 0; row < layout.mcepRows; row++)
    for (let t = 0; t < frames; t++) data[row * frames + t] = offset + row / 10 + spread * gauss();
  for (let t = 0; t < frames; t++) {
    data[layout.logF0 * frames + t] = t % 5 === 0 ? 0 : Math.log(f0) + 0.1 * gauss();
    data[layout.aperiodicity * frames + t] = -10 - (t % 7);
  }
  return { data, bins: layout.rows, frames };
}

function rowMeanStd(features: Spectrogram, row: number, voicedOnly = false): [number, number] {
  const values = [...features.data.subarray(row * features.frames, (row + 1) * features.frames)].filter(
    (v) => !voicedOnly || v > 1,
  );
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)];
}

describe("feature statistics", () => {
  it("accumulate per-row mean and std over utterances, and voiced ln F0 only", () => {
    const a = worldFeatures(300, 0, 1, 120, 1);
    const b = worldFeatures(200, 0.5, 2, 130, 2);
    const stats = new FeatureStatisticsAccumulator(worldFeatureSpec).add(a).add(b).result();
    const joined: Spectrogram = { data: new Float32Array(layout.rows * 500), bins: layout.rows, frames: 500 };
    for (let row = 0; row < layout.rows; row++) {
      joined.data.set(a.data.subarray(row * 300, (row + 1) * 300), row * 500);
      joined.data.set(b.data.subarray(row * 200, (row + 1) * 200), row * 500 + 300);
    }
    expect(stats.utterances).toBe(2);
    expect(stats.rows.frames).toBe(500);
    for (const row of [0, 7, layout.mcepRows - 1]) {
      const [mean, std] = rowMeanStd(joined, row);
      expect(stats.rows.mean[row]).toBeCloseTo(mean, 4);
      expect(stats.rows.std[row]).toBeCloseTo(std, 4);
    }
    const [f0Mean, f0Std] = rowMeanStd(joined, layout.logF0, true);
    expect(stats.logF0?.frames).toBe(400);
    expect(stats.logF0?.mean).toBeCloseTo(f0Mean, 5);
    expect(stats.logF0?.std).toBeCloseTo(f0Std, 5);
    // Pooled over two speakers = the statistics of all their frames together.
    const pooled = pooledRowStatistics([
      featureStatistics(worldFeatureSpec, [a]),
      featureStatistics(worldFeatureSpec, [b]),
    ]);
    expect(pooled.mean[3]).toBeCloseTo(stats.rows.mean[3] as number, 4);
    expect(pooled.std[3]).toBeCloseTo(stats.rows.std[3] as number, 4);
    expect(() => new FeatureStatisticsAccumulator(mel80FeatureSpec).add(a)).toThrow(/80 rows/);
  });

  it("the mean/variance shift gives the source's frames the target's statistics; world copies aperiodicity", () => {
    const source = worldFeatures(400, 0, 1, 110, 3);
    const target = worldFeatures(400, 2, 0.5, 220, 4);
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [target]);
    const shifted = meanVarianceShift(source, worldFeatureSpec, s, t);
    for (const row of [0, 10, 35]) {
      const [mean, std] = rowMeanStd(shifted, row);
      expect(mean).toBeCloseTo(t.rows.mean[row] as number, 4);
      expect(std).toBeCloseTo(t.rows.std[row] as number, 4);
    }
    const [f0Mean, f0Std] = rowMeanStd(shifted, layout.logF0, true);
    expect(f0Mean).toBeCloseTo(t.logF0?.mean as number, 4);
    expect(f0Std).toBeCloseTo(t.logF0?.std as number, 4);
    const frames = source.frames;
    for (let t0 = 0; t0 < frames; t0 += 5) expect(shifted.data[layout.logF0 * frames + t0]).toBe(0); // unvoiced stays
    expect(shifted.data.subarray(layout.aperiodicity * frames)).toEqual(
      source.data.subarray(layout.aperiodicity * frames),
    );
    expect(source.data[0]).not.toBe(shifted.data[0]); // a copy, not in place
  });

  it("a unit-scale spectrogram shifted stays in [0, 1]", () => {
    const rng = new Mulberry32(5);
    const frames = 50;
    const make = (level: number) => {
      const data = new Float32Array(80 * frames).map(() => Math.min(1, Math.max(0, level + 0.2 * (rng.next() - 0.5))));
      return { data, bins: 80, frames };
    };
    const quiet = make(0.2);
    const loud = make(0.95);
    const shifted = meanVarianceShift(quiet, mel80FeatureSpec, featureStatistics(mel80FeatureSpec, [quiet]), {
      ...featureStatistics(mel80FeatureSpec, [loud]),
      rows: { ...featureStatistics(mel80FeatureSpec, [loud]).rows, std: new Array(80).fill(0.5) },
    });
    expect(Math.max(...shifted.data)).toBeLessThanOrEqual(1);
    expect(Math.min(...shifted.data)).toBeGreaterThanOrEqual(0);
  });

  it("the likeliest speaker is the one whose statistics produced the frames, whatever the silence around them", () => {
    const voices: Record<string, SpeakerFeatureStatistics> = {
      low: featureStatistics(worldFeatureSpec, [worldFeatures(500, 0, 1, 100, 6)]),
      mid: featureStatistics(worldFeatureSpec, [worldFeatures(500, 0.3, 1, 150, 7)]),
      high: featureStatistics(worldFeatureSpec, [worldFeatures(500, 0.6, 1, 220, 8)]),
    };
    for (const [name, offset, f0] of [
      ["low", 0, 100],
      ["mid", 0.3, 150],
      ["high", 0.6, 220],
    ] as const) {
      const clip = worldFeatures(120, offset, 1, f0, 9);
      // Long quiet padding (c0 far below the speech): left out of the decision.
      const frames = 400;
      const padded: Spectrogram = { data: new Float32Array(layout.rows * frames), bins: layout.rows, frames };
      for (let row = 0; row < layout.rows; row++) {
        padded.data.fill(row === 0 ? -20 : 0.6, row * frames, (row + 1) * frames);
        padded.data.set(clip.data.subarray(row * 120, (row + 1) * 120), row * frames + 140);
      }
      expect(likeliestSpeaker(padded, worldFeatureSpec, voices)).toBe(name);
      // The scores it ranks: summed over the clip's loud frames (none of the 280 padding frames), one score per
      // speaker, the named one highest.
      const scores = speakerLikelihoods(padded, worldFeatureSpec, voices);
      expect(scores.frames).toBeGreaterThan(100);
      expect(scores.frames).toBeLessThanOrEqual(120);
      expect(Object.keys(scores.logLikelihood).sort()).toEqual(["high", "low", "mid"]);
      const best = Math.max(...Object.values(scores.logLikelihood));
      expect(scores.logLikelihood[name]).toBe(best);
    }
    expect(likeliestSpeaker(worldFeatures(10, 0, 1, 100, 1), worldFeatureSpec, {})).toBeNull();
  });

  it("the global-variance postfilter gives each converted row (c1 up) the spread the shift would, keeping its mean", () => {
    const source = worldFeatures(300, 0, 1, 110, 12);
    const target = worldFeatures(300, 1, 0.6, 190, 13);
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [target]);
    const map = new ModelFeatureMap(worldFeatureSpec, "global", [s, t], "global-variance");
    // An over-smoothed generator output: every row at a third of its spread.
    const smooth = map.encodeUtterance(source, null);
    for (let row = 0; row < 36; row++) {
      const [mean] = rowMeanStd(smooth, row);
      for (let i = row * 300; i < (row + 1) * 300; i++) smooth.data[i] = mean + ((smooth.data[i] as number) - mean) / 3;
    }
    const plain = new ModelFeatureMap(worldFeatureSpec, "global", [s, t]).decode(smooth, source, s, t);
    const filtered = map.decode(smooth, source, s, t);
    const shifted = meanVarianceShift(source, worldFeatureSpec, s, t);
    for (const row of [1, 9, 35]) {
      expect(rowMeanStd(filtered, row)[1]).toBeCloseTo(rowMeanStd(shifted, row)[1], 4);
      expect(rowMeanStd(filtered, row)[0]).toBeCloseTo(rowMeanStd(plain, row)[0], 4);
      expect(rowMeanStd(plain, row)[1]).toBeLessThan(0.6 * rowMeanStd(shifted, row)[1]);
    }
    expect(filtered.data.subarray(0, 300)).toEqual(plain.data.subarray(0, 300)); // c0 (loudness) as generated
  });

  it("the source-energy postfilter puts the source's c0, shifted, in place of the converted one; nothing else", () => {
    const source = worldFeatures(300, 0, 1, 110, 12);
    const target = worldFeatures(300, 1, 0.6, 190, 13);
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [target]);
    // A generator output whose c0 is noise: the loudness contour lost.
    const output = new ModelFeatureMap(worldFeatureSpec, "global", [s, t]).encodeUtterance(target, null);
    const random = new Mulberry32(5);
    for (let i = 0; i < 300; i++) output.data[i] = random.next() * 4 - 2;
    const decode = (postfilter: "none" | "source-energy" | "global-variance" | "global-variance+source-energy") =>
      new ModelFeatureMap(worldFeatureSpec, "global", [s, t], postfilter).decode(output, source, s, t);
    const shifted = meanVarianceShift(source, worldFeatureSpec, s, t);
    const energy = decode("source-energy");
    for (let i = 0; i < 300; i++) expect(energy.data[i]).toBeCloseTo(shifted.data[i] as number, 4);
    expect(energy.data.subarray(300)).toEqual(decode("none").data.subarray(300)); // c1.., ln F0, aperiodicity
    const both = decode("global-variance+source-energy");
    expect(both.data.subarray(0, 300)).toEqual(energy.data.subarray(0, 300));
    expect(both.data.subarray(300)).toEqual(decode("global-variance").data.subarray(300));
  });

  it("the source-detail postfilter keeps the generator's smoothed mcep contour and puts back the source's frame-to-frame detail", () => {
    const frames = 300;
    const source = worldFeatures(frames, 0, 1, 110, 16);
    const target = worldFeatures(frames, 1, 0.6, 190, 17);
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [target]);
    const shifted = meanVarianceShift(source, worldFeatureSpec, s, t);
    // The generator's output is the shift with its frame-to-frame detail lost under an alternating +-0.5.
    const map = new ModelFeatureMap(worldFeatureSpec, "global", [s, t]);
    const output = map.encodeUtterance(shifted, null);
    for (let row = 1; row < layout.mcepRows; row++)
      for (let i = 0; i < frames; i++) output.data[row * frames + i] += i % 2 ? 0.5 : -0.5;
    const decode = (postfilter: "source-energy" | "source-energy+source-detail") =>
      new ModelFeatureMap(worldFeatureSpec, "global", [s, t], postfilter).decode(output, source, s, t);
    const energy = decode("source-energy");
    const detail = decode("source-energy+source-detail");
    let lost = 0;
    for (let row = 0; row < layout.mcepRows; row++)
      for (let i = 10; i < frames - 10; i++) {
        const at = row * frames + i;
        expect(detail.data[at]).toBeCloseTo(shifted.data[at] as number, 3);
        lost = Math.max(lost, Math.abs((energy.data[at] as number) - (shifted.data[at] as number)));
      }
    expect(lost).toBeGreaterThan(0.2); // without it the alternation stays
    expect(detail.data.subarray(0, frames)).toEqual(energy.data.subarray(0, frames)); // c0: the source's energy
    const rest = layout.mcepRows * frames;
    expect(detail.data.subarray(rest)).toEqual(energy.data.subarray(rest)); // ln F0, aperiodicity
    // An untouched generator output (the shift itself) comes back as it is, edges included.
    const exact = new ModelFeatureMap(worldFeatureSpec, "global", [s, t], "source-energy+source-detail").decode(
      map.encodeUtterance(shifted, null),
      source,
      s,
      t,
    );
    for (let i = 0; i < rest; i++) expect(exact.data[i]).toBeCloseTo(shifted.data[i] as number, 3);
  });

  it("the aperiodicity postfilter moves voiced frames' bands by the voiced-frame Gaussians (within [-60, 0] dB); unvoiced frames and other rows as without it", () => {
    const source = worldFeatures(350, 0, 1, 110, 14); // aperiodicity -10 - (t % 7) dB: mean -13, std 2
    const target = worldFeatures(300, 1, 0.6, 190, 15);
    for (let t = 0; t < 300; t++) target.data[layout.aperiodicity * 300 + t] = -30 - 4 * (t % 2); // -32 +- 2
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [target]);
    // Voiced frames only: every fifth frame of these is unvoiced.
    const [apMean, apStd] = (() => {
      const values: number[] = [];
      for (let i = 0; i < 350; i++) {
        if ((source.data[layout.logF0 * 350 + i] as number) > 1)
          values.push(source.data[layout.aperiodicity * 350 + i] as number);
      }
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return [mean, Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)];
    })();
    expect(s.voicedAperiodicity?.frames).toBe(280);
    expect(s.voicedAperiodicity?.mean[0]).toBeCloseTo(apMean, 4);
    expect(s.voicedAperiodicity?.std[0]).toBeCloseTo(apStd, 4);
    expect(featureStatistics(mel80FeatureSpec, []).voicedAperiodicity).toBeUndefined();
    const output = new ModelFeatureMap(worldFeatureSpec, "global", [s, t]).encodeUtterance(source, null);
    const decode = (postfilter: "source-energy" | "source-energy+aperiodicity", stats = t) =>
      new ModelFeatureMap(worldFeatureSpec, "global", [s, t], postfilter).decode(output, source, s, stats);
    const copied = decode("source-energy");
    const moved = decode("source-energy+aperiodicity");
    const ap = layout.aperiodicity * 350;
    for (let i = 0; i < 350; i++) {
      const voiced = (source.data[layout.logF0 * 350 + i] as number) > 1;
      const original = source.data[ap + i] as number;
      expect(copied.data[ap + i]).toBe(original);
      const expected = voiced ? ((original - apMean) / apStd) * (t.voicedAperiodicity?.std[0] ?? 0) + -32 : original;
      expect(moved.data[ap + i]).toBeCloseTo(expected, 3);
    }
    expect(moved.data.subarray(0, ap)).toEqual(copied.data.subarray(0, ap)); // the envelope and ln F0
    // A target of aperiodicity -1 +- 20 dB would push bands past 0 dB: kept at 0 (noise), never above.
    const loose = { ...t, voicedAperiodicity: { frames: 1, mean: [-1], std: [20] } };
    const clamped = decode("source-energy+aperiodicity", loose).data.subarray(ap, ap + 350);
    expect(Math.max(...clamped)).toBe(0);
    // Statistics written before voiced aperiodicity was kept: the source's is copied.
    const { voicedAperiodicity: _, ...old } = t;
    expect(decode("source-energy+aperiodicity", old).data).toEqual(decode("source-energy", old).data);
  });

  it("the feature map: world networks see the normalised mcep rows; an identity generator under speaker normalisation is the mean/variance shift", () => {
    const source = worldFeatures(200, 0, 1, 110, 10);
    const target = worldFeatures(200, 1, 0.7, 200, 11);
    const s = featureStatistics(worldFeatureSpec, [source]);
    const t = featureStatistics(worldFeatureSpec, [target]);
    const map = new ModelFeatureMap(worldFeatureSpec, "speaker", [s, t]);
    expect(map.rows).toBe(36);
    expect(map.linearOutput).toBe(true);
    const encoded = map.encodeUtterance(source, s);
    expect(encoded.bins).toBe(36);
    const [mean, std] = rowMeanStd(encoded, 4);
    expect(mean).toBeCloseTo(0, 4);
    expect(std).toBeCloseTo(1, 3);
    const decoded = map.decode(encoded, source, s, t);
    const shifted = meanVarianceShift(source, worldFeatureSpec, s, t);
    for (let i = 0; i < decoded.data.length; i++) expect(decoded.data[i]).toBeCloseTo(shifted.data[i] as number, 4);
    // Global normalisation: encode then decode with the same (pooled) scaling gives the rows back.
    const global = new ModelFeatureMap(worldFeatureSpec, "global", [s, t]);
    const back = global.decode(global.encodeUtterance(source, null), source, s, s);
    for (let i = 0; i < 36 * 200; i++) expect(back.data[i]).toBeCloseTo(source.data[i] as number, 4);
    expect(() => map.decode(encoded, source, s, null)).toThrow(/statistics/);
    // A voice without voiced frames: no F0 Gaussian to move between, the source's ln F0 stays.
    const whisper = { ...t, logF0: null };
    const kept = map.decode(encoded, source, s, whisper);
    expect(kept.data.subarray(layout.logF0 * 200, (layout.logF0 + 1) * 200)).toEqual(
      source.data.subarray(layout.logF0 * 200, (layout.logF0 + 1) * 200),
    );
    // Unit-scale mel features with no normalisation pass through unchanged.
    const mel = new ModelFeatureMap(mel80FeatureSpec, "none", []);
    expect(mel.linearOutput).toBe(false);
    const spectrogram = { data: new Float32Array(80 * 3).fill(0.25), bins: 80, frames: 3 };
    expect(mel.encodeUtterance(spectrogram, null).data).toEqual(spectrogram.data);
    expect(() => new ModelFeatureMap(mel80FeatureSpec, "global", [])).toThrow(/statistics/);
  });
});
