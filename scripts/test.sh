#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests against real Redis and MariaDB, and the JSR-107 TCK runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
exec mvn -B verify "$@"
