/**
 * Periodic Hann window of `length` samples (scipy `get_window('hann', N, fftbins=True)`, librosa's default),
 * centred and zero-padded to `padTo` samples when `padTo > length`, as librosa pads a short window to n_fft.
 */
export function hannWindow(length: number, padTo = length): Float64Array {
  const window = new Float64Array(padTo);
  const offset = Math.floor((padTo - length) / 2);
  for (let n = 0; n < length; n++) window[offset + n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return window;
}
