#!/usr/bin/env bash
# The shipped models' held-out figures (MODEL_CARD.md): `make pretrained-eval` runs it.
# usage: tools/evaluate_pretrained.sh BINARY WORK_DIR
# drascula-music (Drascula licence, BSD-like) is never trained on: its 31 tracks get the same
# kinds of defects put in (seed 7001), and the shipped policy is judged per true reason.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "$1"); WORK=$2
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
MUSIC="$WORK/heldout-music"
if [ ! -f "$MUSIC/.done" ]; then
  rm -rf "$MUSIC"
  "$HERE/fetch_debs.sh" "$MUSIC" drascula-music
  mkdir -p "$MUSIC/songs" && cp "$MUSIC"/x/usr/share/scummvm/drascula/audio/*.ogg "$MUSIC/songs/"
  touch "$MUSIC/.done"
fi
rm -rf "$WORK/heldout-pairs"
"$BIN" style-pairs $(ls "$MUSIC"/songs/*.ogg | LC_ALL=C sort) --out "$WORK/heldout-pairs" --per-recording 2 --seed 7001 --seconds 20-150 --style cleanup
"$BIN" evaluate cleanup --data "$WORK/heldout-pairs"
