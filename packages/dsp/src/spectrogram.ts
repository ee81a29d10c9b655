/**
 * A real spectrogram (magnitude, power, dB or [0,1] features): `bins` rows x `frames` columns, row-major
 * (frequency-major, as librosa's `[freq, time]` and tfjs's NHWC `[batch, freq, time, channel]` both lay it out).
 * Value of bin f at frame t: `data[f * frames + t]`.
 */
export interface Spectrogram {
  data: Float32Array;
  bins: number;
  frames: number;
}

/** A complex STFT in the same layout as {@link Spectrogram}, with real and imaginary parts apart. */
export interface ComplexSpectrogram {
  re: Float32Array;
  im: Float32Array;
  bins: number;
  frames: number;
}

export function createSpectrogram(bins: number, frames: number): Spectrogram {
  return { data: new Float32Array(bins * frames), bins, frames };
}
