/**
 * `pnpm bench` for @vox/dsp: the three jobs of the foundation issue, single-threaded, side by side with
 * torchaudio (one thread) when Debian's python3-torchaudio is installed. Prints median seconds and the ratio.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  analyze,
  bandAperiodicity,
  decodeAperiodicity,
  f0,
  griffinLim,
  melCepstrum,
  melFilterbank,
  mel80FeatureSpec,
  StftPlan,
  synthesize,
  spectralEnvelope,
  synthesizeWorld,
  worldFeatureSpec,
} from "../src/index.js";
import { decodeWav } from "../src/wav.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const speech = decodeWav(readFileSync(join(here, "../fixtures/speech-16k.wav"))).samples;
const sixtySeconds = new Float32Array(16000 * 60);
for (let i = 0; i < sixtySeconds.length; i += speech.length)
  sixtySeconds.set(speech.subarray(0, sixtySeconds.length - i), i);
const tenSeconds = sixtySeconds.subarray(0, 16000 * 10);

function medianTime(fn: () => void, repeats: number): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up: JIT tiers, wasm memory growth, GC steady state
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const plan = new StftPlan({ nFft: 512, hop: 128 });
const filterbank = melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 80 });
const frames = plan.frameCount(sixtySeconds.length);
const magnitudeOut = { data: new Float32Array(plan.bins * frames), bins: plan.bins, frames };
const melOut = { data: new Float32Array(filterbank.nMels * frames), bins: filterbank.nMels, frames };
const magnitude10 = plan.magnitude(tenSeconds);
const ours: Record<string, number> = {
  stft: medianTime(() => plan.magnitude(sixtySeconds, 1, plan.bins, magnitudeOut), 25),
  mel: medianTime(() => plan.filteredPower(sixtySeconds, filterbank, melOut), 25),
  griffinLim: medianTime(
    () => griffinLim(magnitude10, { hop: 128, nIter: 32, momentum: 0.99, length: tenSeconds.length }),
    5,
  ),
};

let theirs: Record<string, number> | null = null;
const python = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "vox-dsp-bench-"));
try {
  const raw = join(dir, "signal.f32");
  writeFileSync(raw, new Uint8Array(sixtySeconds.buffer.slice(0)));
  const output = execFileSync(python, [join(here, "torchaudio_bench.py"), raw], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  theirs = JSON.parse(output.trim().split("\n").at(-1) ?? "null") as Record<string, number>;
} catch (error) {
  console.log(`torchaudio comparison skipped (${(error as Error).message.split("\n")[0]}); install python3-torchaudio`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const jobs: [string, string][] = [
  ["stft", "STFT magnitude, 60 s @ 16 kHz, n_fft 512, hop 128"],
  ["mel", "80-band mel power, same signal and STFT"],
  ["griffinLim", "Griffin-Lim 32 iterations, 10 s, momentum 0.99"],
];
console.log(`@vox/dsp bench (node ${process.version}, single thread, median)`);
console.log(
  ["job".padEnd(50), "vox ms".padStart(9), "torchaudio ms".padStart(14), "vox/torchaudio".padStart(15)].join(" "),
);
for (const [key, label] of jobs) {
  const mine = (ours[key] as number) * 1000;
  const other = theirs ? (theirs[key] as number) * 1000 : Number.NaN;
  const ratio = theirs ? (mine / other).toFixed(2) : "n/a";
  console.log(
    [
      label.padEnd(50),
      mine.toFixed(1).padStart(9),
      (theirs ? other.toFixed(1) : "n/a").padStart(14),
      ratio.padStart(15),
    ].join(" "),
  );
}

// mel80 -> audio, the whole resynthesis of 10 s (mel -> linear by melToLinear, then Griffin-Lim 32 iterations).
const mel80Features = analyze(tenSeconds, mel80FeatureSpec);
// Seven timed runs: on this VM a median of three moved by a third between back-to-back runs.
const mel80Seconds = medianTime(() => synthesize(mel80Features, mel80FeatureSpec, { length: tenSeconds.length }), 7);
console.log(
  `\nmel80 resynthesis of 10 s (melToLinear + Griffin-Lim 32 iterations): ${(mel80Seconds * 1000).toFixed(0)} ms (goal < 500 ms)`,
);

// The source-filter vocoder on 60 s, one thread: each analysis, the whole world analysis, synthesis; SPTK's
// pitch -a 1 (SWIPE') on the same audio beside it where Debian's sptk is installed.
const seconds = sixtySeconds.length / 16000;
const contour = f0(sixtySeconds, 16000);
const envelope = spectralEnvelope(sixtySeconds, 16000, contour);
const coded = bandAperiodicity(sixtySeconds, 16000, contour);
const ap = decodeAperiodicity(coded, 16000, 1024);
const world: [string, () => void][] = [
  ["f0 (DIO + StoneMask)", () => f0(sixtySeconds, 16000)],
  ["spectralEnvelope (CheapTrick)", () => spectralEnvelope(sixtySeconds, 16000, contour)],
  ["bandAperiodicity", () => bandAperiodicity(sixtySeconds, 16000, contour)],
  ["melCepstrum order 35", () => melCepstrum(envelope, 35, 0.42)],
  ["world analysis (analyze, worldFeatureSpec)", () => analyze(sixtySeconds, worldFeatureSpec)],
  ["synthesizeWorld", () => synthesizeWorld(contour, envelope, ap, { sampleRate: 16000 })],
];
console.log(
  `\nworld vocoder, 60 s of speech @ 16 kHz (x real time = seconds per second of audio; goal analysis <= 0.05, synthesis <= 0.02)`,
);
for (const [label, fn] of world) {
  const time = medianTime(fn, 3);
  console.log(
    `${label.padEnd(50)} ${(time * 1000).toFixed(0).padStart(9)} ms ${(time / seconds).toFixed(4).padStart(9)} x real time`,
  );
}
try {
  const raw = join(mkdtempSync(join(tmpdir(), "vox-dsp-sptk-")), "speech.f32");
  writeFileSync(raw, new Uint8Array(sixtySeconds.buffer, sixtySeconds.byteOffset, sixtySeconds.byteLength));
  const time = medianTime(() => {
    execFileSync("/usr/libexec/sptk/bin/pitch", ["-a", "1", "-s", "16", "-p", "80", "-L", "71", "-H", "800", raw], {
      maxBuffer: 64 * 1024 * 1024,
    });
  }, 3);
  console.log(
    `${"SPTK pitch -a 1 (SWIPE'), same audio".padEnd(50)} ${(time * 1000).toFixed(0).padStart(9)} ms ${(time / seconds).toFixed(4).padStart(9)} x real time`,
  );
} catch (error) {
  console.log(`SPTK comparison skipped (${(error as Error).message.split("\n")[0]}); apt-get install sptk`);
}
