import { vi } from "vitest";
import { temporaryTestFolder } from "../../../tools/test-folders.js";
import { main } from "./main.js";

/** A scratch folder, removed after the test file. */
export function temporary(prefix: string): string {
  return temporaryTestFolder(prefix);
}

/** A voiced test signal of a given length, pitch and brightness. */
export function voice(seconds: number, f0: number, formant: number, rate = 16000): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    let v = 0;
    for (let h = 1; h * f0 < 7000 && h < 40; h++)
      v += Math.exp(-(((h * f0 - formant) / 500) ** 2)) * Math.sin(2 * Math.PI * h * f0 * t + h);
    out[i] = 0.2 * v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 3.1 * t));
  }
  return out;
}

/** Runs `vox` in this process, capturing stdout/stderr. */
export async function vox(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * A run to convert with, made fast: `preset` trained 2 steps on `cache` (batch 2, no sample sets). Its weights are
 * barely trained; tests of conversion, export and the page check plumbing and equality, not quality.
 */
export async function trainQuickRun(cache: string, run: string, preset: string, set: string[] = []): Promise<void> {
  const trained = await vox(
    "train",
    ...["--data", cache, "--run", run, "--preset", preset, "--steps", "2"],
    ...["--set", "batchSize=2", "--set", "samples.utterances=0"],
    ...set.flatMap((v) => ["--set", v]),
  );
  if (trained.code !== 0) throw new Error(`vox train (${preset} on ${cache}): exit ${trained.code}: ${trained.stderr}`);
}
