#!/usr/bin/env bash
# Load test and benchmark of the SMS-code gateway behind nginx, on loopback. Not run by CI.
#
#   bench/run.sh
#
# Starts redis-server, the demo SMS provider (quiet), two gateway instances (Release) behind a throw-away nginx,
# the sample legacy app behind a second nginx, and the OpenResty peer (../shared/peers/openresty-gate, copied at run
# time, never committed), all on free 127.0.0.1 ports. The gateways run what ships: Gateway/appsettings.json
# (Information) and yarp.json with its legacy-sms policy and caps; only the limits that a single load generator
# trips are raised, by command-line overrides that start_gateway prints (the per-IP caps, the spend guard). Then
# runs wrk with bench/sms.lua in interleaved rounds, so that the machine's drift falls on every scenario alike:
#
#   gate          GET /sms_codes/<fresh mobile>/ through nginx: shipped policy (caps on), one Redis round trip,
#                 then forward to the provider
#   gate-nocaps   as gate, with the caps-off policy (no counters, no client rate limiter)
#   gate-audit    as gate, with the audit stream on (one XADD inside the same script)
#   gate-rules    as gate, with the number rules (CountryCode, Numbers:*) and the conversion guard (Blocks:*) on,
#                 as bench/pumping.json sets them, but Blocks:MinSends out of reach, so that every send is counted
#                 in its block and none is refused
#   plain         GET /plain_codes/<fresh mobile>/ through nginx: the same forward without the gate (baseline)
#   refused       GET /sms_codes/<one mobile>/ through nginx: refused 400 by the gate, nothing forwarded
#   legacy        GET /sms_codes/<fresh mobile>/ through nginx to the sample app's seed-style Django view
#   gate-direct   as gate, straight to one gateway instance
#   plain-direct  as plain, straight to one gateway instance
#   peer          GET /sms_codes/<fresh mobile>/ on the OpenResty peer (same Redis, same provider)
#   gate@10, plain@10, peer@10, gate@25, plain@25, peer@25, gate@50, plain@50, peer@50
#                 as gate, plain and peer at a fixed load: 10, 25 and 50% of the gate's own maximum through nginx,
#                 measured once after the warm-up. Sent by bench/loadgen (open loop: latency counts from each
#                 request's scheduled start, so a stall shows in the percentiles; see bench/loadgen/main.go)
#
# After every run it audits: every SMS the provider received (so every 200) has its code in Redis db 2, no mobile
# was sent to twice within its interval, no 5xx. Prints a Markdown summary and writes it to bench/results/latest.md,
# with a plot (bench/results/latest.png). Exits 3 when a target is missed, 4 when an audit failed.
#
# Settings (environment): ROUNDS=3 DURATION=10 (s per run) WARMUP=3 THREADS=2 CONNECTIONS=64 (wrk and loadgen)
# LEGACY_WORKERS=2*cores+1, SCENARIOS="gate plain ..." (a subset), BENCH_SKIP_BUILD=1 (use the existing Release
# build), BENCH_KEEP=1 (keep the run dir: configs, logs, each run's wrk output, snapshots and audit),
# GATEWAY_DLL=... (another gateway build, for A/B), PEER_DIR=... (another copy of the peer), GATE_MAX=N (skip the
# measurement of the gate's maximum; the fixed loads are fractions of N), BENCH_NO_RULES_POLICY=1 (an A/B build from
# before the number rules: leaves the gate-rules policy and route out; drop gate-rules from SCENARIOS).
# GATEWAY_ENV="DOTNET_X=1 DOTNET_Y=0" (runtime knobs for the gateways only), GATEWAYS=1 (one gateway instance behind
# nginx instead of two), GATEWAY_PIN=1 (each instance pinned to a core of its own, with DOTNET_PROCESSOR_COUNT=1:
# one instance per core instead of two sharing both cores).
# The gateways inherit the environment, so runtime knobs can be tried as they are: DOTNET_gcServer=0,
# DOTNET_TieredPGO=0, DOTNET_ThreadPool_ForceMinWorkerThreads=N, DOTNET_GCgen0size=...
# Unix sockets (docs/deployment.md): BENCH_UDS=1, nginx -> gateways over them (gate-direct and plain-direct stay on
# TCP: the load generators connect to ports); BENCH_REDIS_UDS=1, the gateways and the peer -> Redis over its socket
# (the legacy app and the audit stay on TCP). The machine line and machine.json name the mode ("hops").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
LEGACY_WORKERS=${LEGACY_WORKERS:-$((2 * $(nproc) + 1))}
PEER_DIR=${PEER_DIR:-$ROOT/../shared/peers/openresty-gate}
# The shipped policy's interval and lifetime (yarp.json): the interval outlives a refused run, so the primed mobile
# stays refused; codes outlive the audit. Fresh mobiles are unique per run (see bench/sms.lua), so they never meet
# a flag or a per-mobile cap.
INTERVAL=60
LIFETIME=300
# shellcheck disable=SC2206
SCENARIOS=(${SCENARIOS:-gate gate-nocaps gate-audit gate-rules plain refused legacy gate-direct plain-direct peer
    gate@10 plain@10 peer@10 gate@25 plain@25 peer@25 gate@50 plain@50 peer@50})
