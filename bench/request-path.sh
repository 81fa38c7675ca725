#!/usr/bin/env bash
# The code a send, an endpoint verify and a legacy verify run, measured rather than read: RequestPathProbeTests
# (the shipped yarp.json, a real redis-server and HTTP provider) runs under coverage with 1 and then 9 requests of a
# kind, and bench/request_path.py keeps the lines whose hits grew by 8. Prints one table per kind. Not run by CI.
#
#   bench/request-path.sh            the working tree
#   BENCH_SKIP_BUILD=1 bench/request-path.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$ROOT/scripts/ensure-packages.sh" redis-server python3

[[ ${BENCH_SKIP_BUILD:-} == 1 ]] || dotnet build "$ROOT/Gateway.Tests" -c Release -nologo -v quiet >/dev/null

run() { # run NAME SENDS VERIFIES ROUTE: prints the path of the coverage report
    REQUEST_PATH_SENDS=$2 REQUEST_PATH_VERIFIES=$3 REQUEST_PATH_VERIFY=$4 dotnet test "$ROOT/Gateway.Tests" -c Release \
        --no-build --nologo --filter 'FullyQualifiedName~RequestPathProbeTests' --collect 'XPlat Code Coverage' \
        --results-directory "$OUT/$1" >"$OUT/$1.log" 2>&1 || { cat "$OUT/$1.log" >&2; exit 1; }
    find "$OUT/$1" -name coverage.cobertura.xml
}

base=$(run base 1 1 endpoint)
sends=$(run sends 9 1 endpoint)
verifies=$(run verifies 9 9 endpoint)
legacy_base=$(run legacy-base 9 1 legacy)
legacy=$(run legacy 9 9 legacy)

python3 "$ROOT/bench/request_path.py" "A send (GET /sms_codes/{mobile}/, answered 200)" "$base" "$sends" 8
python3 "$ROOT/bench/request_path.py" "A verify at the endpoint (POST /sms_codes/{mobile}/verify, right code)" "$sends" "$verifies" 8
python3 "$ROOT/bench/request_path.py" "A verify at the legacy route (POST /verifications/sms/, right code)" "$legacy_base" "$legacy" 8
