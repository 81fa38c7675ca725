#!/usr/bin/env bash
# Load test and benchmark of the SMS-code gateway behind nginx, on loopback. Not run by CI.
#
#   bench/run.sh
#
# Starts redis-server, the demo SMS provider (quiet), two gateway instances (Release, log level Warning) behind a
# throw-away nginx, and the sample legacy app behind a second nginx, all on free 127.0.0.1 ports. Then runs wrk
# with bench/sms.lua in interleaved rounds, so that the machine's drift falls on every scenario alike:
#
#   gate          GET /sms_codes/<fresh mobile>/ through nginx: one Redis round trip, then forward to the provider
#   plain         GET /plain_codes/<fresh mobile>/ through nginx: the same forward without the gate (baseline)
#   refused       GET /sms_codes/<one mobile>/ through nginx: refused 400 by the gate, nothing forwarded
#   legacy        GET /sms_codes/<fresh mobile>/ through nginx to the sample app's seed-style Django view
#   gate-direct   as gate, straight to one gateway instance
#   plain-direct  as plain, straight to one gateway instance
#
# After every run it audits: every SMS the provider received (so every 200) has its code in Redis db 2, no mobile
# was sent to twice within its interval, no 5xx. Prints a Markdown summary and writes it to bench/results/latest.md.
# Exits 3 when a target is missed, 4 when an audit failed.
#
# Settings (environment): ROUNDS=3 DURATION=10 (s per run) WARMUP=3 THREADS=2 CONNECTIONS=64
# LEGACY_WORKERS=2*cores+1, BENCH_SKIP_BUILD=1 (use the existing Release build), BENCH_KEEP=1 (keep the run dir:
# configs, logs, each run's wrk output, snapshots and audit), GATEWAY_DLL=... (another gateway build, for A/B).
# The gateways inherit the environment, so runtime knobs can be tried as they are: DOTNET_gcServer=0,
# DOTNET_TieredPGO=0, DOTNET_ThreadPool_ForceMinWorkerThreads=N, DOTNET_GCgen0size=...
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
LEGACY_WORKERS=${LEGACY_WORKERS:-$((2 * $(nproc) + 1))}
# The bench policy: an interval that outlives a refused run (so the primed mobile stays refused), and codes that
# outlive the audit. Fresh mobiles are unique per run (see bench/sms.lua), so they never meet a flag.
INTERVAL=$((DURATION + 15))
LIFETIME=$((INTERVAL + 120))
SCENARIOS=(gate plain refused legacy gate-direct plain-direct)

