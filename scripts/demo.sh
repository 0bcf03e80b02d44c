#!/usr/bin/env bash
# The engine demo on the embedded default (L1 memory + SQLite file): no Redis, no MySQL needed.
# Optional argument: the data folder (default ./tiercache-data).
set -euo pipefail
cd "$(dirname "$0")/.."
classpath_file="$PWD/samples/target/demo.classpath"
mvn -B -q -Dstyle.color=never -DskipTests -pl samples -am package dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime
exec java -cp "samples/target/classes:$(cat "$classpath_file")" io.tiercache.samples.engine.EngineDemo "$@"
