#!/usr/bin/env python3
"""Reference values for @vox/dsp's numeric tests, from torchaudio 0.13 / numpy / scipy (Debian packages).

Run: /usr/bin/python3 tools/make-dsp-fixtures.py   (apt-get install python3-torchaudio python3-scipy)
Writes packages/dsp/fixtures/reference.json. librosa itself is not packaged in Debian; where torchaudio's
defaults differ from librosa's we pass librosa's settings explicitly (slaney scale and norm, constant padding,
periodic Hann) or write librosa's formula in numpy, as noted per entry.
"""
import json
import pathlib
import wave

import numpy as np
import scipy.optimize
import torch
import torchaudio

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "packages/dsp/fixtures"
torch.set_num_threads(1)


def f32(a):
    # 9 significant digits round-trip a float32 exactly.
    return [float(f"{x:.9g}") for x in np.asarray(a, dtype=np.float32).ravel()]


def read_speech():
    with wave.open(str(fixtures / "speech-16k.wav")) as w:
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return (raw.astype(np.float64) / 32768.0).astype(np.float32)  # soundfile's scaling


rng = np.random.default_rng(31)
n = 2048
t = np.arange(n) / 16000
signal = (0.5 * np.sin(2 * np.pi * (200 * t + 3000 * t * t)) + 0.05 * rng.standard_normal(n)).astype(np.float32)
speech = read_speech()
out = {"generator": f"torchaudio {torchaudio.__version__}, torch {torch.__version__}, numpy {np.__version__}, scipy {scipy.__version__}",
       "signal": f32(signal)}


def torch_stft(x, n_fft, hop, win, pad_mode):
    window = torch.hann_window(win, periodic=True, dtype=torch.float64)
    return torch.stft(torch.from_numpy(x.astype(np.float64)), n_fft, hop, win, window, center=True,
                      pad_mode=pad_mode, return_complex=True).numpy()


# STFT: torch.stft with librosa's settings (periodic Hann padded to n_fft, centred).
out["stft"] = []
for n_fft, hop, win, pad in [(512, 128, 512, "constant"), (256, 64, 200, "reflect")]:
    X = torch_stft(signal, n_fft, hop, win, pad)
    out["stft"].append({"nFft": n_fft, "hop": hop, "winLength": win, "padMode": pad,
                        "bins": X.shape[0], "frames": X.shape[1], "re": f32(X.real), "im": f32(X.imag)})

# Mel filterbanks: librosa's filters.mel formula transcribed in float64 numpy (torchaudio's melscale_fbanks
# computes in float32 and is off by ~3e-4 relative near the triangles' feet; it is checked against this below).
def hz_to_mel(f, htk):
    f = np.asarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = f / (200.0 / 3)
    log_region = f >= 1000.0
    mels[log_region] = 15.0 + np.log(f[log_region] / 1000.0) / (np.log(6.4) / 27.0)
    return mels


def mel_to_hz(m, htk):
    m = np.asarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = m * (200.0 / 3)
    log_region = m >= 15.0
    freqs[log_region] = 1000.0 * np.exp(np.log(6.4) / 27.0 * (m[log_region] - 15.0))
    return freqs


def librosa_mel(sr, n_fft, n_mels, fmin, fmax, htk, slaney_norm):
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel([fmin], htk)[0], hz_to_mel([fmax], htk)[0], n_mels + 2), htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        weights[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    if slaney_norm:
        weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    return weights


out["melFilterbank"] = []
for sr, n_fft, n_mels, fmin, fmax, scale, norm in [(22050, 2048, 128, 0.0, 11025.0, "slaney", "slaney"),
                                                   (16000, 1024, 80, 80.0, 7600.0, "slaney", "slaney"),
                                                   (16000, 512, 40, 0.0, 8000.0, "htk", None)]:
    W = librosa_mel(sr, n_fft, n_mels, fmin, fmax, scale == "htk", norm == "slaney")
    ta = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, fmin, fmax, n_mels, sr, norm=norm, mel_scale=scale)
    assert np.abs(ta.numpy().T - W).max() <= 1e-3 * W.max(), "torchaudio disagrees with librosa's formula"
    rows = list(range(n_mels)) if n_mels <= 80 else [0, 1, 2, 40, 64, 100, 127]  # keep the fixture small
    out["melFilterbank"].append({"sampleRate": sr, "nFft": n_fft, "nMels": n_mels, "fmin": fmin, "fmax": fmax,
                                 "scale": scale, "norm": norm or "none", "rows": rows, "weights": f32(W[rows])})

# Mel spectrogram of half a second of speech (power 2), torchaudio with librosa's settings.
clip = speech[4000:12000]
mel_transform = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=1024, hop_length=256, f_min=0.0,
                                                     f_max=8000.0, n_mels=80, power=2.0, norm="slaney",
                                                     mel_scale="slaney", center=True, pad_mode="constant")
mel = mel_transform(torch.from_numpy(clip.astype(np.float32))).numpy().astype(np.float64)
out["melSpectrogram"] = {"offset": 4000, "length": 8000, "nFft": 1024, "hop": 256, "nMels": 80, "fmin": 0,
                         "fmax": 8000, "bins": mel.shape[0], "frames": mel.shape[1], "values": f32(mel)}

# dB: librosa's formulas in numpy (torchaudio's AmplitudeToDB clips top_db per channel, not over the array).
def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    log_spec = 10.0 * np.log10(np.maximum(amin, S)) - 10.0 * np.log10(np.maximum(amin, ref))
    return np.maximum(log_spec, log_spec.max() - top_db) if top_db is not None else log_spec


mag = np.abs(torch_stft(signal, 512, 128, 512, "constant"))
out["db"] = {"powerToDb": f32(power_to_db(mel)),
             "powerToDbNoTop": f32(power_to_db(mel, ref=1e-3, top_db=None)),
             "amplitudeToDbRefMax": f32(power_to_db(mag ** 2, ref=mag.max() ** 2, amin=1e-10, top_db=80.0)),
             "magnitude": f32(mag)}

# mel -> linear: scipy's exact NNLS per frame; the test compares residual norms ||A x - m||.
fb = torchaudio.functional.melscale_fbanks(513, 0.0, 8000.0, 80, 16000, norm="slaney", mel_scale="slaney").numpy().T
A = fb.astype(np.float64)
residuals = []
for j in range(mel.shape[1]):
    x, r = scipy.optimize.nnls(A, mel[:, j], maxiter=10000)
    residuals.append(r)
out["melToLinear"] = {"residualNorms": [float(r) for r in residuals],
                      "melNorms": [float(np.linalg.norm(mel[:, j])) for j in range(mel.shape[1])]}

# Griffin-Lim: torchaudio's spectral convergence on the speech sample, momentum 0.99, 32 iterations.
S = np.abs(torch_stft(speech, 512, 128, 512, "constant"))
window = torch.hann_window(512, periodic=True, dtype=torch.float64)
gl = []
for seed in range(3):
    torch.manual_seed(seed)
    y = torchaudio.functional.griffinlim(torch.from_numpy(S), window, 512, 128, 512, 1.0, 32, 0.99, len(speech), True)
    R = np.abs(torch_stft(y.numpy(), 512, 128, 512, "constant"))
    gl.append(float(np.linalg.norm(S - R) / np.linalg.norm(S)))
out["griffinLim"] = {"nFft": 512, "hop": 128, "nIter": 32, "momentum": 0.99, "torchaudioSpectralConvergence": gl}

(fixtures / "reference.json").write_text(json.dumps(out))
print("wrote", fixtures / "reference.json", (fixtures / "reference.json").stat().st_size, "bytes; GL SC", gl)
