import { Mulberry32 } from "@vox/dsp";

/**
 * Runs `build` with Math.random drawn from `seed`. tfjs layers draw their initial weights from generators seeded by
 * Math.random when no seed is given (every vox layer, PyTorch's uniform(+-1/sqrt(fan_in)) included), so building
 * the networks inside this gives the same initial weights for the same seed, with each layer's own initialiser.
 * A run must start from the same weights whenever its seed is the same, or resume-equivalence and comparisons
 * between runs mean nothing.
 */
export function withSeededRandom<T>(seed: number, build: () => T): T {
  const generator = new Mulberry32(seed);
  const original = Math.random;
  Math.random = () => generator.next();
  try {
    return build();
  } finally {
    Math.random = original;
  }
}
