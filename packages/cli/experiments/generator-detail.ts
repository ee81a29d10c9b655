/**
 * How much frame-to-frame detail the generator makes of its own: for every held-out sentence of each run (the
 * validation split, each to the 4 other voices), the converted mel-cepstral rows c1.. departure from their own
 * 9-frame Hann-smoothed contour (what `source-detail` replaces) against the source's departure from its contour
 * scaled by sigma_tgt / sigma_src (what `source-detail` puts in its place, and what the mean/variance shift keeps).
 * Mean squares over rows and frames, in mel-cepstral units, their ratio and their correlation per run; also
 * the alternation at 2 frames (the transposed convolutions' checkerboard), the mean of ((x[t] - x[t+1]) / 2)^2, of
 * the converted rows against the mean/variance shift's (the source's difference times sigma_tgt / sigma_src).
 *
 *   npx tsx --conditions vox-source experiments/generator-detail.ts <run> [<run> ...]
 */
import { join } from "node:path";
import { ModelFeatureMap, type SpeakerFeatureStatistics, type Spectrogram, worldFeatureLayout } from "@vox/dsp";
import { convertFeatures } from "@vox/models";
import { initBackend, loadModel } from "@vox/models/node";
import { listCheckpoints, openRunConversion, openRunFeatures, readRunRecord, runPaths } from "@vox/train";

await initBackend(undefined, () => {});
const lines = [
  "| run | generator's detail | source's detail (scaled) | ratio | correlation | generator's 2-frame alternation | the shift's |",
  "|---|---|---|---|---|---|---|",
];
for (const run of process.argv.slice(2)) {
  const record = await readRunRecord(run);
  const spec = record.featureSpec;
  const layout = worldFeatureLayout(spec);
  const step = (await listCheckpoints(run)).at(-1) as number;
  const { model: generator, metadata } = await loadModel(join(runPaths(run).checkpoint(step), "generator"));
  const conversion = await openRunConversion(run, record, "source-energy");
  const statistics = record.speakers.map((s) => conversion.speaker(s) as SpeakerFeatureStatistics);
  const map = (postfilter: "source-energy" | "source-energy+source-detail") =>
    new ModelFeatureMap(spec, conversion.map.normalization, statistics, postfilter);
  const plain = map("source-energy");
  const detailed = map("source-energy+source-detail");
  const { store, heldOut } = await openRunFeatures(record);
  const sums = { generator: 0, source: 0, cross: 0, generatorAlternation: 0, sourceAlternation: 0, n: 0 };
  for (const u of heldOut) {
    const features = store.readUtterance(u);
    const frames = features.frames;
    const zeros: Spectrogram = { ...features, data: new Float32Array(features.data.length) };
    const s = conversion.speaker(u.speaker) as SpeakerFeatureStatistics;
    for (const target of record.speakers.filter((x) => x !== u.speaker)) {
      const t = conversion.speaker(target) as SpeakerFeatureStatistics;
      const converted = convertFeatures(
        generator,
        metadata.config.generator,
        plain,
        features,
        { label: record.speakers.indexOf(u.speaker), statistics: s },
        { label: record.speakers.indexOf(target), statistics: t },
      );
      // The generator's contour: its rows smoothed (source-detail over a source of zeros adds no detail).
      const generatorRows = plain.encodeUtterance(converted, t);
      const contour = detailed.decode(generatorRows, zeros, t, t);
      // The source's scaled detail: source-detail over a constant generator output, less that constant.
      const flat = plain.encodeUtterance(zeros, s);
      const withDetail = detailed.decode(flat, features, s, t);
      const without = plain.decode(flat, features, s, t);
      for (let row = layout.mcep + 1; row < layout.mcep + layout.mcepRows; row++) {
        const scale = (t.rows.std[row] as number) / (s.rows.std[row] as number);
        for (let f = 0; f < frames; f++) {
          const at = row * frames + f;
          const g = (converted.data[at] as number) - (contour.data[at] as number);
          const d = (withDetail.data[at] as number) - (without.data[at] as number);
          sums.generator += g * g;
          sums.source += d * d;
          sums.cross += g * d;
          if (f + 1 < frames) {
            sums.generatorAlternation +=
              (((converted.data[at] as number) - (converted.data[at + 1] as number)) / 2) ** 2;
            sums.sourceAlternation +=
              ((((features.data[at] as number) - (features.data[at + 1] as number)) / 2) * scale) ** 2;
          }
          sums.n++;
        }
      }
    }
  }
  const m = (v: number) => (v / sums.n).toFixed(4);
  lines.push(
    `| ${run.split("/").pop()} (step ${step}) | ${m(sums.generator)} | ${m(sums.source)} | ${(sums.generator / sums.source).toFixed(2)} | ${(sums.cross / Math.sqrt(sums.generator * sums.source)).toFixed(2)} | ${m(sums.generatorAlternation)} | ${m(sums.sourceAlternation)} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
