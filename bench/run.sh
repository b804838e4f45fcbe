#!/usr/bin/env bash
# Benchmarks against OpenSSH's sshd on this machine; prints a table of medians and ratios.
# BENCH_RUNS (default 5) alternating runs per measure, BENCH_MIB (default 1024) per transfer,
# BENCH_ONLY=<part of a measure's name> one measure, BENCH_ALLOCATIONS=1 sampled allocation profiles.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/prereqs.sh"
export PATH="$root/.tools/bin:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec timeout 45m dotnet run -c Release --project "$root/bench/K8shell.Bench" -- "$@"
