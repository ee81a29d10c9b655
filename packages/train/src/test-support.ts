import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareFeatures } from "@vox/datasets";
import { encodeWav, type FeatureSpec, mel80FeatureSpec } from "@vox/dsp";
import { temporaryTestFolder } from "../../../tools/test-folders.js";

/** A scratch folder, removed after the test file. */
export function temporaryFolder(prefix = "vox-train-"): string {
  return temporaryTestFolder(prefix);
}

/** A voiced "utterance": harmonics of f0 under a resonance at `formant` Hz, with syllable-like modulation. */
function voiceSignal(seconds: number, f0: number, formant: number, phase: number): Float32Array {
  const rate = 16000;
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const glide = f0 * (1 + 0.08 * Math.sin(2 * Math.PI * 1.3 * t + phase));
    let v = 0;
    for (let h = 1; h * glide < 7000 && h < 40; h++) {
      v += Math.exp(-(((h * glide - formant) / 500) ** 2)) * Math.sin(2 * Math.PI * h * glide * t + h * phase);
    }
    out[i] = 0.2 * v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 3.1 * t + phase));
  }
  return out;
}

/** 32 mel bands, hop 256: small features so that tests train hundreds of steps in seconds. */
export const testSpec: FeatureSpec = { ...mel80FeatureSpec, nFft: 512, winLength: 512, hop: 256, nMels: 32 };

/**
 * Two "voices" told apart by tone colour (low and dark vs high and bright), `perSpeaker` utterances each of
 * 0.8-1.6 s, prepared with `spec` (default `testSpec`). Returns the cache folder.
 */
export async function twoVoiceCache(perSpeaker = 8, spec: FeatureSpec = testSpec): Promise<string> {
  const corpus = temporaryFolder("vox-train-corpus-");
  const voices = [
    { name: "dark", f0: 110, formant: 500 },
    { name: "bright", f0: 230, formant: 2200 },
  ];
  for (const voice of voices) {
    mkdirSync(join(corpus, voice.name));
    for (let u = 0; u < perSpeaker; u++) {
      const signal = voiceSignal(0.8 + 0.1 * u, voice.f0, voice.formant, u * 0.7);
      writeFileSync(join(corpus, voice.name, `u${u}.wav`), encodeWav(signal, 16000));
    }
  }
  const cache = temporaryFolder("vox-train-cache-");
  await prepareFeatures(corpus, spec, cache, { workers: 0 });
  return cache;
}
