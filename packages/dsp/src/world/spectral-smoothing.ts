/**
 * Helpers shared by the envelope (CheapTrick) and aperiodicity (D4C) estimators, on half spectra: bins
 * 0..fftSize/2 of a spectrum sampled every sampleRate / fftSize Hz.
 */

/**
 * Folds the part of a power spectrum below F0 back onto itself (P(f) += P(f0 - f) for f < f0): a window a few
 * periods long leaks the fundamental into the DC bins, and without this the envelope dips towards 0 Hz.
 */
export function dcCorrection(power: Float64Array, f0: number, sampleRate: number, fftSize: number): void {
  const step = sampleRate / fftSize;
  const original = power.slice(0, Math.min(power.length, Math.ceil(f0 / step) + 2));
  for (let k = 0; k * step < f0 && k < power.length; k++) {
    const position = (f0 - k * step) / step;
    const i = Math.floor(position);
    const w = position - i;
    const a = original[i] ?? 0;
    const b = original[i + 1] ?? a;
    power[k] = (power[k] as number) + a * (1 - w) + b * w;
  }
}

/** Scratch for {@link linearSmoothing}, grown on demand. */
let extended = new Float64Array(0);
let cumulative = new Float64Array(0);

/**
 * Replaces `values` by its mean over a rectangular window `width` Hz wide centred on each bin, the spectrum
 * mirrored at 0 Hz and at Nyquist (a cumulative sum, read at fractional positions).
 */
export function linearSmoothing(values: Float64Array, width: number, sampleRate: number, fftSize: number): void {
  const bins = values.length;
  const step = sampleRate / fftSize;
  const margin = Math.ceil(width / step / 2) + 2;
  const total = bins + 2 * margin;
  if (extended.length < total) {
    extended = new Float64Array(total);
    cumulative = new Float64Array(total + 1);
  }
  for (let j = 0; j < total; j++) {
    let k = j - margin;
    if (k < 0) k = -k;
    if (k >= bins) k = 2 * (bins - 1) - k;
    extended[j] = values[Math.max(0, Math.min(bins - 1, k))] as number;
  }
  // cumulative[j] = integral up to the lower edge of extended cell j (cells are one bin wide).
  cumulative[0] = 0;
  for (let j = 0; j < total; j++) cumulative[j + 1] = (cumulative[j] as number) + (extended[j] as number);
  const halfWidth = width / step / 2;
  for (let k = 0; k < bins; k++) {
    const centre = k + margin + 0.5; // in cell-edge coordinates
    values[k] = (integralAt(centre + halfWidth) - integralAt(centre - halfWidth)) / (2 * halfWidth);
  }
}

function integralAt(position: number): number {
  const i = Math.floor(position);
  const w = position - i;
  return (cumulative[i] as number) * (1 - w) + (cumulative[i + 1] as number) * w;
}
