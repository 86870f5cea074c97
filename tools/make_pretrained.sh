#!/usr/bin/env bash
# The recipe of the shipped models (MODEL_CARD.md): `make pretrained` runs it.
# usage: tools/make_pretrained.sh BINARY WORK_DIR MODELS_DIR
# Fetches the training music from Debian, makes the pairs, prepares them, trains Phase 1 and
# Phase 2 with fixed seeds at 2 threads, calibrates the policy's CUT bias on music held apart
# for it, and copies the two checkpoints to MODELS_DIR.
# The same binary, seeds and thread count give the same bytes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "$1"); WORK=$2; MODELS=$3
export OPENBLAS_NUM_THREADS=2
# OpenBLAS picks its sgemm kernel by processor, and kernels round differently: the files were
# made with its SkylakeX kernel (an Intel Xeon), where an AMD EPYC with AVX-512 BF16 gets
# Cooperlake's and a different Phase 1. Any AVX-512 processor can run SkylakeX's.
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SKYLAKEX}; fi
mkdir -p "$WORK"
WORK=$(realpath "$WORK")

# 1. Training music, four Debian packages of game soundtracks (electronic, orchestral, rock,
#    ambient): hyperrogue-music (CC-BY-SA-3.0), nexuiz-music (GPL-2+), singularity-music
#    (CC-BY-SA-3.0) and warzone2100-music (GPL-2+). drascula-music is held out for evaluation;
#    planetblupi-music-ogg is never used.
MUSIC="$WORK/music"
if [ ! -f "$MUSIC/.done-4" ]; then
  rm -rf "$MUSIC"
  "$HERE/fetch_debs.sh" "$MUSIC" hyperrogue-music nexuiz-music singularity-music warzone2100-music
  # nexuiz-music keeps its tracks (sound/cdtracks/*.ogg) inside a Quake-style zip.
  find "$MUSIC/x" -name '*.pk3' -exec python3 -m zipfile -e {} "$MUSIC/x/pk3" \;
  mkdir -p "$MUSIC/songs"
  cp "$MUSIC"/x/usr/share/hyperrogue/music/*.ogg "$MUSIC"/songs/
  find "$MUSIC/x" -path '*cdtracks*' -name '*.ogg' -exec cp {} "$MUSIC/songs/" \;
  # singularity-music's names have spaces; warzone2100-music's albums are Opus, and its
  # "_enhanced" files are remasters of tracks already there (left out, as is the menu theme).
  find "$MUSIC/x/usr/share/games/singularity/music" -name '*.ogg' | while IFS= read -r f; do
    b=$(basename "$f" .ogg); cp "$f" "$MUSIC/songs/singularity-${b// /_}.ogg"; done
  for f in "$MUSIC"/x/usr/share/games/warzone2100/music/albums/*/track*.opus; do
    case "$f" in *_enhanced.opus) continue;; esac
    a=$(basename "$(dirname "$f")"); cp "$f" "$MUSIC/songs/warzone2100-${a%%_*}-$(basename "$f")"; done
  touch "$MUSIC/.done-4"
fi
SONGS=$(ls "$MUSIC"/songs/*.ogg "$MUSIC"/songs/*.opus | LC_ALL=C sort)
echo "training songs: $(echo "$SONGS" | wc -l)"

# 2. Pairs. Real music in the clean-up style; synthetic tracks in the guide's style (Phase 1
#    learns every label) and in the clean-up style (Phase 2 learns one consistent style).
rm -rf "$WORK/pairs" "$WORK/phase1-data" "$WORK/phase2-data"
"$BIN" style-pairs $SONGS --out "$WORK/pairs/real" --per-recording 6 --seed 1301 --seconds 20-150 --style cleanup
"$BIN" synth --out "$WORK/pairs/synth-guide" --count 120 --seed 1302 --seconds 20-30 --style guide
"$BIN" synth --out "$WORK/pairs/synth-cleanup" --count 120 --seed 1303 --seconds 20-90 --style cleanup
merge() { # merge OUT SRC...: one raw/ and edited/ folder from several pair folders
  local out=$1; shift
  mkdir -p "$out/raw" "$out/edited"
  for s in "$@"; do cp "$s"/raw/*.wav "$out/raw/"; cp "$s"/edited/*.wav "$out/edited/"; done
}
merge "$WORK/phase1-data" "$WORK/pairs/real" "$WORK/pairs/synth-guide"
merge "$WORK/phase2-data" "$WORK/pairs/real" "$WORK/pairs/synth-cleanup"

# 3. Caches (labels inferred from each pair, as for any user's data).
rm -rf "$WORK/cache1" "$WORK/cache2" "$WORK/phase1" "$WORK/phase2"
"$BIN" prepare --raw "$WORK/phase1-data/raw" --edited "$WORK/phase1-data/edited" --out "$WORK/cache1"
"$BIN" prepare --raw "$WORK/phase2-data/raw" --edited "$WORK/phase2-data/edited" --out "$WORK/cache2"

# 4. Training: the tiny reconstruction preset, then the beat policy with the settings the
# shipped policy was trained with (tools/pretrained-phase2.json: `train policy`'s defaults
# until 2026-12-06, a 64-wide trunk with dropout 0.1, reading 34 beat features since
# 2026-12-07; the defaults have moved on since).
"$BIN" train reconstruction --data "$WORK/cache1" --out "$WORK/phase1" --preset tiny --seed 1304 \
  --describe-data "synthetic guide-style pairs (seed 1302) and real-music clean-up pairs (hyperrogue-music, nexuiz-music, singularity-music, warzone2100-music; seed 1301)"
"$BIN" train policy --data "$WORK/cache2" --reconstruction "$WORK/phase1/best.safetensors" --out "$WORK/phase2" --seed 1305 \
  --config "$HERE/pretrained-phase2.json" \
  --describe-data "synthetic clean-up pairs (seed 1303) and real-music clean-up pairs (hyperrogue-music, nexuiz-music, singularity-music, warzone2100-music; seed 1301)"

# 5. The policy's CUT bias, chosen on music it was not trained on: wesnoth-1.16-music (GPL-2+)
#    with the same kinds of defects put in (seed 7101), the largest bias at which those pairs
#    keep at least 97% of their clean beats (`calibrate`, docs/beat-policy.md).
CAL="$WORK/calibration-music"
if [ ! -f "$CAL/.done" ]; then
  rm -rf "$CAL"
  "$HERE/fetch_debs.sh" "$CAL" wesnoth-1.16-music
  mkdir -p "$CAL/songs" && cp "$CAL"/x/usr/share/games/wesnoth/1.16/data/core/music/*.ogg "$CAL/songs/"
  touch "$CAL/.done"
fi
rm -rf "$WORK/calibration-pairs"
"$BIN" style-pairs $(ls "$CAL"/songs/*.ogg | LC_ALL=C sort) --out "$WORK/calibration-pairs" --per-recording 2 --seed 7101 --seconds 20-150 --style cleanup
"$BIN" calibrate --policy "$WORK/phase2/best.safetensors" --data "$WORK/calibration-pairs" --clean-kept 0.97 \
  --out "$WORK/phase2/calibrated.safetensors" --force

mkdir -p "$MODELS"
cp "$WORK/phase1/best.safetensors" "$MODELS/reconstruction.safetensors"
cp "$WORK/phase2/calibrated.safetensors" "$MODELS/policy.safetensors"
sha256sum "$MODELS"/*.safetensors
