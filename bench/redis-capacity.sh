#!/usr/bin/env bash
# Redis capacity of the SMS-code gate: how many of the gate's script calls one Redis (one cluster shard) runs per
# second, measured with redis-benchmark. Not run by CI.
#
#   bench/redis-capacity.sh
#
# Starts its own redis-server (no persistence, like the tests) on a free 127.0.0.1 port, loads the issue script
# exactly as Gateway.Middleware/Store/RedisScripts.cs holds it (SCRIPT LOAD), and runs redis-benchmark on:
#
#   issue     EVALSHA for a fresh random mobile: checks, then SET flag, SET code, INCR+PEXPIRE hour and day counters
#             (the gate's 200 path; MaxPerHour 5, MaxPerDay 10, IP and spend caps off, as the store sends it)
#   refused   EVALSHA for one fixed mobile: PTTL flag, GET two counters, refuse (the gate's 400 path)
#   set, get  plain SET and GET of a random key, for reference
#
# Every gate request costs one EVALSHA (issued or refused); a provider failure adds one more (the revoke).
# redis-benchmark replaces every __rand_int__ on its own, so the issue path's keys are random per key, not per
# mobile: the same work on a single server (in a cluster the real keys share one hash tag and so one slot).
#
# Settings (environment): NOCAPS=1 (the caps-off policy's call), AUDIT=1 (audit stream on), SCRIPT=file.lua (another
# issue script with the same KEYS and ARGV, for A/B), REQUESTS=200000 CLIENTS=50 PIPELINE=1 ROUNDS=3 (the best round is reported per test);
# PIN=1 pins redis-server to the first core and redis-benchmark to the others (taskset), so that they do not compete.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-1}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=()
BENCH_CPU=()
if [ "${PIN:-0}" = 1 ]; then
    SERVER_CPU=(taskset -c 0)
    BENCH_CPU=(taskset -c "1-$(($(nproc) - 1))")
fi

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools

