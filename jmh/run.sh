#!/usr/bin/env bash
# Builds aedb and its JMH benchmarks, runs them (aedb and its peers: LMDB, RocksDB, H2 MVStore, Chronicle Map, SQLite),
# and writes the markdown results table.
#
#   jmh/run.sh                          # the whole suite with the annotation defaults, about 35 min on 2 vCPUs (QueryBench ~13 of them)
#   jmh/run.sh PointGetBench ScanBench  # only these (any JMH regexps and options may follow)
#   jmh/run.sh -p engine=aedb,lmdb      # only these engines (where a benchmark has them)
#   SKIP_BUILD=1 jmh/run.sh -f 1 -wi 0 -i 1 -r 200ms -p keys=10000 -p capacity=1000000   # a smoke run
#
# Adds "-prof gc" (allocation per op) unless the arguments already name that profiler, and
# "-rf json -rff jmh/target/results.json" unless they give -rff. After a successful run it writes the table of medians
# (dev.aedb.bench.ResultsTable) from the JSON to jmh/target/RESULTS.md, or to $RESULTS_MD.
# Environment: SKIP_BUILD=1 reuses the existing jmh/target/benchmarks.jar; JAVA (default: java) picks the JVM;
# RESULTS_MD sets the table's path. The JVM flags the engines need are added to every fork by
# dev.aedb.bench.BenchMain, not here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
java="${JAVA:-java}"

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

# What the arguments already say about profilers and result files.
json="$here/target/results.json"
format=""
has_gc=0
has_rff=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    -prof) [[ "${args[i + 1]:-}" == gc ]] && has_gc=1 ;;
    -rff) has_rff=1; json="${args[i + 1]:-}" ;;
    -rf) format="${args[i + 1]:-}" ;;
  esac
done

# ResultsTable runs from the repository root: make caller-relative paths absolute.
[[ "$json" == /* ]] || json="$PWD/$json"
table="${RESULTS_MD:-$here/target/RESULTS.md}"
[[ "$table" == /* ]] || table="$PWD/$table"

defaults=()
if [[ $has_gc == 0 ]]; then
  defaults+=(-prof gc)
fi
if [[ $has_rff == 0 ]]; then
  [[ -n "$format" ]] || defaults+=(-rf json)
  defaults+=(-rff "$json")
  rm -f "$json" # so that a run that writes no results (-l, -h, a failed start) leaves no stale file to tabulate
fi
format="${format:-$([[ $has_rff == 0 ]] && echo json || echo csv)}" # JMH's own default format is CSV

"$java" -jar "$jar" "${defaults[@]}" "$@"

if [[ "${format,,}" != "json" ]]; then
  echo "[run.sh] results are not JSON (-rf $format): no table written" >&2
  exit 0
fi
if [[ ! -f "$json" ]]; then
  echo "[run.sh] no results file $json: no table written" >&2
  exit 0
fi
(cd "$root" && "$java" -cp "$jar" dev.aedb.bench.ResultsTable --json "$json" --out "$table" --command "jmh/run.sh $*")
