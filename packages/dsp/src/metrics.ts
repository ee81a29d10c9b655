import { InvalidArgumentError } from "./errors.js";

/**
 * Spectral convergence ||A - B|| / ||A|| of two magnitude spectrograms of the same shape (Frobenius norms):
 * 0 when B equals the reference A. Griffin-Lim papers and torchaudio's tests report it.
 */
export function spectralConvergence(reference: Float32Array, estimate: Float32Array): number {
  if (reference.length !== estimate.length) {
    throw new InvalidArgumentError(
      "spectralConvergence(estimate)",
      `${reference.length} values like the reference`,
      estimate.length,
    );
  }
  let error = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i] as number;
    error += (a - (estimate[i] as number)) ** 2;
    norm += a * a;
  }
  return norm > 0 ? Math.sqrt(error / norm) : Math.sqrt(error);
}
