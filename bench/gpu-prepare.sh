#!/usr/bin/env bash
# Prepares, on a machine WITH Maven and a JDK, everything bench/gpu-check.sh needs on the GPU machine
# (which has neither): builds the project, then copies into .device/ (next to the runtime that
# ../shared/tools/device-jre builds there) the module jars, the test jars, the JUnit console launcher and
# the test class path. Name .device in the device tool's `carry`; it must stay under 64 MiB.
#
#   usage: bench/gpu-prepare.sh          (from the repository root; JAVA_HOME must be a JDK 25)
#
# Offline by default (-o); set MVN_OFFLINE= to let Maven download the console launcher if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN_OFFLINE=${MVN_OFFLINE--o}
JUNIT_CONSOLE_VERSION=1.14.1   # the JUnit Platform version that goes with JUnit Jupiter 5.14.1 (pom.xml)

mvn -q -B $MVN_OFFLINE -DskipTests package -pl cuda -am
mkdir -p .device/jars
rm -f .device/jars/*.jar
cp core/target/deeprelax-core-*-SNAPSHOT.jar core/target/deeprelax-core-*-tests.jar .device/jars/
cp cuda/target/deeprelax-cuda-*-SNAPSHOT.jar .device/jars/
# The cuda tests (contract suite subclass, Philox, mnistfc, GpuBench) are in its test classes.
(cd cuda/target/test-classes && jar --create --file ../../../.device/jars/deeprelax-cuda-tests.jar .)
cp nn/target/deeprelax-nn-*-SNAPSHOT.jar optim/target/deeprelax-optim-*-SNAPSHOT.jar .device/jars/
# The cuda tests need nothing third-party beyond JUnit, which the console launcher bundles.
mvn -q -B $MVN_OFFLINE dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE_VERSION \
    -DoutputDirectory="$PWD/.device" -Dmdep.stripVersion=true
test -s .device/junit-platform-console-standalone.jar
du -sh .device
size=$(du -sm .device | cut -f1)
if [ "$size" -gt 63 ]; then
    echo "gpu-prepare: .device is $size MiB; the device tool carries at most 64 MiB" >&2
    exit 1
fi
echo "gpu-prepare: ready. Here, run ../shared/tools/device-jre if .device/jre is missing (the GPU machine has no Java); then carry .device and run bench/gpu-check.sh there"
