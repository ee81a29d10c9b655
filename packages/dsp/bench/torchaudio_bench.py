#!/usr/bin/env python3
"""torchaudio twin of bench/run.ts: the same three jobs, one thread, prints JSON {name: median seconds}.

Input: argv[1] = a raw little-endian float32 file of 60 s of 16 kHz audio (written by run.ts).
"""
import json
import sys
import time

import numpy as np
import torch
import torchaudio

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
signal = torch.from_numpy(np.fromfile(sys.argv[1], dtype="<f4"))
ten = signal[: 16000 * 10]
window = torch.hann_window(512)
spec = torchaudio.transforms.Spectrogram(n_fft=512, hop_length=128, power=1.0, pad_mode="constant")
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, hop_length=128, n_mels=80, power=2.0,
                                           norm="slaney", mel_scale="slaney", pad_mode="constant")
magnitude10 = torch.stft(ten, 512, 128, 512, window, return_complex=True).abs()


def median_time(fn, repeats):
    for _ in range(3):  # warm-up, as run.ts
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


result = {
    "stft": median_time(lambda: spec(signal), 25),
    "mel": median_time(lambda: mel(signal), 25),
    "griffinLim": median_time(lambda: torchaudio.functional.griffinlim(magnitude10, window, 512, 128, 512, 1.0, 32,
                                                                       0.99, len(ten), True), 5),
}
print(json.dumps(result))
