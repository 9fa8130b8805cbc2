#!/usr/bin/env bash
# The GPU-machine check: runs the CUDA tests and a short benchmark beside PyTorch, and prints a table last.
#
# Prepared beforehand on a machine with Maven (bench/gpu-prepare.sh fills .device/ with the jars and the
# JUnit console launcher); the Java runtime is .device/jre, built by ../shared/tools/device-jre. Run from
# the repository root on the GPU machine, carrying .device. (No --reports-dir: the XML reports need the
# java.xml module, which device-jre's default module list leaves out; "tests aborted" = skipped.)
#
#   bench/gpu-check.sh [reps]        (reps: timed repetitions per benchmark case, default 20)
#
# Steps: (1) the CUDA tests through the console launcher (CudaBackendTest = the core's contract suite on
# the GPU, PhiloxCudaTest, MnistFcGpuTest, AllocatorTest, NativeLibrariesTest, KernelCompileTest where nvcc
# exists); (2) GpuBench: SGEMM 4096 and the first All-CNN-BN convolution at batch 128, forward and
# backward, fp32 with TF32 off, CUDA-event timing, median of reps; (3) the same calls in PyTorch
# (bench/python/torch_reference.py) with the machine's PyTorch venv; (4) a table of both.
# Library discovery: system CUDA and cuDNN are found by the backend itself (DEEPRELAX_CUDA_LIB_PATH may
# override). PyTorch refuses to start when the system cuDNN comes first on LD_LIBRARY_PATH, so the python
# step runs with LD_LIBRARY_PATH unset.
set -uo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-20}
JAVA=.device/jre/bin/java
[ -x "$JAVA" ] || { echo "gpu-check: $JAVA missing: build it first, on a machine with JDK 25, with ../shared/tools/device-jre, and carry .device" >&2; exit 2; }
[ -f .device/junit-platform-console-standalone.jar ] || { echo "gpu-check: run bench/gpu-prepare.sh here first" >&2; exit 2; }
CP=$(ls .device/jars/*.jar | tr '\n' ':')
JFLAGS="--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx8g"
OUT=${OUT:-/tmp}/gpu-check
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

echo "== 1. CUDA tests"
$JAVA $JFLAGS -jar .device/junit-platform-console-standalone.jar execute \
    --class-path "$CP" --select-package org.deeprelax.cuda --details=tree --disable-banner \
    2>&1 | tee "$OUT/tests.txt"
TEST_RC=${PIPESTATUS[0]}

echo "== 2. GpuBench (DeepRelax)"
$JAVA $JFLAGS -cp "$CP" org.deeprelax.cuda.GpuBench "$REPS" 2>&1 | tee "$OUT/java-bench.txt"

echo "== 3. PyTorch reference"
PY=${TORCH_PYTHON:-}
if [ -z "$PY" ]; then
    for cand in "${VIRTUAL_ENV:-}/bin/python" /opt/venv/bin/python /opt/*/venv/bin/python ~/venv/bin/python \
                ~/.venv/bin/python "$(command -v python3 || true)"; do
        if [ -x "$cand" ] && env -u LD_LIBRARY_PATH "$cand" -c 'import torch' 2>/dev/null; then PY=$cand; break; fi
    done
fi
if [ -n "$PY" ]; then
    env -u LD_LIBRARY_PATH "$PY" bench/python/torch_reference.py "$REPS" 2>&1 | tee "$OUT/torch-bench.txt"
else
    echo "no python with torch found (set TORCH_PYTHON)" | tee "$OUT/torch-bench.txt"
fi

echo "== 4. Summary"
summary=$(grep -E "tests (successful|failed|skipped|aborted)" "$OUT/tests.txt" | sed 's/^[^0-9]*//' | tr -s ' ' | tr '\n' ';')
echo "tests (exit $TEST_RC): $summary"
echo "java:  $(grep ^DEVICE "$OUT/java-bench.txt" | cut -d' ' -f2-)"
echo "torch: $(grep ^DEVICE "$OUT/torch-bench.txt" | cut -d' ' -f2-)"
printf '| %-18s | %16s | %16s | %8s |\n' "case (fp32, no TF32)" "DeepRelax ms" "PyTorch ms" "ratio"
printf '|%s|%s|%s|%s|\n' "--------------------" "------------------" "------------------" "----------"
for case in sgemm4096 conv1_fwd conv1_bwd_data conv1_bwd_filter conv1_fwd_bwd; do
    j=$(awk -v c="$case" '$1=="RESULT" && $2==c {print $3}' "$OUT/java-bench.txt")
    t=$(awk -v c="$case" '$1=="RESULT" && $2==c {print $3}' "$OUT/torch-bench.txt")
    r=$(awk -v j="${j:-0}" -v t="${t:-0}" 'BEGIN { if (j > 0 && t > 0) printf "%.2f", j / t; else print "-" }')
    printf '| %-20s | %16s | %16s | %8s |\n' "$case" "${j:--}" "${t:--}" "$r"
done
j=$(awk '$1=="RESULT" && $2=="sgemm4096" {print $3}' "$OUT/java-bench.txt")
[ -n "$j" ] && awk -v ms="$j" 'BEGIN { printf "SGEMM 4096: %.1f TFLOP/s (DeepRelax)\n", 2 * 4096^3 / (ms * 1e-3) / 1e12 }'
exit $TEST_RC
