import { join } from "node:path";
import { featuresPng, type Spectrogram, synthesize } from "@vox/dsp";
import { writeFileAtomic, writeWavFile } from "@vox/dsp/node";
import type { CachedUtterance, FeatureStore } from "@vox/datasets";
import { convertFeatures, type GeneratorConfig, type tf } from "@vox/models";
import type { RunConversion } from "./run-directory.js";

export interface SampleOptions {
  utterances: number;
  maxTargets: number;
  griffinLimIterations: number;
}

/** Fixed validation utterances for samples: one per speaker in label order, then more, up to `count`. */
export function sampleUtterances(store: FeatureStore, count: number): CachedUtterance[] {
  const pool = store.validation.length > 0 ? store.validation : store.train;
  const chosen: CachedUtterance[] = [];
  for (const speaker of store.speakerMap.speakers) {
    const first = pool.find((utterance) => utterance.speaker === speaker);
    if (first && chosen.length < count) chosen.push(first);
  }
  for (const utterance of pool) if (chosen.length < count && !chosen.includes(utterance)) chosen.push(utterance);
  return chosen;
}

/** Target speakers for samples: every speaker, capped at `max` (label order). */
export function sampleTargets(store: FeatureStore, max: number): number[] {
  return store.speakerMap.speakers.slice(0, max).map((_, label) => label);
}

function safeName(text: string): string {
  return text.replace(/[^\w.-]+/g, "_");
}

/**
 * Writes `<speaker>_<id>__source.{png,wav}` and `<speaker>_<id>__to__<target>.{png,wav}` for the fixed
 * validation utterances into `folder`; WAVs are Griffin-Lim reconstructions with the run's FeatureSpec.
 * Returns the files written.
 */
export async function writeSamples(
  folder: string,
  generator: tf.LayersModel,
  config: GeneratorConfig,
  store: FeatureStore,
  conversion: RunConversion,
  options: SampleOptions,
): Promise<string[]> {
  const written: string[] = [];
  const spec = store.spec;
  const write = async (name: string, features: Spectrogram) => {
    await writeFileAtomic(join(folder, `${name}.png`), featuresPng(features, spec));
    const audio = synthesize(features, spec, { nIter: options.griffinLimIterations });
    await writeWavFile(join(folder, `${name}.wav`), audio, spec.sampleRate);
    written.push(join(folder, `${name}.png`), join(folder, `${name}.wav`));
  };
  for (const utterance of sampleUtterances(store, options.utterances)) {
    const features = store.readUtterance(utterance);
    const base = safeName(`${utterance.speaker}_${utterance.id}`);
    await write(`${base}__source`, features);
    const source = {
      label: store.speakerMap.index(utterance.speaker),
      statistics: conversion.speaker(utterance.speaker),
    };
    for (const target of sampleTargets(store, options.maxTargets)) {
      const targetId = store.speakerMap.speaker(target);
      const converted = convertFeatures(generator, config, conversion.map, features, source, {
        label: target,
        statistics: conversion.speaker(targetId),
      });
      await write(`${base}__to__${safeName(store.speakerMap.speaker(target))}`, converted);
    }
  }
  return written;
}
