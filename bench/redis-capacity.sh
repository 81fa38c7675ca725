#!/usr/bin/env bash
# Redis capacity of the SMS-code gate: how many of the gate's script calls one Redis (one cluster shard) runs per
# second, measured with redis-benchmark. Not run by CI.
#
#   bench/redis-capacity.sh
#
# Starts its own redis-server (no persistence, like the tests) on a free 127.0.0.1 port, loads the issue script
# exactly as the store sends it (Store/Redis/Lua/codes.lua then issue.lua, as RedisScripts composes them; SCRIPT LOAD),
# and runs redis-benchmark on:
#
#   issue     EVALSHA for a fresh random mobile: checks, then SET flag, SET code, the state hash, INCR+PEXPIRE hour
#             and day counters (the gate's 200 path; MaxPerHour 5, MaxPerDay 10, IP and spend caps raised as
#             bench/run.sh raises them, as the store sends it): 5 keys per mobile
#   refused   EVALSHA for one fixed mobile: PTTL flag, GET the four counters, refuse (the gate's 400 path)
#   set, get  plain SET and GET of a random key, for reference
#
# Every gate request costs one EVALSHA (issued or refused); a provider failure adds one more (the revoke).
# redis-benchmark replaces every __rand_int__ on its own, so the issue path's keys are random per key, not per
# mobile: the same work on a single server (in a cluster the real keys share one hash tag and so one slot).
#
# Settings (environment): NOCAPS=1 (the caps-off policy's call), AUDIT=1 (audit stream on), SCRIPT=file.lua (another
# issue script with the same KEYS and ARGV, codes.lua included, for A/B), REQUESTS=200000 CLIENTS=50 PIPELINE=1 ROUNDS=3 (the best round is reported per test);
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

# shellcheck source=bench/redis-scratch.sh
source "$ROOT/bench/redis-scratch.sh"
redis_scratch redis-capacity
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
issue_script "$RUN_DIR/issue.lua"

"${SERVER_CPU[@]}" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --protected-mode no \
    --dir "$RUN_DIR" --loglevel warning >"$RUN_DIR/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
done
CLI=(redis-cli -p "$PORT" -n 2)
SHA=$("${CLI[@]}" -x script load <"$RUN_DIR/issue.lua")

# KEYS and ARGV as the store sends them (RedisSmsCodeStore, issue.lua's header) with the shipped caps (yarp.json):
# flag, code, state, then with Feature.Counters the hour, day, IP and spend counters, then with Feature.Audit the
# audit stream; code, interval 60 s, lifetime 300 s, nonce, the features,
# caps hour 5, day 10, IP and spend raised as bench/run.sh raises them, then the audit's cap, policy and masked mobile.
# NOCAPS=1: every cap off, as the caps-off policy sends it. AUDIT=1: the audit stream on.
issue_call() { # issue_call MOBILE: sets CALL to the EVALSHA of one issue for MOBILE (__rand_int__: a fresh one)
    local m=$1 features=0 keys=("send_flag_{$1}" "sms_{$1}" "sms_state_{$1}") args=(123456 60000 300000 nonce-1)
    local extra=()
    if [ "${NOCAPS:-0}" != 1 ]; then
        features=1
        keys+=("sms_hour_{$m}" "sms_day_{$m}" "sms_ip_hour_{127.0.0.1}" "sms_spend_{legacy-sms}")
        extra=(5 10 1000000000 1000000000)
    fi
    if [ "${AUDIT:-0}" = 1 ]; then
        features=$((features | 2))
        keys+=(sms_audit)
        extra+=(100000 legacy-sms "138****8000")
    fi
    CALL=(EVALSHA "$SHA" "${#keys[@]}" "${keys[@]}" "${args[@]}" "$features" "${extra[@]}")
}
issue_call __rand_int__
FRESH=("${CALL[@]}")
issue_call 13800138000
FIXED=("${CALL[@]}")

# Keys a send writes: SENDS issues for as many fresh mobiles on an emptied database, then the keys that name a mobile
# (the shared IP, spend and audit keys aside) and INFO keyspace, which counts the keys with a TTL (expires).
SENDS=${SENDS:-1000}
"${CLI[@]}" flushdb >/dev/null
for i in $(seq 1 "$SENDS"); do
    issue_call "1390$(printf %07d "$i")"
    echo "${CALL[*]}"
done | "${CLI[@]}" >/dev/null
MOBILE_KEYS=$("${CLI[@]}" --scan --pattern '*{1390*' | wc -l)
KEYS_PER_SEND=$(awk -v k="$MOBILE_KEYS" -v n="$SENDS" 'BEGIN { printf "%.2f", k / n }')
KEYSPACE=$("${CLI[@]}" info keyspace | tr -d '\r' | grep '^db2:' || true)
"${CLI[@]}" flushdb >/dev/null

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
echo "keys per fresh-mobile send: $KEYS_PER_SEND ($MOBILE_KEYS mobile keys after $SENDS sends; $KEYSPACE)"
echo "keys now in db 2: $("${CLI[@]}" dbsize); used memory: $("${CLI[@]}" info memory | grep '^used_memory_human:' | cut -d: -f2 | tr -d '\r')"
