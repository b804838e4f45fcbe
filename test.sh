#!/usr/bin/env bash
# Builds and runs every test of the solution against real parts (nats-server, service processes).
# Installs what is missing first (scripts/prereqs.sh: idempotent, cached in .tools/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/prereqs.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The suite takes minutes; a hang must fail the run with a message, not eat CI's time limit. timeout also hands the
# tests SIGINT back when this script runs as a shell's background job (which ignores it, and children inherit that):
# LocalRunTests stops the AppHost with Ctrl+C's signal.
timeout --signal=TERM --kill-after=30s 25m dotnet test K8shell.sln "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -eq 124 ]; then echo "test.sh: the test run did not finish within 25 minutes (a hung test?)" >&2; fi

# Each failure again, without its captured output: a failed test assembly prints its whole console afterwards (the
# stacks' logs, thousands of lines), which would leave the failure itself outside the tail CI shows.
awk '/^failed / { if (!shown++) print "\ntest.sh: the failures again (their output is above):"; show = 1; lines = 0; print "" }
     /^  (Standard output|Error output)$/ { show = 0 }
     show && lines++ < 40' "$log"

# One plain closing line for CI, summed over the test projects (Microsoft.Testing.Platform's summary).
awk '/^  (succeeded|failed|skipped):/ { n[$1] += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", n["succeeded:"], n["failed:"], n["skipped:"] }' "$log"
exit "$status"