if ((ROUNDS < 1 || (ROUNDS + 1) * ${#SCENARIOS[@]} > 70)); then
    echo "ROUNDS must be 1 to $((70 / ${#SCENARIOS[@]} - 1)): each run needs its own mobile tag 30-99" >&2
    exit 2
fi

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools nginx wrk curl jq gunicorn \
    python3-django python3-djangorestframework python3-django-redis python3-redis

RUN_DIR=$(mktemp -d /tmp/sms-bench.XXXXXX)
# shellcheck source=tests/e2e/stack.sh
source "$ROOT/tests/e2e/stack.sh"
BENCH_PY=(/usr/bin/python3 "$ROOT/bench/bench.py")

finish() {
    local status=$?
    stack_stop_all
    if ((status != 0 && status != 3)); then
        show_logs
        echo "run dir kept: $RUN_DIR"
    elif [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "run dir kept: $RUN_DIR"
    else
        rm -rf "$RUN_DIR"
    fi
}
trap finish EXIT

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "==> building the gateway and the demo provider (Release)"
    # Only what runs here: the gateway and the demo provider (not the test or benchmark projects).
    for project in Gateway/Gateway.csproj samples/DemoSmsProvider/DemoSmsProvider.csproj; do
        dotnet build "$ROOT/$project" -c Release -nologo -v quiet >"$RUN_DIR/build.log" 2>&1 || {
            cat "$RUN_DIR/build.log"
            exit 1
        }
    done
fi

echo "==> machine"
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEMORY=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
DOTNET_VERSION=$(dotnet --version)
GC_MODE="server GC (the ASP.NET Core default)"
[ "${DOTNET_gcServer:-}" = 0 ] && GC_MODE="workstation GC"
# Runtime knobs only (not the SDK's own DOTNET_CLI_*, DOTNET_NOLOGO...).
RUNTIME_ENV=$(env | grep -E '^DOTNET_' | grep -vE '^DOTNET_(CLI_|NOLOGO|GENERATE_ASPNET_CERTIFICATE|SKIP_FIRST_TIME)' \
    | sort | tr '\n' ' ' | sed 's/ $//' || true)
[ -z "$RUNTIME_ENV" ] || GC_MODE="$GC_MODE; $RUNTIME_ENV"
echo "    $(nproc) cores: $CPU_MODEL; $MEMORY RAM; $(uname -sr); .NET SDK $DOTNET_VERSION"
echo "    $(nginx -v 2>&1); $(redis-server --version | cut -d' ' -f1-3); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "    gateways: $GC_MODE"

echo "==> starting the stack on loopback (run dir $RUN_DIR)"
read -r REDIS_PORT PROVIDER_PORT LEGACY_PORT GW1_PORT GW2_PORT NGINX_PORT NGINX_LEGACY_PORT <<<"$(free_ports 7)"
PROVIDER="http://127.0.0.1:$PROVIDER_PORT"
GW1="http://127.0.0.1:$GW1_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"
NGINX_LEGACY="http://127.0.0.1:$NGINX_LEGACY_PORT"

# The gateways run the repository's yarp.json with the overrides below (start_gateway prints them): this run's
# addresses; the bench interval and lifetime; no caps and no client rate limiter, since wrk sends thousands of
# requests a second from one IP; and, for the baseline, a route "plain-codes" that makes the same forward without
# SmsCodePolicy metadata. The demo provider wants a code header, so that route sets a constant one (the gate sets
# the issued code).
POLICY=--SmsCodeGate:Policies:legacy-sms
PLAIN=--ReverseProxy:Routes:plain-codes
GATEWAY_ARGS=(
    "--SmsCodeGate:Redis=127.0.0.1:$REDIS_PORT"
    "--ReverseProxy:Clusters:sms-provider:Destinations:demo-provider:Address=$PROVIDER/"
    "--ReverseProxy:Clusters:legacy-app:Destinations:legacy:Address=http://127.0.0.1:$LEGACY_PORT/"
    "--ForwardedHeaders:KnownProxies:0=127.0.0.1"
    "$POLICY:SendInterval=$(printf '00:%02d:%02d' $((INTERVAL / 60)) $((INTERVAL % 60)))"
    "$POLICY:CodeLifetime=$(printf '00:%02d:%02d' $((LIFETIME / 60)) $((LIFETIME % 60)))"
    "$POLICY:MaxPerHour=0" "$POLICY:MaxPerDay=0" "$POLICY:MaxPerIpPerHour=0" "$POLICY:MaxSendsPerMinute=0"
    "--ReverseProxy:Routes:sms-codes:RateLimiterPolicy=Disable"
    "$PLAIN:ClusterId=sms-provider" "$PLAIN:Match:Path=/plain_codes/{mobile}/" "$PLAIN:Match:Methods:0=GET"
    "$PLAIN:Transforms:0:PathPattern=/send/{mobile}"
    "$PLAIN:Transforms:1:RequestHeader=X-Sms-Code" "$PLAIN:Transforms:1:Set=000000"
)

start_redis redis "$REDIS_PORT"
start_provider provider "$PROVIDER_PORT" --DemoProvider:Quiet=true --DemoProvider:MaxRecorded=2000000
WORKERS=$LEGACY_WORKERS start_legacy legacy "$LEGACY_PORT" "$REDIS_PORT"
export Logging__LogLevel__Default=Warning
start_gateway gateway-1 "$GW1_PORT" "$ROOT/yarp.json" "${GATEWAY_ARGS[@]}"
start_gateway gateway-2 "$GW2_PORT" "$ROOT/yarp.json" "${GATEWAY_ARGS[@]}"
unset Logging__LogLevel__Default
start_nginx nginx "$NGINX_PORT" "$GW1_PORT" "$GW2_PORT"
start_nginx nginx-legacy "$NGINX_LEGACY_PORT" "$LEGACY_PORT"
echo "    redis :$REDIS_PORT  provider :$PROVIDER_PORT  legacy :$LEGACY_PORT ($LEGACY_WORKERS workers)" \
    " gateways :$GW1_PORT :$GW2_PORT  nginx :$NGINX_PORT (gateways) :$NGINX_LEGACY_PORT (legacy)"

PROCS=(
    "gateway-1=$(stack_pid gateway-1)" "gateway-2=$(stack_pid gateway-2)" "nginx=$(stack_pid nginx)"
    "provider=$(stack_pid provider)" "redis=$(stack_pid redis)" "legacy=$(stack_pid legacy)"
    "nginx-legacy=$(stack_pid nginx-legacy)"
)

scenario_url() {
    case $1 in
        gate) echo "$NGINX /sms_codes/ fresh gate" ;;
        plain) echo "$NGINX /plain_codes/ fresh plain" ;;
        refused) echo "$NGINX /sms_codes/ fixed refused" ;;
        legacy) echo "$NGINX_LEGACY /sms_codes/ fresh legacy" ;;
        gate-direct) echo "$GW1 /sms_codes/ fresh gate" ;;
        plain-direct) echo "$GW1 /plain_codes/ fresh plain" ;;
    esac
}

