#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests against real Redis and MariaDB, and the JSR-107 TCK runs.
# Extra arguments go to Maven. Ends with one line summing every surefire/failsafe report of this run.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh || exit 1
started=$(date +%s)
mvn -B -Dstyle.color=never verify "$@"
status=$?

passed=0; failed=0; skipped=0
while IFS= read -r report; do
  # Only reports written by this run count (a stale target/ from an earlier build must not inflate the numbers).
  [ "$(stat -c %Y "$report")" -ge "$started" ] || continue
  header=$(grep -m1 -o '<testsuite [^>]*>' "$report") || continue
  attr() { echo "$header" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  tests=$(attr tests); failures=$(attr failures); errors=$(attr errors); skips=$(attr skipped)
  failed=$((failed + failures + errors))
  skipped=$((skipped + skips))
  passed=$((passed + tests - failures - errors - skips))
done < <(find . -path '*/target/*reports*/TEST-*.xml' -type f 2>/dev/null)
echo
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
