#!/usr/bin/env bash
# Runs the whole K8shell stack locally on the embedded default (no cluster needed).
# Installs what is missing first (scripts/prereqs.sh: idempotent, cached in .tools/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/prereqs.sh
# Release: the stack as it ships (an optimised data path; bench/ measures the same build). Every service runs from
# the ReadyToRun copy its build makes (Directory.Build.targets), so the first login after a start does not wait for JIT.
exec dotnet run -c Release --project K8shell.AppHost -- "$@"
