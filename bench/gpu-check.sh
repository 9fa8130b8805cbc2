#!/usr/bin/env bash
# The GPU-machine check: the CUDA tests, then SGEMM and a convolution timed beside PyTorch, and a table last.
# Prepared on a machine with a JDK and Maven by bench/gpu-prepare.sh, which fills .device/ (a Java 25
# runtime, the jars, the JUnit console launcher); run here from anywhere in the repository, carrying .device.
#
#   bench/gpu-check.sh [--tests-only] [reps]     (reps: timed repetitions per benchmark case, default 20)
#
# Exit status: 0 only when tests ran, none failed, and, on a machine where nvidia-smi lists a GPU, the
# CUDA backend opened, no test was skipped or aborted (there a skip is a failure) and the benchmark ran.
# Without a GPU the tests that need one skip, saying why, and the script says so and exits 0.
#   1. the tests of package org.deeprelax.cuda through the console launcher (--fail-if-no-tests), except
#      those tagged toolchain (they need nvcc or gcc, not a GPU; CI runs them);
#   2. GpuBench: SGEMM 4096 and All-CNN-BN's first convolution at batch 128, forward and backward, fp32
#      with TF32 off, CUDA-event timing, median of reps;
#   3. the same calls in PyTorch (bench/python/torch_reference.py) with the machine's PyTorch, run with
#      LD_LIBRARY_PATH unset (PyTorch refuses to start when a system cuDNN comes first on it);
#   4. a summary: the test counts, the device, the figures side by side.
# Logs and the XML test reports go to $OUT/gpu-check ($OUT defaults to /tmp).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/jdk25.sh"
cd "$DEEPRELAX_ROOT"

TESTS_ONLY=0
if [ "${1:-}" = "--tests-only" ]; then TESTS_ONLY=1; shift; fi
REPS=${1:-20}
DEVICE=${DEEPRELAX_DEVICE_DIR:-.device}
JAVA="$DEVICE/jre/bin/java"
LOG=${OUT:-/tmp}/gpu-check
mkdir -p "$LOG"

deeprelax_is_java25 "$DEVICE/jre" || { echo "gpu-check: no Java 25 runtime at $DEVICE/jre: run bench/gpu-prepare.sh on a machine with a JDK 25 and Maven, and carry $DEVICE" >&2; exit 2; }
[ -s "$DEVICE/junit-platform-console-standalone.jar" ] && compgen -G "$DEVICE/jars/*.jar" >/dev/null \
  || { echo "gpu-check: $DEVICE lacks the jars or the console launcher: run bench/gpu-prepare.sh" >&2; exit 2; }
CP=$(printf '%s:' "$DEVICE"/jars/*.jar)
# shellcheck disable=SC2206  # the flags are words
JFLAGS=($(deeprelax_jvm_flags) -Xmx8g)

gpus=0
if command -v nvidia-smi >/dev/null; then
  gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
  [ "$gpus" -gt 0 ] && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
fi
if [ "$gpus" -gt 0 ]; then
  echo "gpu-check: nvidia-smi lists $gpus GPU(s): every CUDA test must run; a skip fails the check"
else
  echo "gpu-check: no GPU here (nvidia-smi lists none): the CUDA tests skip, and the check says so"
fi

echo "== 1. CUDA tests"
"$JAVA" "${JFLAGS[@]}" -jar "$DEVICE/junit-platform-console-standalone.jar" execute --class-path "$CP" \
    --select-package org.deeprelax.cuda --exclude-tag toolchain --fail-if-no-tests \
    --details=tree --disable-banner --disable-ansi-colors --reports-dir "$LOG/reports" 2>&1 | tee "$LOG/tests.txt"
TEST_RC=${PIPESTATUS[0]}
"$JAVA" "${JFLAGS[@]}" -jar "$DEVICE/junit-platform-console-standalone.jar" discover --class-path "$CP" \
    --select-package org.deeprelax.cuda --include-tag toolchain --details=tree --disable-banner \
    --disable-ansi-colors > "$LOG/toolchain-tests.txt" 2>&1

# The verdict, from the launcher's tree and summary. Class lines are the Jupiter engine's children; a test
# line ends in ✔ (passed), ✘ (failed), ■ (aborted: an assumption, e.g. no GPU) or ↷ (skipped).
count() { sed -n "s/^\[ *\([0-9][0-9]*\) tests $1 *\]$/\1/p" "$LOG/tests.txt" | tail -1; }
found=$(count found); passed=$(count successful); failed=$(count failed)
aborted=$(count aborted); skipped=$(count skipped)
found=${found:-0}; passed=${passed:-0}; failed=${failed:-0}; aborted=${aborted:-0}; skipped=${skipped:-0}
# (Multi-byte characters are matched as strings: awk may count bytes.)
awk '
  /^│  (├|└)─ [A-Za-z0-9_$]+ (✔|✘|■|↷)/ { cls = $3; classes[++n] = cls; next }
  /^│  (│| )  (├|└)─ / && cls != "" {
    total[cls]++
    if ($0 ~ /(■|↷) /) { off[cls]++; r = $0; sub(/^.*(■|↷) (Assumption failed: )?/, "", r); if (!(cls in why)) why[cls] = r }
  }
  END {
    printf "gpu-check: %d test classes found:", n; for (i = 1; i <= n; i++) printf " %s", classes[i]; print ""
    for (i = 1; i <= n; i++) { c = classes[i]; if (off[c] > 0) printf "gpu-check: skipped: %s, %d of %d tests: %s\n", c, off[c], total[c], why[c] }
  }' "$LOG/tests.txt" | tee "$LOG/verdict.txt"
awk '/^│  (├|└)─ / { cls = $3; next } /^│  (│| )  (├|└)─ / { sub(/\(.*/, "", $NF); t = t sep cls "." $NF; sep = ", " }
  END { if (t != "") print "gpu-check: left to CI (tagged toolchain: they need a compiler, not a GPU): " t }' \
  "$LOG/toolchain-tests.txt" | tee -a "$LOG/verdict.txt"
