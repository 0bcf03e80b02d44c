#!/usr/bin/env bash
# Builds the benchmarks and runs JMH. Arguments go to JMH (e.g. a benchmark name pattern, -f 1 -wi 2 -i 3).
set -euo pipefail
cd "$(dirname "$0")/.."
classpath_file="$PWD/benchmarks/target/jmh.classpath"
mvn -B -q -Dstyle.color=never -DskipTests -pl benchmarks -am package dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime
exec java -cp "benchmarks/target/classes:$(cat "$classpath_file")" org.openjdk.jmh.Main "$@"
