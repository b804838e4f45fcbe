#!/usr/bin/env bash
# Where the stack's CPU goes during one transfer: perf samples the proxy and k8shelld while the stack
# benchmark runs one measure, with .NET's JIT'd frames named, then prints the samples by process, by
# library and by symbol. PROFILE_MEASURE picks the measure (any part of its name; default the download) and
# PROFILE_WAIT_FOR a command line its transfer runs (default /dev/zero; e.g. scp), PROFILE_SECONDS how long
# to sample (default 10), BENCH_MIB the transfer's size (default 4096, so the transfer outlasts the sampling).
# The raw data stays in $PROFILE_DIR (default /tmp/k8shell-profile).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
measure=${PROFILE_MEASURE:-(head /dev/zero)}
transfer=${PROFILE_WAIT_FOR:-/dev/zero}
seconds=${PROFILE_SECONDS:-10}
out=${PROFILE_DIR:-/tmp/k8shell-profile}
"$root/scripts/prereqs.sh" linux-perf=/usr/bin/perf
export PATH="$root/.tools/bin:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$out"
dotnet build -c Release -v q "$root/bench/K8shell.Bench" > "$out/build.log"

# The services inherit DOTNET_*: perf maps name the JIT'd code, which must live in plain (not double-mapped)
# memory for perf to attribute samples to those maps.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 BENCH_PARTS=stack BENCH_RUNS=1 BENCH_MIB="${BENCH_MIB:-4096}" \
  BENCH_ONLY="$measure" timeout 20m dotnet "$root/bench/K8shell.Bench/bin/Release/net10.0/K8shell.Bench.dll" > "$out/bench.log" 2>&1 &
bench=$!
trap 'kill $bench 2> /dev/null || true' EXIT

# K8shell's run comes first in each pair: sample once its transfer has been going for a moment.
for _ in $(seq 1 1200); do
  pgrep -f "k8shelld.dll" > /dev/null && pgrep -f "$transfer" > /dev/null && break
  kill -0 $bench 2> /dev/null || { cat "$out/bench.log"; exit 1; }
  sleep 0.5
done
sleep 3
proxy=$(pgrep -n -f "K8shell.SshProxy.dll")
daemon=$(pgrep -n -f "k8shelld.dll")
perf record -F 999 -g -p "$proxy,$daemon" -o "$out/perf.data" -- sleep "$seconds" 2> "$out/perf.log" > /dev/null
wait $bench || true
trap - EXIT
grep -E "MiB/s|ratio" "$out/bench.log" || true

echo
echo "samples by process (proxy $proxy, k8shelld $daemon):"
perf script -i "$out/perf.data" -F pid -G 2> /dev/null | sort | uniq -c | sort -rn \
  | awk -v proxy="$proxy" -v daemon="$daemon" '{ name = $2 == proxy ? "proxy" : $2 == daemon ? "k8shelld" : $2; print "  " name ": " $1 }'
echo
echo "by library (kernel, crypto, JIT'd code, runtime):"
perf report -i "$out/perf.data" --no-children --sort dso -g none --stdio 2> /dev/null | grep -E '^ +[0-9]' | head -12
echo
echo "top symbols:"
perf report -i "$out/perf.data" --no-children --sort sym -g none --stdio 2> /dev/null | grep -E '^ +[0-9]' | head -25 | cut -c1-170
echo
echo "call graphs: perf report -i $out/perf.data --no-children --sort sym -g caller"
