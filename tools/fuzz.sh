#!/usr/bin/env bash
# Runs each libFuzzer target (all of them, or those named) for FUZZ_SECONDS seconds, one after
# another, and fails on any crash, hang, leak or out-of-memory. Each target keeps its corpus in
# .cache/fuzz/<target> (never committed), seeded from the committed Fixtures/fuzz/<target>
# and the fixtures of its format; what libFuzzer finds goes to .cache/fuzz/artifacts/<target>
# and is copied into Fixtures/fuzz/<target>/, where FuzzRegressionTests replays it.
# FUZZ_RUNS=N also stops a target after N executions, whichever comes first.
# Usage: tools/fuzz.sh BINARY [TARGET...]   (make fuzz builds BINARY first)
set -u
bin=$1; shift
targets=${*:-"npy npz safetensors labels config audio"}
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
root=$(cd "$(dirname "$0")/.." && pwd)
failed=0

# The largest input libFuzzer makes, per target: room for a zip's members, or an audio header
# and some frames; 4 KiB elsewhere.
max_len() { case $1 in npz|audio) echo 16384 ;; *) echo 4096 ;; esac; }
# Fixture files of the target's format that fit within max_len.
fixture_seeds() {
  case $1 in
    npy) find "$root/Fixtures" -name '*.npy' ;;
    npz) find "$root/Fixtures" -name '*.npz' ;;
    safetensors) find "$root/Fixtures" -name '*.safetensors' ;;
    audio) find "$root/Fixtures" -name '*.flac' -o -name '*.wav' -o -name '*.ogg' ;;
  esac | while read -r f; do [ "$(stat -c %s "$f")" -le "$(max_len "$1")" ] && echo "$f"; done
}

for t in $targets; do
  corpus=$root/.cache/fuzz/$t artifacts=$root/.cache/fuzz/artifacts/$t regressions=$root/Fixtures/fuzz/$t
  mkdir -p "$corpus" "$artifacts"
  cp -n "$regressions"/* "$corpus"/ 2>/dev/null
  fixture_seeds "$t" | while read -r f; do cp -n "$f" "$corpus/fixture-$(basename "$f")"; done
  log=$root/.cache/fuzz/$t.log
  start=$(date +%s)
  # The Swift runtime's backtracer would catch the fatal signals before libFuzzer's handler.
  SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=suppressions=$root/tools/fuzz-lsan.supp:print_suppressions=0 "$bin" "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    $runs "$corpus" >"$log" 2>&1
  status=$?
  took=$(( $(date +%s) - start ))
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' \))
  echo "$t: ${executed:-0} executions in ${took} s (${rate:-0} exec/s), $(echo -n "$found" | grep -c .) crashes (log: .cache/fuzz/$t.log)"
  if [ $status -ne 0 ] || [ -n "$found" ]; then
    failed=1
    for f in $found; do
      cp "$f" "$regressions/" && echo "  $(basename "$f"): copied to Fixtures/fuzz/$t/ for FuzzRegressionTests"
      rm "$f"
    done
    grep -m3 -E 'ERROR: |Fatal error|SUMMARY' "$log" | sed 's/^/  /'
  fi
done
exit $failed
