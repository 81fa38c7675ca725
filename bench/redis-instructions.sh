#!/usr/bin/env bash
# Instructions redis-server runs per call of the gate's issue script, counted by valgrind (callgrind): unlike
# usec_per_call (bench/redis-capacity.sh), the count does not move with the machine's other load, so an A/B of two
# scripts holds on a shared 2-core machine. Not run by CI.
#
#   bench/redis-instructions.sh                                 the issue script as the store sends it
#   SCRIPT=other.lua bench/redis-instructions.sh                another one, with the same KEYS and ARGV (A/B)
#
# For each path (issue: a fresh mobile per call; refused: one mobile under its flag; get: a plain GET for reference)
# it starts redis-server under callgrind with instrumentation off, issues once, warms up with 50 calls, counts N calls
# (default 2000, one connection) and prints the instructions per call: the whole command, from reading the request to
# writing the answer, the Lua interpreter included.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-2000}
"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools valgrind

# shellcheck source=bench/redis-scratch.sh
source "$ROOT/bench/redis-scratch.sh"
redis_scratch redis-instructions
issue_script "$RUN_DIR/issue.lua"

count() { # count PATH: prints "PATH instructions-per-call"
    local path=$1 port sha
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    rm -f "$RUN_DIR"/cg.out*
    valgrind --tool=callgrind --callgrind-out-file="$RUN_DIR/cg.out" --instr-atstart=no \
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN_DIR" --loglevel warning >/dev/null 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
    local cli=(redis-cli -p "$port" -n 2)
    sha=$("${cli[@]}" -x script load <"$RUN_DIR/issue.lua")
    # KEYS and ARGV as redis-capacity.sh sends them with the shipped caps.
    local keys=("send_flag_{M}" "sms_{M}" "sms_state_{M}" "sms_hour_{M}" "sms_day_{M}" "sms_ip_hour_{127.0.0.1}"
        "sms_spend_{legacy-sms}")
    local call=(EVALSHA "$sha" "${#keys[@]}" "${keys[@]}" 123456 60000 300000 nonce-1 1 5 10 1000000000 1000000000)
    "${cli[@]}" "${call[@]//M/13800138000}" >/dev/null
    case $path in
        issue) call=("${call[@]//M/__rand_int__}") ;;
        refused) call=("${call[@]//M/13800138000}") ;;
        get) call=(GET "key:__rand_int__") ;;
    esac
    local bench=(redis-benchmark -p "$port" --dbnum 2 -c 1 -r 100000000 -q)
    "${bench[@]}" -n 50 "${call[@]}" >/dev/null 2>&1
    callgrind_control -i on "$REDIS_PID" >/dev/null 2>&1
    "${bench[@]}" -n "$N" "${call[@]}" >/dev/null 2>&1
    callgrind_control -i off "$REDIS_PID" >/dev/null 2>&1
    callgrind_control -d "$REDIS_PID" >/dev/null 2>&1
    kill "$REDIS_PID"
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
    awk -v n="$N" -v p="$path" '/^totals:/ { s += $2 } END { printf "| %-8s | %9.0f |\n", p, s / n }' "$RUN_DIR"/cg.out*
}

echo "==> $(redis-server --version | cut -d' ' -f1-3) under callgrind; $N calls per path, one connection"
echo
echo "| path     | instr/call |"
echo "|----------|-----------|"
for path in issue refused get; do count "$path"; done
