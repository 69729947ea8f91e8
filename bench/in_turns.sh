#!/usr/bin/env bash
# Training steps once the JIT has settled, segspark and PyTorch in turns (segspark, PyTorch,
# PyTorch, segspark) per model, so that both meet the same spells of a shared host. Run it alone.
#   bench/in_turns.sh SIZE MODEL...        e.g. bench/in_turns.sh 128 mobilenet-v1 mobilenet-v2
#   SECONDS_TIMED (15), SKIP (25), THREADS (2), BATCH (4) in the environment change the defaults.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="$1"; shift
timed="${SECONDS_TIMED:-15}"; skip="${SKIP:-25}"; threads="${THREADS:-2}"; batch="${BATCH:-4}"
# the launcher's environment (see segspark): libgomp's spin, glibc's trim thresholds, OpenBLAS's core
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}" MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}" MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-67108864}"
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo && grep -qw avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
cp="$home/jobs/target/segspark-jobs-0.1.0-SNAPSHOT-app.jar:$(cat "$home/jobs/target/spark-classpath.txt")"
segspark() { java $(grep -v '^#' "$home/conf/jvm.options") -Xmx6g -cp "$cp" "$home/bench/SteadySteps.java" "$1" "$threads" "$size" "$batch" "$timed" "$skip" 2>/dev/null | grep '^segspark'; }
pytorch() { /usr/bin/python3 "$home/bench/torch_steps.py" "$1" "$threads" "$size" "$batch" "$timed"; }
for model in "$@"; do
  segspark "$model"; pytorch "$model"; pytorch "$model"; segspark "$model"
done
