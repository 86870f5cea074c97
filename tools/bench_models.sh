#!/usr/bin/env bash
# Times `super-editor bench` and the PyTorch reference's `bench` on the same machine, same
# shapes and thread count, back to back, and prints both with the ratio (Swift / PyTorch;
# below 1 means Swift is faster) and each process's peak memory.
#
#   tools/bench_models.sh [PYTHON] [REFERENCE_DIR] [PRESETS...]
# PYTHON must have torch, numpy and safetensors (tools/requirements-models.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}; REF=${2:-../shared/reference}; shift $(( $# > 2 ? 2 : $# )) || true
PRESETS=${*:-tiny small seed}
THREADS=${THREADS:-2}
BIN=${BIN:-.build/release/super-editor}   # BIN=path/to/another/super-editor compares another build
[ -x "$BIN" ] || swift build -c release --product super-editor >/dev/null
export OPENBLAS_NUM_THREADS=$THREADS
printf '%-6s %-8s %10s %10s %7s %10s %10s %7s %9s %9s\n' preset blas swift_step torch_step ratio swift_inf torch_inf ratio swift_MiB torch_MiB
for p in $PRESETS; do
  s=$( { /usr/bin/time -f 'PEAK %M' "$BIN" bench --preset "$p" --steps 3 --json; } 2>&1 )
  t=$( { /usr/bin/time -f 'PEAK %M' "$PY" "$REF/super_editor_ref.py" bench --preset "$p" --steps 3 --threads "$THREADS"; } 2>&1 )
  "$PY" - "$p" "$s" "$t" <<'PYEOF'
import json, sys
p, s, t = sys.argv[1:]
def parse(text):
    js = [l for l in text.splitlines() if l.startswith("{")][-1]
    peak = [l for l in text.splitlines() if l.startswith("PEAK")][-1].split()[1]
    return json.loads(js), int(peak) / 1024
sj, sm = parse(s); tj, tm = parse(t)
print(f"{p:<6} {sj['blas_core']:<8} {sj['train_step_s']:10.4f} {tj['train_step_s']:10.4f} {sj['train_step_s']/tj['train_step_s']:7.2f} "
      f"{sj['infer_s']:10.4f} {tj['infer_s']:10.4f} {sj['infer_s']/tj['infer_s']:7.2f} {sm:9.0f} {tm:9.0f}")
PYEOF
done
