#!/usr/bin/env bash
# Prepares, on a machine with a JDK 25 and Maven, everything bench/gpu-check.sh needs on a GPU machine
# that has neither Java nor Maven, in .device/ (git-ignored), then rehearses the check here:
#   .device/jre                                    a Java 25 runtime (jlink), about 45 MB
#   .device/jars/*.jar                             core, cuda, nn, optim, and the test classes of core and cuda
#   .device/junit-platform-console-standalone.jar  the JUnit console launcher
# Carry .device to the GPU machine (the device tool's carry: [".device"]; 64 MiB at most) and run
# bench/gpu-check.sh there. Maven fetches whatever its cache lacks (the launcher, the plugin that copies it).
#
#   usage: bench/gpu-prepare.sh          (from anywhere in the repository)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/jdk25.sh"
deeprelax_use_jdk25 gpu-prepare || exit 1
cd "$DEEPRELAX_ROOT"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
DEVICE=.device

# The console launcher of the JUnit Platform that goes with the build's JUnit Jupiter (pom.xml's
# junit.version): Jupiter 5.x.y runs on Platform 1.x.y; from JUnit 6 on the two share one version.
jupiter=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)
case "$jupiter" in
  5.*) platform="1.${jupiter#5.}" ;;
  ?*) platform="$jupiter" ;;
  *) echo "gpu-prepare: no <junit.version> in pom.xml" >&2; exit 1 ;;
esac

echo "gpu-prepare: building core, cuda, nn, optim and their tests (tests not run)"
mvn -q -B -DskipTests package -pl cuda -am
rm -rf "$DEVICE/jars"
mkdir -p "$DEVICE/jars"
cp core/target/deeprelax-core-*-SNAPSHOT.jar core/target/deeprelax-core-*-SNAPSHOT-tests.jar "$DEVICE/jars/"
cp cuda/target/deeprelax-cuda-*-SNAPSHOT.jar nn/target/deeprelax-nn-*-SNAPSHOT.jar \
   optim/target/deeprelax-optim-*-SNAPSHOT.jar "$DEVICE/jars/"
# The CUDA tests (the contract suite on the GPU, Philox, mnistfc, GpuBench, ...) are cuda's test classes.
jar --create --file "$DEVICE/jars/deeprelax-cuda-tests.jar" -C cuda/target/test-classes .

echo "gpu-prepare: the JUnit console launcher $platform"
rm -f "$DEVICE/junit-platform-console-standalone.jar"
mvn -q -B -N org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
    -DoutputDirectory="$PWD/$DEVICE" -Dmdep.stripVersion=true
test -s "$DEVICE/junit-platform-console-standalone.jar"

# The runtime: the modules the tests and the console launcher use. jdk.zipfs: the launcher reads the
# test jars through the zip file system (without it, it finds 0 tests); java.xml: its XML reports.
echo "gpu-prepare: a Java 25 runtime in $DEVICE/jre"
rm -rf "$DEVICE/jre"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,jdk.management,jdk.unsupported,jdk.zipfs,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --compress zip-9 --output "$DEVICE/jre" 2>&1 \
    | grep -v 'incubator modules' || true
deeprelax_is_java25 "$DEVICE/jre" || { echo "gpu-prepare: jlink did not produce a Java 25 runtime" >&2; exit 1; }

size=$(du -sm "$DEVICE" | cut -f1)
echo "gpu-prepare: $DEVICE is $size MiB ($(du -sh "$DEVICE/jre" | cut -f1) runtime, $(du -shc "$DEVICE"/jars/*.jar "$DEVICE"/*.jar | tail -1 | cut -f1) jars)"
if [ "$size" -gt 63 ]; then
  echo "gpu-prepare: $DEVICE is $size MiB; the device tool carries 64 MiB at most" >&2
  exit 1
fi

echo "gpu-prepare: rehearsing the test step here"
bench/gpu-check.sh --tests-only
echo "gpu-prepare: ready: carry $DEVICE to the GPU machine and run bench/gpu-check.sh there"
