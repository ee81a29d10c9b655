import { applyFilterbank, type MelFilterbankOptions, melFilterbank } from "./mel.js";
import type { Spectrogram } from "./spectrogram.js";
import { StftPlan, type StftOptions } from "./stft.js";

export interface MelSpectrogramOptions extends StftOptions, Omit<MelFilterbankOptions, "nFft"> {
  /** Exponent of the STFT magnitude before the filterbank: 2 (power, librosa's default) or 1. */
  power?: 1 | 2;
}

/** librosa.feature.melspectrogram: mel filterbank @ |STFT|^power, [nMels, frames]. */
export function melSpectrogram(signal: Float32Array, options: MelSpectrogramOptions): Spectrogram {
  const plan = new StftPlan(options);
  const filterbank = melFilterbank({ ...options, nFft: plan.options.nFft });
  if ((options.power ?? 2) === 2) return plan.filteredPower(signal, filterbank);
  return applyFilterbank(filterbank, plan.magnitude(signal, 1));
}
