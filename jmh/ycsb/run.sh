#!/usr/bin/env bash
# Builds aedb and its YCSB bindings, then runs YCSB's core workloads A-F for aedb and RocksDB (dev.aedb.ycsb.YcsbSuite).
#
#   jmh/ycsb/run.sh                                   # A-F, 200,000 records, 500,000 operations, 1 thread, 1 round
#   jmh/ycsb/run.sh --workloads a,e --rounds 3        # only A and E, three rounds (medians)
#   jmh/ycsb/run.sh -p aedb.durability=FULL -p rocksdb.sync=true   # durable writes in both engines
#   SKIP_BUILD=1 jmh/ycsb/run.sh --records 1000 --operations 1000  # a smoke run on the existing jar
#
# YCSB's output of every phase goes to ./ycsb-results (or --out DIR); the table of medians goes to stdout.
# Environment: SKIP_BUILD=1 reuses jmh/ycsb/target/ycsb.jar; JAVA (default: java) picks the JVM.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
java="${JAVA:-java}"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  echo "[ycsb/run.sh] installing aedb (mvn -B -q -DskipTests install in $root)" >&2
  (cd "$root" && mvn -B -q -DskipTests install)
  echo "[ycsb/run.sh] packaging the bindings (mvn -B -q package in $here)" >&2
  (cd "$here" && mvn -B -q package)
fi

jar="$here/target/ycsb.jar"
if [[ ! -f "$jar" ]]; then
  echo "[ycsb/run.sh] $jar is missing; run without SKIP_BUILD=1" >&2
  exit 1
fi
"$java" -jar "$jar" "$@"
