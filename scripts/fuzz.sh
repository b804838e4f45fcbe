#!/usr/bin/env bash
# Runs every seeded fuzzer for longer than CI does: K8shell.Ssh's decoders and host key files, the user string
# parser, the PROXY header reader and the policy file loader (tests/K8shell.Testing/Fuzzing/FuzzRun.cs).
#   scripts/fuzz.sh [seconds per fuzz target, default 60] [seed, default random]
# Prints the seed first; a failure names its target, seed and case. Replay one with the same seed:
#   K8SHELL_FUZZ_SEED=<seed> K8SHELL_FUZZ_SECONDS=<seconds> scripts/fuzz.sh
# (or by hand: dotnet test --project <project> -- --filter-class '*FuzzTests' with those variables set).
# The test programs run with xunit's own runner, which shows each target's seed and number of cases as it goes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export K8SHELL_FUZZ_SECONDS=${1:-${K8SHELL_FUZZ_SECONDS:-60}}
export K8SHELL_FUZZ_SEED=${2:-${K8SHELL_FUZZ_SEED:-$(shuf -i 1-2147483646 -n 1)}}
echo "fuzz.sh: $K8SHELL_FUZZ_SECONDS s per target, K8SHELL_FUZZ_SEED=$K8SHELL_FUZZ_SEED"

# One project at a time: the machine is shared, and each target's budget is wall-clock time.
status=0
for project in K8shell.Ssh.Tests K8shell.UserStrings.Tests K8shell.SshProxy.Tests; do
  dotnet build "$root/tests/$project" --nologo -v quiet
  "$root/tests/$project/bin/Debug/net10.0/$project" -class '*FuzzTests' -showLiveOutput -noColor || status=$?
done
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: a fuzzer failed; replay with K8SHELL_FUZZ_SEED=$K8SHELL_FUZZ_SEED K8SHELL_FUZZ_SECONDS=$K8SHELL_FUZZ_SECONDS" >&2
fi
exit "$status"
