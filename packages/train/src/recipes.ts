import type { featureSpecs } from "@vox/dsp";
import type { PresetName } from "@vox/models";

/** A whole training recipe: the features, the preset and the TrainConfig fields over the preset's defaults. */
export interface Recipe {
  /** A named FeatureSpec (`vox prepare --spec`). */
  spec: keyof typeof featureSpecs;
  preset: PresetName;
  steps: number;
  /** TrainConfig fields over the preset's (steps excluded). */
  overrides: Record<string, unknown>;
  /**
   * Runs trained and converted as one ensemble (averagedGenerator): the same recipe on one split under seeds
   * {@link memberSeeds} gives. 1: a single run.
   */
  members: number;
}

/**
 * The seed and split seed of each of an ensemble's `members` runs over `seed`: the first run is `seed` as a single
 * run would be (its split included); the others add 100, 200, ... to the seed and keep the first run's split.
 */
export function memberSeeds(members: number, seed = 0): { seed: number; splitSeed: number | null }[] {
  return Array.from({ length: members }, (_, k) => ({ seed: seed + 100 * k, splitSeed: k === 0 ? null : seed }));
}

/**
 * What `pnpm demo` trains, and what the @vox/train bench times beside its PyTorch twin: the winner of the recipe
 * sweep (packages/cli/experiments/sweep.ts) within the demo's 10-minute budget on 2 cores.
 */
export const demoRecipe: Recipe = Object.freeze({
  // The sweeps of 2026-12-01 (table in the root README): on world features `tiny`'s generator keeps the words
  // (WER 0.74 against 0.89 on mel80); judged by the temporal discriminator, whose classifier hears every patch,
  // it also beats the no-learning shift on MCD and, with the global-variance postfilter, on speaker accuracy.
  // Fifth session: the converted c0 (frame energy) replaced by the source's under the shift
  // (`global-variance+source-energy`): over four runs WER 0.80 -> 0.77 (resynthesis + 0.115 -> + 0.08), speaker
  // accuracy unchanged (0.83), MCD +0.05 dB (README).
  // Sixth session: 300 reconstruction-only updates of the generator first (`generatorWarmup`, 36 s): over seeds
  // 0-2 speaker accuracy 0.82 -> 0.88, every seed higher, WER and MCD unchanged; 600 did no better (README).
  // Seventh session: the native batch-norm and conv kernels make a step about a third as long, so the demo's
  // budget holds four times the GAN steps (2400 after the 300 warm-up updates: about 4 minutes of training on 2
  // cores). Over seeds 0-2 against 600: MCD 4.43 -> 4.28 (the shift 4.41: below it under every seed), speaker
  // accuracy 0.88 -> 0.90, WER 0.79 -> 0.76 (resynthesis 0.70); 1200 steps fell between (README).
  // Ninth session: the generator told the source speaker too (`condition: "source-and-target"`, StarGAN-VC2's
  // code on tiny's tiled labels), so each pair is learned as such. Over seeds 0-2: speaker accuracy 0.90 ->
  // 0.98 (the shift 0.70), WER 0.76 -> 0.79 (resynthesis 0.71), MCD 4.28 -> 4.36 (the shift 4.41) (README).
  // Tenth session: with the source in the condition the model reaches the target without the global-variance
  // postfilter, which now only costs: source energy alone over the same seeds, MCD 4.36 -> 4.26 (lower under
  // every seed), WER 0.79 -> 0.76, the human reader 0.69 -> 0.68, speaker accuracy 0.98 -> 0.96 (README).
  spec: "world",
  preset: "tiny-cepstral",
  steps: 2400,
  members: 1,
  overrides: Object.freeze({
    batchSize: 4,
    cropFrames: 64,
    normalization: "global",
    postfilter: "source-energy",
    generatorWarmup: 300,
    model: Object.freeze({ generator: Object.freeze({ condition: "source-and-target" }) }),
  }),
}) as Recipe;

/**
 * The longer recipe (`vox demo --recipe longer`, well within an hour on 2 cores): the demo recipe at four times its
 * GAN steps, converted with the source's frame-to-frame detail put back.
 */
export const longerRecipe: Recipe = Object.freeze({
  // Thirteenth session: at 9600 steps every seed reaches the target voice (speaker accuracy 1.00 under seeds 0-2)
  // and MCD falls under every seed (4.16 -> 4.09 against 4800 steps); WER is 0.742 on the mean against
  // resynthesis + 0.05 = 0.755, met under one seed of three.
  // Fourteenth session: `source-energy+source-detail` (the generator's mel-cepstral contour smoothed over 9 frames,
  // the source's detail about its own contour): over the same three runs WER 0.664 / 0.761 / 0.800 -> 0.614 /
  // 0.729 / 0.779 (mean 0.707), MCD and speaker accuracy unchanged, met under two seeds of three. At the demo's
  // 2400 steps it moves nothing (mean 0.758 -> 0.762), so the demo recipe keeps `source-energy` (README).
  ...demoRecipe,
  steps: 9600,
  overrides: Object.freeze({ ...demoRecipe.overrides, postfilter: "source-energy+source-detail" }),
}) as Recipe;

/**
 * The ensemble recipe (`vox demo --recipe ensemble`, about the longer recipe's training time on 2 cores): the demo
 * recipe trained three times on one split (seeds 0, 100, 200), the three generators' outputs averaged.
 */
export const ensembleRecipe: Recipe = Object.freeze({
  // Fifteenth session: on the splits of seeds 0-2, three runs of the demo recipe averaged against the mean of the
  // same three runs: WER 0.747 -> 0.706 (lower under every split), MCD 4.23 -> 4.13, speaker accuracy 0.947 ->
  // 0.958, the human reader 0.666 -> 0.631. Against the longer recipe (one run of 9600 steps, about the same time):
  // the same WER (0.707), fewer of the human reader's words lost (0.660), less of the voice (1.00) (README). Three
  // runs of the longer recipe averaged gained far less (splits 2 and 3: WER 0.794 -> 0.782, 0.801 -> 0.779) for
  // three times its time.
  ...demoRecipe,
  members: 3,
}) as Recipe;

/** The recipes `vox demo --recipe` trains, by name. */
export const recipes = Object.freeze({ demo: demoRecipe, longer: longerRecipe, ensemble: ensembleRecipe });
export type RecipeName = keyof typeof recipes;