opened=$(grep -m1 '^GPU tests run on ' "$LOG/tests.txt")
# Gpu.backend() prints one of these: "GPU tests run on cuda:0: NAME", or "GPU tests skipped: REASON" (the
# reason goes on over the lines up to the library error's "Install ..." advice).
notopened=$(sed -n '/^GPU tests skipped: /,/^Install /p' "$LOG/tests.txt" | head -20 | sed 's/^GPU tests skipped: //')
verdict=0
fail() { echo "gpu-check: FAIL: $*" | tee -a "$LOG/verdict.txt"; verdict=1; }
finish() {
  if [ "$verdict" -eq 0 ]; then echo "gpu-check: PASS"; else echo "gpu-check: FAILED (the FAIL lines above say why)"; fi
  exit "$verdict"
}
[ "$found" -gt 0 ] || fail "no test ran (the console launcher found $found tests; exit $TEST_RC)"
[ "$failed" -eq 0 ] || fail "$failed tests failed"
[ "$TEST_RC" -eq 0 ] || [ "$failed" -gt 0 ] || [ "$found" -eq 0 ] || fail "the console launcher exited $TEST_RC"
if [ "$gpus" -gt 0 ]; then
  [ -n "$opened" ] || fail "the CUDA backend did not open on a machine with a GPU: ${notopened:-no reason printed}"
  [ $((aborted + skipped)) -eq 0 ] || fail "$((aborted + skipped)) tests skipped or aborted on a machine with a GPU"
elif [ -z "$opened" ]; then
  echo "gpu-check: the CUDA backend did not open (no GPU here): ${notopened:-no reason printed}"
fi
summary="tests: $passed passed, $failed failed, $((aborted + skipped)) skipped (of $found found; launcher exit $TEST_RC)"
echo "$summary" | tee -a "$LOG/verdict.txt"

if [ "$TESTS_ONLY" -eq 1 ]; then finish; fi
if [ "$gpus" -eq 0 ]; then
  echo "gpu-check: no GPU: nothing to time (steps 2 and 3 need one)"
  finish
fi

echo "== 2. GpuBench (DeepRelax)"
"$JAVA" "${JFLAGS[@]}" -cp "$CP" org.deeprelax.cuda.GpuBench "$REPS" 2>&1 | tee "$LOG/java-bench.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "GpuBench failed"

echo "== 3. PyTorch reference"
PY=${TORCH_PYTHON:-}
if [ -z "$PY" ]; then
  for cand in /opt/torch/.venv/bin/python "${VIRTUAL_ENV:-/nonexistent}/bin/python" /opt/venv/bin/python \
              "$(command -v python3 || echo /nonexistent)"; do
    if [ -x "$cand" ] && env -u LD_LIBRARY_PATH "$cand" -c 'import torch' 2>/dev/null; then PY=$cand; break; fi
  done
fi
if [ -n "$PY" ]; then
  env -u LD_LIBRARY_PATH "$PY" bench/python/torch_reference.py "$REPS" 2>&1 | tee "$LOG/torch-bench.txt"
else
  echo "no python with torch found (set TORCH_PYTHON)" | tee "$LOG/torch-bench.txt"
fi

echo "== 4. Summary"
echo "$summary"
echo "DeepRelax: $(grep ^DEVICE "$LOG/java-bench.txt" | cut -d' ' -f2-)"
echo "PyTorch:   $(grep ^DEVICE "$LOG/torch-bench.txt" | cut -d' ' -f2-)"
printf '| %-20s | %16s | %16s | %8s |\n' "case (fp32, no TF32)" "DeepRelax ms" "PyTorch ms" "ratio"
printf '|%s|%s|%s|%s|\n' "----------------------" "------------------" "------------------" "----------"
for case in sgemm4096 conv1_fwd conv1_bwd_data conv1_bwd_filter conv1_fwd_bwd; do
  j=$(awk -v c="$case" '$1=="RESULT" && $2==c {print $3}' "$LOG/java-bench.txt")
  t=$(awk -v c="$case" '$1=="RESULT" && $2==c {print $3}' "$LOG/torch-bench.txt")
  r=$(awk -v j="${j:-0}" -v t="${t:-0}" 'BEGIN { if (j > 0 && t > 0) printf "%.2f", j / t; else print "-" }')
  printf '| %-20s | %16s | %16s | %8s |\n' "$case" "${j:--}" "${t:--}" "$r"
done
j=$(awk '$1=="RESULT" && $2=="sgemm4096" {print $3}' "$LOG/java-bench.txt")
[ -n "$j" ] && awk -v ms="$j" 'BEGIN { printf "SGEMM 4096: %.1f TFLOP/s (DeepRelax)\n", 2 * 4096^3 / (ms * 1e-3) / 1e12 }'
finish
