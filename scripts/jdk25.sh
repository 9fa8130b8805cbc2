# Sourced by ./deeprelax, ./run-tests, .ci/run and the bench/gpu-*.sh scripts: the one place that finds
# JDK 25, knows the JVM flags DeepRelax runs with, and tells when the built jar is older than its sources.
#
#   . scripts/jdk25.sh
#   deeprelax_use_jdk25 NAME || exit 1     # JAVA_HOME and PATH set to a JDK 25, or one line on stderr
#   java $(deeprelax_jvm_flags) ...        # the flags of the root pom's deeprelax.jvm.flags property
#
# The flags live in pom.xml (Maven's surefire runs the tests with them) and are read from there, so the
# scripts and the build cannot disagree. DEEPRELAX_JDK_DIRS (space-separated globs) replaces the places
# searched for a JDK after JAVA_HOME; tests use it.

DEEPRELAX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Whether DIR holds a Java 25 (bin/java saying version "25...").
deeprelax_is_java25() {
  local version
  [ -x "$1/bin/java" ] && version=$("$1/bin/java" -version 2>&1) && [[ $version == *'version "25'* ]]
}

# Sets JAVA_HOME and PATH to the first JDK 25 (a java and a javac) among JAVA_HOME, the usual install
# places and the java on PATH; else prints one line naming NAME and what to install, and returns 1.
deeprelax_use_jdk25() {
  local name=$1 candidate on_path="" home=${HOME:-/nonexistent}
  local usual="/usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* $home/.sdkman/candidates/java/* $home/.jdks/*"
  if command -v java >/dev/null 2>&1; then
    on_path="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
  # shellcheck disable=SC2086  # the globs are meant to expand
  for candidate in "${JAVA_HOME:-}" ${DEEPRELAX_JDK_DIRS-$usual} "$on_path"; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] && deeprelax_is_java25 "$candidate"; then
      export JAVA_HOME="$candidate" PATH="$candidate/bin:$PATH"
      return 0
    fi
  done
  echo "$name: no JDK 25 found (JAVA_HOME${JAVA_HOME:+=$JAVA_HOME}, /usr/lib/jvm and the usual places, java on PATH${on_path:+ is $on_path}): install a JDK 25, for example Temurin 25, and set JAVA_HOME to it" >&2
  return 1
}

# The JVM flags, one per word: FFM downcalls allowed, the Vector API module added.
deeprelax_jvm_flags() {
  local flags
  flags=$(sed -n 's:.*<deeprelax.jvm.flags>\(.*\)</deeprelax.jvm.flags>.*:\1:p' "$DEEPRELAX_ROOT/pom.xml")
  if [ -z "$flags" ]; then
    echo "scripts/jdk25.sh: no <deeprelax.jvm.flags> property in $DEEPRELAX_ROOT/pom.xml" >&2
    return 1
  fi
  echo "$flags"
}

# Prints the first file that the command-line jar is built from and that is newer than JAR (every file
# under a module's src/ but its tests, and every pom.xml), or nothing when JAR is up to date. Kernels (.cu,
# .cuh) and other resources count: they are packed into the jar; tests are not.
deeprelax_stale_source() {
  find "$DEEPRELAX_ROOT" \( -name .git -o -name target -o -name .device -o -name runs -o -name node_modules \) -prune \
    -o -type f \( -path '*/src/*' -o -name pom.xml \) ! -path '*/src/test/*' -newer "$1" -print -quit
}
