#!/usr/bin/env bash
# Compares DeepRelax's CPU Sgemm (JMH, SgemmBenchmark) with numpy's float32 matmul (OpenBLAS) on
# square sizes in one sitting, and prints size, GFLOP/s of each and their ratio.
#
# Usage: bench/sgemm-vs-numpy.sh            (about 2 minutes, plus a build if needed)
#   SIZES=512,1024 bench/sgemm-vs-numpy.sh  other sizes
#   JMH_OPTS="-f 1 -wi 8 -w 1s -i 15 -r 1s" bench/sgemm-vs-numpy.sh  longer JMH runs
#
# Both sides use every core. Each size runs numpy and then JMH back to back, but on a machine
# shared with other work a busy spell can still hit one side only: run it twice before trusting a
# ratio.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/jdk25.sh"
deeprelax_use_jdk25 sgemm-vs-numpy || exit 1
cd "$DEEPRELAX_ROOT"
JAVA="$JAVA_HOME/bin/java"
# shellcheck disable=SC2207  # the flags are words
JFLAGS=($(deeprelax_jvm_flags))
SIZES="${SIZES:-256,512,1024,2048}"
JMH_OPTS="${JMH_OPTS:--f 1 -wi 6 -w 1s -i 8 -r 1s}"
NUMPY_SECONDS="${NUMPY_SECONDS:-4}"
JAR=bench/target/benchmarks.jar

# Build when the jar is missing or older than any source or pom it is made from.
if [[ ! -f "$JAR" ]] || [[ -n "$(find core/src bench/src pom.xml core/pom.xml bench/pom.xml -newer "$JAR" -print -quit)" ]]; then
  echo "== building $JAR"
  mvn -q -B -pl bench -am package -DskipTests
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Size by size, numpy then JMH, so that both sides of a row run within seconds of each other.
IFS=, read -r -a sizes <<< "$SIZES"
for n in "${sizes[@]}"; do
  echo "== n=$n: numpy (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this command)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/python/numpy_sgemm.py \
    --sizes "$n" --seconds "$NUMPY_SECONDS" | tee -a "$tmp/numpy.txt"
  echo "== n=$n: DeepRelax Sgemm (JMH $JMH_OPTS)"
  # shellcheck disable=SC2086  # JMH_OPTS is a list of options
  "$JAVA" "${JFLAGS[@]}" -cp "$JAR" \
    org.deeprelax.bench.SgemmReport $JMH_OPTS -p n="$n" 2>&1 \
    | grep -v -e 'Using incubator modules' -e 'sun.misc.Unsafe' -e 'terminally deprecated' \
    | tee -a "$tmp/jmh.txt"
done
echo
echo "== SGEMM C = A·B, n×n float32, GFLOP/s = 2n³ / mean time per multiply ($(nproc) cores)"
awk '
  /^NUMPY / { split($2, a, "="); split($5, g, "="); np[a[2]] = g[2] }
  /^SGEMM / { split($2, a, "="); split($5, g, "="); ours[a[2]] = g[2]; order[++count] = a[2] }
  END {
    printf "%6s  %14s  %14s  %6s\n", "n", "ours GFLOP/s", "numpy GFLOP/s", "ratio"
    for (i = 1; i <= count; i++) {
      n = order[i]
      r = (n in np && np[n] > 0) ? sprintf("%.2f", ours[n] / np[n]) : "-"
      printf "%6d  %14.1f  %14.1f  %6s\n", n, ours[n], np[n], r
    }
  }' "$tmp/numpy.txt" "$tmp/jmh.txt"
