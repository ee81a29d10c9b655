/**
 * SPTK 3.9's RAPT (`pitch -a 0`, Talkin 1995) on our world frames, for the F0 experiments (rapt-voicing.ts,
 * why-unvoiced.ts): its F0 and its peak cross-correlation, aligned to our contour.
 */
import { execFileSync } from "node:child_process";
import { world } from "./copy-synthesis.js";

const SPTK = "/usr/libexec/sptk/bin/pitch";

/** RAPT's F0 (Hz, 0 unvoiced) on our frames (frame t centred on t x hop), aligned to `ours` by the lag that fits best. */
export function raptF0(x: Float32Array, ours: Float64Array): Float64Array {
  return raptOnOurFrames(x, ours, false).f0;
}

/** SPTK's `pitch -a 0` output `-o kind` (1: F0 in Hz, 3: RAPT's peak cross-correlation), 5 ms frames. */
function sptkRapt(x: Float32Array, kind: "1" | "3"): Float32Array {
  const hop = (world.rate * world.framePeriod) / 1000;
  const raw = execFileSync(
    SPTK,
    ["-a", "0", "-s", "16", "-p", String(hop), "-L", String(world.f0Floor), "-H", "500", "-o", kind],
    {
      // RAPT's energy thresholds expect 16-bit sample values: at full scale 1 it finds every frame unvoiced.
      input: Buffer.from(x.map((v) => v * 32768).buffer),
      maxBuffer: 1 << 28,
    },
  );
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

/**
 * RAPT's F0 and (with `withCorrelation`, a second SPTK run) its peak correlation on our frames (frame t centred on
 * t x hop), shifted by the frame lag that best fits `ours`; the correlation is all 0 without it.
 */
export function raptOnOurFrames(
  x: Float32Array,
  ours: Float64Array,
  withCorrelation: boolean,
): { f0: Float64Array; correlation: Float64Array } {
  const rapt = sptkRapt(x, "1");
  let best = 0;
  let bestError = Infinity;
  for (let lag = -4; lag <= 4; lag++) {
    let error = 0;
    let n = 0;
    for (let t = 0; t < ours.length; t++) {
      const r = rapt[t + lag] ?? 0;
      const o = ours[t] as number;
      if (r > 0 && o > 0) {
        error += Math.abs(Math.log2(r / o));
        n++;
      }
    }
    if (n > 20 && error / n < bestError) {
      bestError = error / n;
      best = lag;
    }
  }
  const peaks = withCorrelation ? sptkRapt(x, "3") : new Float32Array(0);
  const f0 = new Float64Array(ours.length);
  const correlation = new Float64Array(ours.length);
  for (let t = 0; t < ours.length; t++) {
    f0[t] = rapt[t + best] ?? 0;
    correlation[t] = peaks[t + best] ?? 0;
  }
  return { f0, correlation };
}