TAG=30
RUN=0
TOTAL_RUNS=$((${#SCENARIOS[@]} * (ROUNDS + 1)))
RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"

# run_scenario SCENARIO ROUND SECONDS (round 0 is the warm-up, not counted)
run_scenario() {
    local scenario=$1 round=$2 seconds=$3 base prefix mode kind
    read -r base prefix mode kind <<<"$(scenario_url "$scenario")"
    local tag=$TAG
    TAG=$((TAG + 1))
    RUN=$((RUN + 1))
    if [ "$mode" = fixed ]; then
        # The first request for the mobile is issued; the run then only meets its flag.
        curl -fsS -o /dev/null --max-time 5 "$base${prefix}1${tag}00000000/"
    fi
    curl -fsS -o /dev/null -X DELETE "$PROVIDER/sent"
    local stem="$RUN_DIR/run-$RUN"
    "${BENCH_PY[@]}" snapshot --redis "$REDIS_PORT" --exclude $$ "${PROCS[@]}" >"$stem.before.json"
    # This shell's /proc stat around wrk: the difference of its children's CPU time is wrk's (read is a builtin).
    local shell_before shell_after
    read -r shell_before <"/proc/$$/stat"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s -s "$ROOT/bench/sms.lua" "$base" \
        -- "$prefix" "$mode" "$tag" >"$stem.wrk.log" 2>&1 || {
        cat "$stem.wrk.log"
        return 1
    }
    read -r shell_after <"/proc/$$/stat"
    printf '%s\n%s\n' "$shell_before" "$shell_after" >"$stem.shell-stat"
    "${BENCH_PY[@]}" snapshot --redis "$REDIS_PORT" --exclude $$ "${PROCS[@]}" >"$stem.after.json"
    sed -n 's/^RESULT //p' "$stem.wrk.log" >"$stem.wrk.json"
    # wrk hangs up on the requests in flight when it stops: let the gateways finish those before the audit.
    sleep 0.5
    "${BENCH_PY[@]}" audit --kind "$kind" --provider "$PROVIDER" --redis "$REDIS_PORT" \
        --within "$((INTERVAL - 1))" --wrk "$stem.wrk.json" >"$stem.audit.json"
    printf '[%2d/%d] %-8s ' "$RUN" "$TOTAL_RUNS" "$([ "$round" = 0 ] && echo warm-up || echo "round $round")"
    "${BENCH_PY[@]}" record --scenario "$scenario" --round "$round" --tag "$tag" --wrk "$stem.wrk.json" \
        --before "$stem.before.json" --after "$stem.after.json" --audit "$stem.audit.json" --results "$RESULTS" \
        --shell-stat "$stem.shell-stat"
}

echo "==> warm-up: ${WARMUP} s per scenario (JIT, connection pools; not counted)"
for scenario in "${SCENARIOS[@]}"; do
    run_scenario "$scenario" 0 "$WARMUP"
done

echo "==> $ROUNDS interleaved rounds, $DURATION s per scenario, wrk -t$THREADS -c$CONNECTIONS"
for round in $(seq "$ROUNDS"); do
    # Rotate the order each round, so that no scenario always follows the same one.
    for i in $(seq 0 $((${#SCENARIOS[@]} - 1))); do
        run_scenario "${SCENARIOS[$(((i + round - 1) % ${#SCENARIOS[@]}))]}" "$round" "$DURATION"
    done
done

PEAK1=$(awk '/VmHWM/ {print $2}' "/proc/$(stack_pid gateway-1)/status")
PEAK2=$(awk '/VmHWM/ {print $2}' "/proc/$(stack_pid gateway-2)/status")
cat >"$RUN_DIR/machine.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%MZ)", "nproc": $(nproc), "cpu": "$CPU_MODEL", "memory": "$MEMORY",
  "kernel": "$(uname -sr)", "dotnet": "$DOTNET_VERSION", "nginx": "$(nginx -v 2>&1 | cut -d' ' -f3)",
  "redis": "$(redis-server --version | cut -d' ' -f3 | cut -d= -f2)", "wrk": "wrk $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f2)",
  "threads": $THREADS, "connections": $CONNECTIONS, "rounds": $ROUNDS, "duration": $DURATION, "warmup": $WARMUP,
  "legacy_workers": $LEGACY_WORKERS, "interval": $INTERVAL, "lifetime": $LIFETIME,
  "gc": "$GC_MODE",
  "peak_rss_mb": { "gateway-1": $((PEAK1 / 1024)), "gateway-2": $((PEAK2 / 1024)) }
}
JSON

echo "==> stopping the stack"
stack_stop_all
mkdir -p "$ROOT/bench/results"
echo "==> summary (also in bench/results/latest.md)"
echo
set +e
"${BENCH_PY[@]}" report --results "$RESULTS" --machine "$RUN_DIR/machine.json" --out "$ROOT/bench/results/latest.md"
status=$?
set -e
cp "$RESULTS" "$ROOT/bench/results/latest.jsonl"
case $status in
    0) echo "all targets met, every audit passed" ;;
    3) echo "every audit passed; some target missed (see the table)" ;;
    4) echo "AN AUDIT FAILED (see the table)" ;;
esac
exit $status
