#!/usr/bin/env python3
"""Reference values for @vox/dsp's source-filter analysis, from Debian's SPTK 3.9 (apt-get install sptk).

Run: /usr/bin/python3 tools/make-world-fixtures.py
Writes packages/dsp/fixtures/world-reference.json:
- mcep: log-amplitude spectra (513 bins of n_fft 1024) of three all-pole envelopes (numpy), their one-sided
  cepstra (numpy), SPTK `freqt -m 512 -M 39 -a 0 -A 0.42` of those cepstra, and SPTK `mgc2sp -a 0.42 -g 0 -m 39
  -l 1024 -o 1` (ln|H|) of the result.
- pitch: SPTK `pitch -a 1` (SWIPE') of fixtures/speech-16k.wav, 16 kHz, 5 ms frames (-p 80), 71-800 Hz, in Hz.
"""
import json
import pathlib
import subprocess
import wave

import numpy as np

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "packages/dsp/fixtures"
SPTK = pathlib.Path("/usr/libexec/sptk/bin")
N = 1024
ORDER = 39
ALPHA = 0.42


def sptk(command, data):
    out = subprocess.run([str(SPTK / command[0]), *command[1:]], input=np.asarray(data, "<f4").tobytes(),
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, "<f4").astype(np.float64)


def all_pole_log_amplitude(formants):
    w = np.pi * np.arange(N // 2 + 1) / (N // 2)
    z = np.exp(-1j * w)
    a = np.ones_like(z)
    for f, bw in formants:
        r = np.exp(-np.pi * bw / 16000)
        theta = 2 * np.pi * f / 16000
        a = a * (1 - 2 * r * np.cos(theta) * z + r * r * z * z)
    return -np.log(np.abs(a)) + 0.3 * np.cos(w)  # a gentle tilt as well


def one_sided_cepstrum(log_amplitude):
    full = np.concatenate([log_amplitude, log_amplitude[-2:0:-1]])
    c = np.fft.ifft(full).real[: N // 2 + 1]
    c[1 : N // 2] *= 2
    return c


def f32(a):
    return [float(f"{x:.9g}") for x in np.asarray(a, dtype=np.float32).ravel()]


envelopes = [
    [(500, 80), (1500, 120), (2500, 160)],
    [(300, 60), (2300, 100), (3000, 200), (3800, 250)],
    [(700, 100), (1200, 90), (2600, 150)],
]
mcep = []
for formants in envelopes:
    log_amplitude = all_pole_log_amplitude(formants)
    c = one_sided_cepstrum(log_amplitude)
    mc = sptk(["freqt", "-m", str(N // 2), "-M", str(ORDER), "-a", "0", "-A", str(ALPHA)], c)
    back = sptk(["mgc2sp", "-a", str(ALPHA), "-g", "0", "-m", str(ORDER), "-l", str(N), "-o", "1"], mc)
    mcep.append({"logAmplitude": f32(log_amplitude), "cepstrum": f32(c), "freqt": f32(mc), "mgc2sp": f32(back)})

with wave.open(str(fixtures / "speech-16k.wav")) as w:
    speech = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
pitch = sptk(["pitch", "-a", "1", "-s", "16", "-p", "80", "-L", "71", "-H", "800", "-o", "1"], speech)

(fixtures / "world-reference.json").write_text(json.dumps({
    "generator": "tools/make-world-fixtures.py (SPTK 3.9: freqt, mgc2sp, pitch -a 1)",
    "fftSize": N, "order": ORDER, "alpha": ALPHA,
    "mcep": mcep,
    "pitch": {"sampleRate": 16000, "hop": 80, "f0Floor": 71, "f0Ceil": 800, "f0": f32(pitch)},
}) + "\n")
print("wrote", fixtures / "world-reference.json")
