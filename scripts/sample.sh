#!/usr/bin/env bash
# Runs one sample by name (each is a class in samples/, tested by its *Test / *IT):
#   hibernate   Hibernate on the embedded default: H2 application database, cache on L1 memory + SQLite
#   two-nodes   the same application as two JVMs sharing Redis (L2) and MariaDB; makes sure both run first
#   spring      plain Spring with JCache annotations (@CacheResult, @CachePut, @CacheRemove) on tiercache
# Further arguments go to the sample.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  hibernate) main=io.tiercache.samples.hibernate.HibernateEmbeddedDemo ;;
  two-nodes) main=io.tiercache.samples.hibernate.TwoNodesDemo; bash scripts/services.sh ;;
  spring) main=io.tiercache.samples.spring.SpringJCacheDemo ;;
  *) echo "usage: $0 hibernate|two-nodes|spring [arguments]" >&2; exit 2 ;;
esac
shift
classpath_file="$PWD/samples/target/demo.classpath"
mvn -B -q -Dstyle.color=never -DskipTests -pl samples -am package dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime
exec java -cp "samples/target/classes:$(cat "$classpath_file")" "$main" "$@"
