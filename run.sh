#!/usr/bin/env bash
# Runs the whole K8shell stack locally on the embedded default (no cluster needed).
# Installs what is missing first (scripts/prereqs.sh: idempotent, cached in .tools/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/prereqs.sh
exec dotnet run --project K8shell.AppHost -- "$@"