RUN_DIR=$(mktemp -d /tmp/redis-capacity.XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REDIS_PID=""

finish() {
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    rm -rf "$RUN_DIR"
}
trap finish EXIT

# The issue script, cut out of the C# raw string literal and un-indented as the compiler does.
/usr/bin/python3 - "$ROOT/Gateway.Middleware/Store/RedisScripts.cs" >"$RUN_DIR/issue.lua" <<'PY'
import re, sys
source = open(sys.argv[1], encoding="utf-8").read()
match = re.search(r'public const string Issue = """\n(.*?)\n([ \t]*)""";', source, re.S)
if not match:
    sys.exit("RedisScripts.Issue not found")
indent = match.group(2)
print("\n".join(line[len(indent):] if line.startswith(indent) else line for line in match.group(1).split("\n")))
PY

"${SERVER_CPU[@]}" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --protected-mode no \
    --dir "$RUN_DIR" --loglevel warning >"$RUN_DIR/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
done
CLI=(redis-cli -p "$PORT" -n 2)
[ -z "${SCRIPT:-}" ] || cp "$SCRIPT" "$RUN_DIR/issue.lua"
SHA=$("${CLI[@]}" -x script load <"$RUN_DIR/issue.lua")

# KEYS and ARGV as the store sends them with the shipped caps (yarp.json): flag, code, state, audit stream (off: the
# flag's key), hour, day, IP and spend counters; code, interval 60 s, lifetime 300 s, nonce, audit off, caps hour 5,
# day 10, IP and spend raised as bench/run.sh raises them, windows (ms). NOCAPS=1: every cap off, as the caps-off
# policy sends it (three keys, four arguments). AUDIT=1: the audit stream on.
AUDIT_ARGS=(0 "" "")
[ "${AUDIT:-0}" = 1 ] && AUDIT_ARGS=(100000 legacy-sms "138****8000")
issue_call() { # issue_call MOBILE: sets CALL to the EVALSHA of one issue for MOBILE (__rand_int__: a fresh one)
    local m=$1 audit_key="send_flag_{$1}"
    [ "${AUDIT:-0}" = 1 ] && audit_key=sms_audit
    if [ "${NOCAPS:-0}" = 1 ] && [ "${AUDIT:-0}" != 1 ]; then
        CALL=(EVALSHA "$SHA" 3 "send_flag_{$m}" "sms_{$m}" "sms_state_{$m}" 123456 60000 300000 nonce-1)
    elif [ "${NOCAPS:-0}" = 1 ]; then
        CALL=(EVALSHA "$SHA" 4 "send_flag_{$m}" "sms_{$m}" "sms_state_{$m}" "$audit_key" 123456 60000 300000 nonce-1
            "${AUDIT_ARGS[@]}")
    else
        CALL=(EVALSHA "$SHA" 8 "send_flag_{$m}" "sms_{$m}" "sms_state_{$m}" "$audit_key" "sms_hour_{$m}" "sms_day_{$m}"
            "sms_ip_hour_{127.0.0.1}" "sms_spend_{legacy-sms}" 123456 60000 300000 nonce-1 "${AUDIT_ARGS[@]}"
            5 10 1000000000 1000000000 3600000 86400000 3600000 60000)
    fi
}
issue_call __rand_int__
FRESH=("${CALL[@]}")
issue_call 13800138000
FIXED=("${CALL[@]}")

# Sanity: the script issues for a fresh mobile ({0, 0}) and refuses the same mobile next (reason 1, the interval).
first=$("${CLI[@]}" "${FIXED[@]}" | tr '\n' ' ')
second=$("${CLI[@]}" "${FIXED[@]}" | tr '\n' ' ')
[ "$first" = "0 0 " ] && [[ "$second" == "1 "* ]] || { echo "script sanity check failed: '$first' then '$second'" >&2; exit 1; }

BENCH=("${BENCH_CPU[@]}" redis-benchmark -p "$PORT" --dbnum 2 -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" -r 100000000 --csv)

# Runs one test ROUNDS times; prints "name rps p50 p99" of the round with the most requests per second.
measure() {
    local name=$1
    shift
    local best="" round line rps
    for round in $(seq 1 "$ROUNDS"); do
        # CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        line=$("${BENCH[@]}" "$@" | tail -n 1 | tr -d '"')
        rps=$(cut -d, -f2 <<<"$line")
        if [ -z "$best" ] || awk -v a="$rps" -v b="$(cut -d, -f2 <<<"$best")" 'BEGIN { exit !(a > b) }'; then
            best=$line
        fi
    done
    IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$best"
    # Redis's own time per call of this test's command, over all its rounds (INFO commandstats, reset per test).
    local usec
    usec=$("${CLI[@]}" info commandstats | tr -d '\r' | awk -F'[:,=]' -v c="cmdstat_$(tr '[:upper:]' '[:lower:]' <<<"$1")" \
        '$1 == c { for (i = 2; i < NF; i++) if ($i == "usec_per_call") print $(i + 1) }')
    "${CLI[@]}" config resetstat >/dev/null
    printf '| %-8s | %12.0f | %8s | %8s | %13s |\n' "$name" "$rps" "$p50" "$p99" "$usec"
}

echo "==> $(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$PORT; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "    redis-benchmark: $REQUESTS requests, $CLIENTS connections, pipeline $PIPELINE, best of $ROUNDS rounds$([ "${PIN:-0}" = 1 ] && echo ", server and benchmark pinned to separate cores")"
echo
echo "| test     |        ops/s | p50 (ms) | p99 (ms) | usec_per_call |"
echo "|----------|--------------|----------|----------|---------------|"
"${CLI[@]}" config resetstat >/dev/null
measure issue "${FRESH[@]}"
measure refused "${FIXED[@]}"
measure set SET "key:__rand_int__" 123456
measure get GET "key:__rand_int__"
echo
echo "keys now in db 2: $("${CLI[@]}" dbsize); used memory: $("${CLI[@]}" info memory | grep '^used_memory_human:' | cut -d: -f2 | tr -d '\r')"
