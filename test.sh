#!/usr/bin/env bash
# Builds and runs every test of the solution against real parts (nats-server, service processes).
# Installs what is missing first (scripts/prereqs.sh: idempotent, cached in .tools/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/prereqs.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test K8shell.sln "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line for CI, summed over the test projects (Microsoft.Testing.Platform's summary).
awk '/^  (succeeded|failed|skipped):/ { n[$1] += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", n["succeeded:"], n["failed:"], n["skipped:"] }' "$log"
exit "$status"
