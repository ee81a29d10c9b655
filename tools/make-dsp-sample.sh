#!/usr/bin/env bash
# Makes packages/dsp/fixtures/speech-16k.wav: a short English sentence from espeak-ng, 16 kHz mono 16-bit.
# Needs Debian's espeak-ng and sox: apt-get install -y espeak-ng sox
set -euo pipefail
out="$(dirname "$0")/../packages/dsp/fixtures/speech-16k.wav"
tmp="$(mktemp --suffix=.wav)"
trap 'rm -f "$tmp"' EXIT
espeak-ng -v en-us -s 150 -w "$tmp" "The quick brown fox jumps over the lazy dog, and the words must survive."
sox "$tmp" -r 16000 -c 1 -b 16 "$out" rate -v
soxi "$out"
