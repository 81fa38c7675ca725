#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of the gate's hot path (Gateway.Benchmarks), with allocations per call.
# Starts a throw-away redis-server on a free loopback port for the Redis-backed refused-path benchmarks.
# Not run by CI; takes a few minutes.
#
#   bench/micro.sh                      every benchmark, ShortRun job
#   bench/micro.sh --filter '*HotPath*' any BenchmarkDotNet arguments replace the defaults
#
# Writes the tables to bench/results/micro-latest.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools

RUN_DIR=$(mktemp -d /tmp/sms-micro.XXXXXX)
# shellcheck source=tests/e2e/stack.sh
source "$ROOT/tests/e2e/stack.sh"
finish() {
    stack_stop_all
    rm -rf "$RUN_DIR"
}
trap finish EXIT

echo "==> building Gateway.Benchmarks (Release)"
dotnet build "$ROOT/Gateway.Benchmarks/Gateway.Benchmarks.csproj" -c Release -nologo -v quiet >"$RUN_DIR/build.log" 2>&1 || {
    cat "$RUN_DIR/build.log"
    exit 1
}

read -r REDIS_PORT <<<"$(free_ports 1)"
start_redis redis "$REDIS_PORT"
export BENCH_REDIS="127.0.0.1:$REDIS_PORT"
echo "==> redis-server on :$REDIS_PORT; $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), .NET SDK $(dotnet --version)"

ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(--filter '*' --job short)
dotnet "$ROOT/Gateway.Benchmarks/bin/Release/net10.0/Gateway.Benchmarks.dll" "${ARGS[@]}" \
    --artifacts "$RUN_DIR/artifacts"

mkdir -p "$ROOT/bench/results"
{
    echo "### Micro-benchmarks: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    for report in "$RUN_DIR"/artifacts/results/*-report-github.md; do
        cat "$report"
        echo
    done
} >"$ROOT/bench/results/micro-latest.md"
echo "==> tables written to bench/results/micro-latest.md"