((DURATION + 5 < INTERVAL)) || { echo "DURATION must stay below the shipped send interval ($INTERVAL s) less 5 s" >&2; exit 2; }

if ((ROUNDS < 1 || (ROUNDS + 1) * ${#SCENARIOS[@]} + 1 > 700)); then
    echo "ROUNDS must be 1 to $((699 / ${#SCENARIOS[@]} - 1)): each run needs its own mobile tag 300-999" >&2
    exit 2
fi

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools nginx wrk curl jq gunicorn \
    python3-django python3-djangorestframework python3-django-redis python3-redis python3-matplotlib \
    libnginx-mod-http-lua lua-resty-core golang-go
[ -f "$PEER_DIR/nginx.conf.template" ] && [ -f "$PEER_DIR/gate.lua" ] || {
    echo "the OpenResty peer is not at $PEER_DIR (set PEER_DIR)" >&2
    exit 2
}

RUN_DIR=$(mktemp -d /tmp/sms-bench.XXXXXX)
STACK_UDS=${BENCH_UDS:-0}
STACK_REDIS_UDS=${BENCH_REDIS_UDS:-0}
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
    stack_build || exit 1
fi
LOADGEN="$RUN_DIR/loadgen"
(cd "$ROOT/bench/loadgen" && GOCACHE="$RUN_DIR/go-cache" GOPATH="$RUN_DIR/go" go build -o "$LOADGEN" .) || exit 1

echo "==> machine"
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEMORY=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
DOTNET_VERSION=$(dotnet --version)
# The gateway's runtime settings as its build ships them (Gateway.csproj writes them into runtimeconfig.json).
GC_MODE="runtimeconfig.json $(jq -c '.runtimeOptions.configProperties // {}' "${GATEWAY_DLL%.dll}.runtimeconfig.json" \
    | sed 's/"//g')"
# Runtime knobs only (not the SDK's own DOTNET_CLI_*, DOTNET_NOLOGO...).
RUNTIME_ENV=$(env | grep -E '^DOTNET_' | grep -vE '^DOTNET_(CLI_|NOLOGO|GENERATE_ASPNET_CERTIFICATE|SKIP_FIRST_TIME)' \
    | sort | tr '\n' ' ' | sed 's/ $//' || true)
[ -z "$RUNTIME_ENV" ] || GC_MODE="$GC_MODE; $RUNTIME_ENV"
[ -z "${GATEWAY_ENV:-}" ] || GC_MODE="$GC_MODE; gateways only: $GATEWAY_ENV"
echo "    $(nproc) cores: $CPU_MODEL; $MEMORY RAM; $(uname -sr); .NET SDK $DOTNET_VERSION"
echo "    $(nginx -v 2>&1); $(redis-server --version | cut -d' ' -f1-3); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "    gateways: $GC_MODE"
echo "    hops: $(stack_mode)"

echo "==> starting the stack on loopback (run dir $RUN_DIR)"
read -r REDIS_PORT PROVIDER_PORT LEGACY_PORT GW1_PORT GW2_PORT NGINX_PORT NGINX_LEGACY_PORT PEER_PORT <<<"$(free_ports 8)"
PROVIDER="http://127.0.0.1:$PROVIDER_PORT"
GW1="http://127.0.0.1:$GW1_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"
NGINX_LEGACY="http://127.0.0.1:$NGINX_LEGACY_PORT"
PEER="http://127.0.0.1:$PEER_PORT"

# The gateways run the repository's yarp.json and the shipped appsettings.json (no Logging__* override), with the
# overrides below, which start_gateway prints:
#   - this run's addresses;
#   - the limits that wrk, thousands of requests a second from one IP, trips on the shipped policy: the per-IP
#     cap (MaxPerIpPerHour), the client rate limiter sms-per-ip (TokenLimit) and the policy-wide spend guard
#     (MaxSendsPerMinute). They stay on, so the script counts them as it would in production; per-mobile caps
#     (MaxPerHour, MaxPerDay) and the interval stay as shipped (fresh mobiles never reach them);
#   - a second policy, bench-nocaps (every cap off, no client rate limiter), on route /nocaps_sms_codes/;
#   - a third, bench-audit (the shipped policy with its audit stream on), on route /audit_sms_codes/;
#   - for the baseline, a route "plain-codes" that makes the same forward without SmsCodePolicy metadata, to a cluster
#     of its own (plain-provider, the same demo provider unmarked: the gateway refuses an ungated route to a cluster
#     marked SmsProvider). The demo provider wants a code header, so that route sets a constant one (the gate sets
#     the issued code).
RAISED=1000000000
AUDIT_STREAM=sms_audit
POLICY=--SmsCodeGate:Policies:legacy-sms
NOCAPS=--SmsCodeGate:Policies:bench-nocaps
AUDIT=--SmsCodeGate:Policies:bench-audit
RULES=--SmsCodeGate:Policies:bench-rules
PLAIN=--ReverseProxy:Routes:plain-codes
gated_route() { # gated_route ROUTE PATH POLICY [RATE_LIMITER_POLICY]
    local route=--ReverseProxy:Routes:$1
    echo "$route:ClusterId=sms-provider" "$route:Match:Path=$2" "$route:Match:Methods:0=GET" \
        "$route:Metadata:SmsCodePolicy=$3" "$route:Transforms:0:PathPattern=/send/{mobile}" \
        ${4:+"$route:RateLimiterPolicy=$4"}
}
# shellcheck disable=SC2207
GATEWAY_ARGS=(
    "--SmsCodeGate:Redis=127.0.0.1:$REDIS_PORT"
    "--ReverseProxy:Clusters:sms-provider:Destinations:demo-provider:Address=$PROVIDER/"
    "--ReverseProxy:Clusters:legacy-app:Destinations:legacy:Address=http://127.0.0.1:$LEGACY_PORT/"
    "--ForwardedHeaders:KnownProxies:0=127.0.0.1"
    "$POLICY:MaxPerIpPerHour=$RAISED" "$POLICY:MaxSendsPerMinute=$RAISED"
    "--ClientRateLimiting:Policies:sms-per-ip:TokenLimit=$RAISED"
    "$NOCAPS:Database=2"
    $(gated_route nocaps-codes '/nocaps_sms_codes/{mobile}/' bench-nocaps)
    "$AUDIT:MaxPerHour=5" "$AUDIT:MaxPerDay=10" "$AUDIT:MaxPerIpPerHour=$RAISED" "$AUDIT:MaxSendsPerMinute=$RAISED"
    "$AUDIT:AuditStreamKey=$AUDIT_STREAM"
    $(gated_route audit-codes '/audit_sms_codes/{mobile}/' bench-audit sms-per-ip)
    "$RULES:Database=2" "$RULES:MaxPerHour=5" "$RULES:MaxPerDay=10" "$RULES:MaxPerIpPerHour=$RAISED"
    "$RULES:MaxSendsPerMinute=$RAISED" "$RULES:CountryCode=86" "$RULES:Numbers:AllowRegions:0=CN"
    "$RULES:Numbers:DenyPrefixes:0=+86170" "$RULES:Numbers:DenyPrefixes:1=+86171"
    $(printf -- "$RULES:Numbers:DenyTypes:%s " 0=PremiumRate 1=SharedCost 2=TollFree 3=Voip 4=Uan 5=Unknown)
    "$RULES:Blocks:PrefixLength=7" "$RULES:Blocks:Window=00:10:00" "$RULES:Blocks:MinSends=$RAISED"
    "$RULES:Blocks:MinConversion=0.2" "$RULES:Blocks:BlockFor=00:15:00" "$RULES:Blocks:MaxPerHour=$RAISED"
    $(gated_route rules-codes '/rules_sms_codes/{mobile}/' bench-rules sms-per-ip)
    "--ReverseProxy:Clusters:plain-provider:Destinations:demo-provider:Address=$PROVIDER/"
    "$PLAIN:ClusterId=plain-provider" "$PLAIN:Match:Path=/plain_codes/{mobile}/" "$PLAIN:Match:Methods:0=GET"
    "$PLAIN:Transforms:0:PathPattern=/send/{mobile}"
    "$PLAIN:Transforms:1:RequestHeader=X-Sms-Code" "$PLAIN:Transforms:1:Set=000000"
)
if [ "${BENCH_NO_AUDIT_POLICY:-0}" = 1 ]; then
    # A build from before AuditStreamKey existed (A/B): leave that policy out.
    mapfile -t GATEWAY_ARGS < <(printf '%s\n' "${GATEWAY_ARGS[@]}" | grep -v -e "$AUDIT:AuditStreamKey")
fi
if [ "${BENCH_NO_RULES_POLICY:-0}" = 1 ]; then
    # A build from before the number rules and blocks existed (A/B): leave that policy and its route out.
    mapfile -t GATEWAY_ARGS < <(printf '%s\n' "${GATEWAY_ARGS[@]}" | grep -v -e "$RULES:" -e "Routes:rules-codes:")
fi

# start_peer NAME PORT: the OpenResty peer, rendered as its template says. Its subrequest location passes the
# URI /_provider/<mobile> on unchanged, which the demo provider does not serve (404, so every request a 502): the
# rendering points that one proxy_pass at the provider's /send/ instead. Nothing else of the peer is changed.
start_peer() {
    local name=$1 port=$2 dir="$RUN_DIR/$1"
    mkdir -p "$dir/tmp"
    chmod 755 "$RUN_DIR" "$dir"
    cp "$PEER_DIR/gate.lua" "$PEER_DIR/nginx.conf.template" "$dir/"
    sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@REDIS_PORT@|$REDIS_PORT|g" \
        -e "s|@PROVIDER_PORT@|$PROVIDER_PORT|g" -e "s|@GATE_LUA@|$dir/gate.lua|g" \
        -e '/location \/_provider\//s|proxy_pass http://provider;|proxy_pass http://provider/send/;|' \
        "$dir/nginx.conf.template" >"$dir/nginx.conf"
    grep -q 'proxy_pass http://provider/send/;' "$dir/nginx.conf" || {
        echo "the peer's template changed: its provider location was not found" >&2
        return 1
    }
    if ((STACK_REDIS_UDS)); then
        # Its cosocket connects to Redis's socket instead (lua-resty-redis's "unix:/path" form).
        sed -i "s|sock:connect(\"127.0.0.1\", tonumber(ngx.var.redis_port))|sock:connect(\"unix:$(stack_redis_socket "$REDIS_PORT")\")|" \
            "$dir/gate.lua"
        grep -qF "sock:connect(\"unix:$(stack_redis_socket "$REDIS_PORT")\")" "$dir/gate.lua" || {
            echo "the peer's gate.lua changed: its Redis connect was not found" >&2
            return 1
        }
    fi
    nginx -q -t -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 10 curl -sS -o /dev/null --max-time 2 "http://127.0.0.1:$port/"
    echo "    $name :$port ($PEER_DIR, worker_processes $(grep -o 'worker_processes [0-9]*' "$dir/nginx.conf" | cut -d' ' -f2))"
}

start_redis redis "$REDIS_PORT"
start_provider provider "$PROVIDER_PORT" --DemoProvider:Quiet=true --DemoProvider:MaxRecorded=2000000
WORKERS=$LEGACY_WORKERS start_legacy legacy "$LEGACY_PORT" "$REDIS_PORT"
# GATEWAY_ENV: runtime knobs for the gateways only (the provider, a .NET app too, keeps the defaults).
for knob in ${GATEWAY_ENV:-}; do export "${knob?}"; done
GATEWAYS=${GATEWAYS:-2}
GATEWAY_PORTS=("$GW1_PORT" "$GW2_PORT")
GATEWAY_PORTS=("${GATEWAY_PORTS[@]:0:$GATEWAYS}")
for i in $(seq "$GATEWAYS"); do
    if [ "${GATEWAY_PIN:-0}" = 1 ]; then
        DOTNET_PROCESSOR_COUNT=1 start_gateway "gateway-$i" "${GATEWAY_PORTS[$((i - 1))]}" "$ROOT/yarp.json" \
            "${GATEWAY_ARGS[@]}"
        taskset -a -p -c $(((i - 1) % $(nproc))) "$(stack_pid "gateway-$i")" >/dev/null
    else
        start_gateway "gateway-$i" "${GATEWAY_PORTS[$((i - 1))]}" "$ROOT/yarp.json" "${GATEWAY_ARGS[@]}"
    fi
done
for knob in ${GATEWAY_ENV:-}; do unset "${knob%%=*}"; done
start_nginx nginx "$NGINX_PORT" "${GATEWAY_PORTS[@]}"
start_nginx nginx-legacy "$NGINX_LEGACY_PORT" "$LEGACY_PORT"
start_peer peer "$PEER_PORT"
echo "    redis :$REDIS_PORT  provider :$PROVIDER_PORT  legacy :$LEGACY_PORT ($LEGACY_WORKERS workers)" \
    " gateways :$GW1_PORT :$GW2_PORT  nginx :$NGINX_PORT (gateways) :$NGINX_LEGACY_PORT (legacy)  peer :$PEER_PORT"
echo "    gateway log level: $(jq -r .Logging.LogLevel.Default "$ROOT/Gateway/appsettings.json") (shipped appsettings.json)"

PROCS=(
    $(for i in $(seq "$GATEWAYS"); do echo "gateway-$i=$(stack_pid "gateway-$i")"; done) "nginx=$(stack_pid nginx)"
    "provider=$(stack_pid provider)" "redis=$(stack_pid redis)" "legacy=$(stack_pid legacy)"
    "nginx-legacy=$(stack_pid nginx-legacy)" "peer=$(stack_pid peer)"
)

scenario_url() {
    case ${1%@*} in
        gate) echo "$NGINX /sms_codes/ fresh gate" ;;
        gate-nocaps) echo "$NGINX /nocaps_sms_codes/ fresh gate" ;;
        gate-audit) echo "$NGINX /audit_sms_codes/ fresh gate" ;;
        gate-rules) echo "$NGINX /rules_sms_codes/ fresh gate" ;;
        plain) echo "$NGINX /plain_codes/ fresh plain" ;;
        refused) echo "$NGINX /sms_codes/ fixed refused" ;;
        legacy) echo "$NGINX_LEGACY /sms_codes/ fresh legacy" ;;
        gate-direct) echo "$GW1 /sms_codes/ fresh gate" ;;
        plain-direct) echo "$GW1 /plain_codes/ fresh plain" ;;
        peer) echo "$PEER /sms_codes/ fresh gate" ;;
        *) echo "unknown scenario $1" >&2; return 1 ;;
    esac
}

