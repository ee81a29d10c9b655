#!/usr/bin/env bash
# Rebuilds packages/datasets/demo-corpus: five synthetic voices saying the same 30 short sentences
# (tools/demo-sentences.tsv; at most ~10 MB in all), 16 kHz mono 16-bit WAV, leading/trailing silence trimmed, peak-normalised.
# With arguments, `make-demo-corpus.sh SENTENCES.tsv OUT` has the same voices read other sentences (id<TAB>text) into
# OUT, which must not exist yet (packages/cli/experiments/target-voices-read.ts uses it).
# Needs Debian's festival, festvox-kallpc16k, festvox-kdlpc16k, festvox-us-slt-hts, espeak-ng and sox:
#   apt-get install -y festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts espeak-ng sox
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../packages/datasets/demo-corpus"
sentences="$here/demo-sentences.tsv"
if [ $# -gt 0 ]; then
  [ $# -eq 2 ] || { echo "make-demo-corpus: expected SENTENCES.tsv OUT, found $# arguments" >&2; exit 2; }
  [ -f "$1" ] || { echo "make-demo-corpus: $1: no such sentences file" >&2; exit 2; }
  [ ! -e "$2" ] || { echo "make-demo-corpus: $2 exists; expected a new folder" >&2; exit 2; }
  sentences="$1"
  out="$2"
fi
for tool in text2wave espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-demo-corpus: $tool not found (see the apt-get line at the top)" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# speaker id -> synthesiser command reading text on stdin and writing the WAV named by $1
synth() {
  local speaker="$1" wav="$2"
  case "$speaker" in
    kal) text2wave -eval "(begin (voice_kal_diphone) (Parameter.set 'Duration_Stretch 0.92))" -o "$wav" ;;
    ked) text2wave -eval "(begin (voice_ked_diphone) (Parameter.set 'Duration_Stretch 0.92))" -o "$wav" ;;
    slt) text2wave -eval "(voice_cmu_us_slt_arctic_hts)" -o "$wav" ;;
    espeak-f) espeak-ng -v en-us+f3 -s 165 --stdin -w "$wav" ;;
    espeak-m) espeak-ng -v en-gb-x-rp+m3 -s 165 --stdin -w "$wav" ;;
  esac 2>"$work/synth.err"
  # festival falls back to its default voice when one is missing, and says so only on stderr.
  if grep -q "SIOD ERROR" "$work/synth.err"; then
    echo "make-demo-corpus: $speaker: $(head -1 "$work/synth.err") (see the apt-get line at the top)" >&2
    exit 1
  fi
}

rm -rf "$out"
for speaker in kal ked slt espeak-f espeak-m; do
  mkdir -p "$out/$speaker"
  while IFS=$'\t' read -r id text; do
    printf '%s\n' "$text" | synth "$speaker" "$work/raw.wav"
    # Trim leading and trailing silence below 0.1% of full scale, keep 50 ms of room each side.
    sox "$work/raw.wav" -r 16000 -c 1 -b 16 "$out/$speaker/$id.wav" \
      silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse pad 0.05 0.05 norm -3
  done < "$sentences"
done
cp "$sentences" "$out/transcripts.tsv"
cat > "$out/LICENSE.md" <<'NOTE'
# Demo corpus licence

Made by `tools/make-demo-corpus.sh` in this repository from `tools/demo-sentences.tsv`.

- Sentences: written for vox; dedicated to the public domain (CC0 1.0).
- Voices: synthesised with Debian's packages. festival's `kal_diphone` and `ked_diphone` (festvox-kallpc16k,
  festvox-kdlpc16k) and `cmu_us_slt_arctic_hts` (festvox-us-slt-hts) are distributed under festvox's free licence
  (free use, modification and distribution, including commercially, with the copyright notice kept; see
  /usr/share/doc/festvox-*/copyright on a Debian machine); espeak-ng (GPL-3.0+) output is not covered by its
  licence. The recordings here are output of those programs and may be used for any purpose.
NOTE
du -sh "$out"
