#!/usr/bin/env bash
# Builds aedb and its JMH benchmarks, then runs them.
#
#   jmh/run.sh                         # the whole suite, annotation defaults (2 forks, 3x2s warmup, 5x2s measurement), ~10 min
#   jmh/run.sh PointGetBench ScanBench # only these (any JMH regexps and options may follow)
#   jmh/run.sh -f 1 -wi 1 -i 2 -w 1s -r 1s   # a quick smoke run
#
# Adds "-prof gc" (allocation per op; needed for the zero-allocation claims of PointGetBench/ScanBench) unless the
# arguments already name that profiler, and "-rf json -rff jmh/target/results.json" unless they give -rff; the
# human-readable output goes to stdout.
# Environment: SKIP_BUILD=1 reuses the existing jmh/target/benchmarks.jar; JAVA (default: java) picks the JVM.
# The JVM flags aedb needs are added to every fork by dev.aedb.bench.BenchMain (from dev.aedb.JvmFlags), not here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  echo "[run.sh] installing aedb (mvn -B -q -DskipTests install in $root)" >&2
  (cd "$root" && mvn -B -q -DskipTests install)
  echo "[run.sh] packaging benchmarks (mvn -B -q package in $here)" >&2
  (cd "$here" && mvn -B -q package)
fi

jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  echo "[run.sh] $jar is missing; run without SKIP_BUILD=1" >&2
  exit 1
fi

defaults=()
args=" $* "
if [[ "$args" != *" -prof gc "* ]]; then
  defaults+=(-prof gc)
fi
if [[ "$args" != *" -rff "* ]]; then
  defaults+=(-rf json -rff "$here/target/results.json")
fi

exec "${JAVA:-java}" -jar "$jar" "${defaults[@]}" "$@"