TAG=300
RUN=0
TOTAL_RUNS=$((${#SCENARIOS[@]} * (ROUNDS + 1)))
[[ " ${SCENARIOS[*]} " != *@* || -n ${GATE_MAX:-} ]] || TOTAL_RUNS=$((TOTAL_RUNS + 1))
RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"

# run_scenario SCENARIO ROUND SECONDS (round 0 is the warm-up, not counted)
run_scenario() {
    local scenario=$1 round=$2 seconds=$3 base prefix mode kind rate=""
    read -r base prefix mode kind <<<"$(scenario_url "$scenario")"
    # A fixed load: the scenario's percentage of the gate's maximum.
    [[ $scenario != *@* ]] || rate=$((GATE_MAX * ${scenario#*@} / 100))
    local tag=$TAG
    TAG=$((TAG + 1))
    RUN=$((RUN + 1))
    if [ "$mode" = fixed ]; then
        # The first request for the mobile is issued; the run then only meets its flag.
        curl -fsS -o /dev/null --max-time 5 "$base${prefix}1${tag}0000000/"
    fi
    curl -fsS -o /dev/null -X DELETE "$PROVIDER/sent"
    local stem="$RUN_DIR/run-$RUN"
    "${BENCH_PY[@]}" snapshot --redis "$REDIS_PORT" --exclude $$ "${PROCS[@]}" >"$stem.before.json"
    # This shell's /proc stat around wrk: the difference of its children's CPU time is wrk's (read is a builtin).
    local shell_before shell_after
    read -r shell_before <"/proc/$$/stat"
    if [ -n "$rate" ]; then
        # One P: Go's scheduler otherwise keeps a second thread spinning for work between sends (half the
        # generator's CPU at these rates), which would count as the machine's.
        GOMAXPROCS=1 "$LOADGEN" -url "$base" -prefix "$prefix" -mode "$mode" -tag "$tag" -rate "$rate" -duration "${seconds}s" \
            -connections "$CONNECTIONS" -timeout 5s >"$stem.wrk.log" 2>&1
    else
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s \
            -s "$ROOT/bench/sms.lua" "$base" -- "$prefix" "$mode" "$tag" >"$stem.wrk.log" 2>&1
    fi || {
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
        --target-rps "$rate" \
        --before "$stem.before.json" --after "$stem.after.json" --audit "$stem.audit.json" --results "$RESULTS" \
        --shell-stat "$stem.shell-stat"
}

echo "==> warm-up: ${WARMUP} s per scenario (JIT, connection pools; not counted)"
GATE_MAX_GIVEN=${GATE_MAX:-}
# The warm-up runs of the fixed loads use a guess; the rounds use the measured maximum.
GATE_MAX=${GATE_MAX_GIVEN:-2000}
for scenario in "${SCENARIOS[@]}"; do
    run_scenario "$scenario" 0 "$WARMUP"
done

# The fixed loads: fractions of what the gate (through nginx) serves at most, measured once here.
if [[ " ${SCENARIOS[*]} " == *@* && -z $GATE_MAX_GIVEN ]]; then
    run_scenario gate 0 "$DURATION"
    GATE_MAX=$(tail -n 1 "$RESULTS" | jq '.rps | floor')
    echo "==> fixed loads: 10, 25 and 50% of the gate's maximum, $GATE_MAX req/s"
fi

echo "==> $ROUNDS interleaved rounds, $DURATION s per scenario, wrk -t$THREADS -c$CONNECTIONS"
for round in $(seq "$ROUNDS"); do
    # Rotate the order each round, so that no scenario always follows the same one.
    for i in $(seq 0 $((${#SCENARIOS[@]} - 1))); do
        run_scenario "${SCENARIOS[$(((i + round - 1) % ${#SCENARIOS[@]}))]}" "$round" "$DURATION"
    done
done

PEAKS=$(for i in $(seq "$GATEWAYS"); do
    echo "\"gateway-$i\": $(($(awk '/VmHWM/ {print $2}' "/proc/$(stack_pid "gateway-$i")/status") / 1024))"
done | paste -sd, -)
cat >"$RUN_DIR/machine.json" <<JSON
{
  "date": "$(date -u +%Y-%m-%dT%H:%MZ)", "nproc": $(nproc), "cpu": "$CPU_MODEL", "memory": "$MEMORY",
  "kernel": "$(uname -sr)", "dotnet": "$DOTNET_VERSION", "nginx": "$(nginx -v 2>&1 | cut -d' ' -f3)",
  "redis": "$(redis-server --version | cut -d' ' -f3 | cut -d= -f2)", "wrk": "wrk $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f2)",
  "threads": $THREADS, "connections": $CONNECTIONS, "rounds": $ROUNDS, "duration": $DURATION, "warmup": $WARMUP,
  "legacy_workers": $LEGACY_WORKERS, "interval": $INTERVAL, "lifetime": $LIFETIME, "gate_max": $GATE_MAX,
  "loadgen": "bench/loadgen (Go $(go version | cut -d' ' -f3 | sed 's/^go//'))",
  "log_level": "$(jq -r .Logging.LogLevel.Default "$ROOT/Gateway/appsettings.json")",
  "overrides": $(printf '%s\n' "${GATEWAY_ARGS[@]}" | grep -vE 'Redis=|Address=' | jq -R . | jq -s .),
  "gc": "$GC_MODE", "hops": "$(stack_mode)",
  "gateways": $GATEWAYS, "pinned": ${GATEWAY_PIN:-0},
  "peak_rss_mb": { $PEAKS }
}
JSON

echo "==> stopping the stack"
stack_stop_all
mkdir -p "$ROOT/bench/results"
echo "==> summary (also in bench/results/latest.md)"
echo
set +e
"${BENCH_PY[@]}" report --results "$RESULTS" --machine "$RUN_DIR/machine.json" --out "$ROOT/bench/results/latest.md" \
    --plot "$ROOT/bench/results/latest.png"
status=$?
set -e
cp "$RESULTS" "$ROOT/bench/results/latest.jsonl"
case $status in
    0) echo "all targets met, every audit passed" ;;
    3) echo "every audit passed; some target missed (see the table)" ;;
    4) echo "AN AUDIT FAILED (see the table)" ;;
esac
exit $status
