#!/usr/bin/env bash
# The whole stack, shaped like production, on loopback, in one command: Redis, the demo SMS provider, the sample
# legacy Django app, two gateway instances on yarp.json and nginx in front with the shipped deploy/nginx files.
# Prints the URLs and what to try, runs until Ctrl+C (or SIGTERM), then stops everything it started.
#
#   scripts/stack.sh                   one redis-server (deploy/redis/redis-master.conf)
#   scripts/stack.sh --sentinel        a master, one replica and three sentinels (deploy/redis/*.conf)
#
# Options:
#   --no-build         run the Release build there is (Gateway, DemoSmsProvider) instead of building it first
#   --port-offset N    add N to every port below, e.g. 10000: nginx on 18080 (default 0, or STACK_PORT_OFFSET)
#   --run-dir DIR      configs and logs in DIR (new or empty; kept) instead of a new temp dir (removed on a clean
#                      stop)
#   --keep             keep the temp run dir after a clean stop too
#   --uds              nginx -> gateways and gateways -> Redis over Unix sockets in the run dir (or STACK_UDS=1;
#                      STACK_REDIS_UDS=0 keeps Redis on TCP); with --sentinel Redis stays on TCP. See docs/deployment.md
#
# Ports (127.0.0.1 only): nginx 8080, gateways 5001 5002 (deploy/nginx/sms-gateway/upstreams.conf), demo provider
# 5100 and legacy app 8000 (yarp.json's addresses), Redis 6379 (with --sentinel the replica 6380 and the sentinels
# 26379 26380 26381, as in deploy/redis/). A port in use stops the start with the name of what holds it.
#
# The gateways run the repository's yarp.json; only command-line overrides differ from it, and each is printed:
# the Redis string, nginx as the trusted proxy and, with a port offset, the provider's and legacy app's addresses.
# Needs Debian 12 with the .NET 10 SDK; missing Debian packages are installed (scripts/ensure-packages.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
    exit "${1:-0}"
}

SENTINEL=0
BUILD=1
KEEP=0
OFFSET=${STACK_PORT_OFFSET:-0}
RUN_DIR=""
while [ $# -gt 0 ]; do
    case $1 in
        --sentinel) SENTINEL=1 ;;
        --no-build) BUILD=0 ;;
        --keep) KEEP=1 ;;
        --uds) STACK_UDS=1 ;;
        --port-offset) OFFSET=${2:?--port-offset needs a number}; shift ;;
        --port-offset=*) OFFSET=${1#*=} ;;
        --run-dir) RUN_DIR=${2:?--run-dir needs a directory}; shift ;;
        --run-dir=*) RUN_DIR=${1#*=} ;;
        -h | --help) usage ;;
        *) echo "stack.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
    esac
    shift
done
if ! [[ $OFFSET =~ ^-?[0-9]+$ ]] || ((OFFSET < -4000 || OFFSET > 39000)); then
    echo "stack.sh: --port-offset must be a whole number from -4000 to 39000 (every port stays in 1024..65535)" >&2
    exit 2
fi

NGINX_PORT=$((8080 + OFFSET))
GW_PORTS=($((5001 + OFFSET)) $((5002 + OFFSET)))
PROVIDER_PORT=$((5100 + OFFSET))
LEGACY_PORT=$((8000 + OFFSET))
REDIS_PORT=$((6379 + OFFSET))
REPLICA_PORT=$((6380 + OFFSET))
SENTINEL_PORTS=($((26379 + OFFSET)) $((26380 + OFFSET)) $((26381 + OFFSET)))
SERVICE=mymaster
MOBILE=13800138000

# ---------------------------------------------------------------------------------------------------------------
# Before anything starts: the tools, and every port free.

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools nginx curl jq gunicorn \
    python3-django python3-djangorestframework python3-django-redis python3-redis
if ! command -v dotnet >/dev/null; then
    echo "stack.sh: 'dotnet' is not on PATH: install the .NET 10 SDK first" >&2
    exit 1
fi

PORTS=("nginx $NGINX_PORT" "gateway-1 ${GW_PORTS[0]}" "gateway-2 ${GW_PORTS[1]}" "provider $PROVIDER_PORT"
    "legacy $LEGACY_PORT" "redis $REDIS_PORT")
if ((SENTINEL)); then
    PORTS+=("redis-replica $REPLICA_PORT" "sentinel-1 ${SENTINEL_PORTS[0]}" "sentinel-2 ${SENTINEL_PORTS[1]}"
        "sentinel-3 ${SENTINEL_PORTS[2]}")
fi

# taken_ports: prints "NAME PORT" for every port of PORTS that cannot be bound on 127.0.0.1 now.
taken_ports() {
    local entry
    for entry in "${PORTS[@]}"; do
        # SO_REUSEADDR, as the servers bind: a port held only by connections in TIME_WAIT is free for them.
        /usr/bin/python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "${entry#* }" || echo "$entry"
    done
}

TAKEN=$(taken_ports)
if [ -n "$TAKEN" ]; then
    echo "stack.sh: these ports are in use, so nothing was started:" >&2
    while read -r name port; do
        holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o '"[^"]*",pid=[0-9]*' | sort -t= -k2n | head -n 1 |
            sed -E 's/^"(.*)",pid=([0-9]+)$/\1 (pid \2)/')
        echo "    $port (for $name)${holder:+, held by $holder}" >&2
    done <<<"$TAKEN"
    echo "Stop what holds them, or move the whole stack, e.g. scripts/stack.sh --port-offset 10000" \
        "(nginx on $((8080 + 10000)))." >&2
    exit 1
fi

if [ -n "$RUN_DIR" ]; then
    mkdir -p "$RUN_DIR"
    RUN_DIR=$(cd "$RUN_DIR" && pwd)
    if [ -n "$(ls -A "$RUN_DIR")" ]; then
        echo "stack.sh: the run dir $RUN_DIR is not empty" >&2
        exit 1
    fi
    KEEP=1
else
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sms-stack.XXXXXX")
fi

((!SENTINEL)) || STACK_REDIS_UDS=0 # the gateway reaches sentinels by host:port only
# shellcheck source=tests/e2e/stack.sh
source "$ROOT/tests/e2e/stack.sh"

# ---------------------------------------------------------------------------------------------------------------
# Stopping: on Ctrl+C, SIGTERM, a failed start (set -e) or the end of the script, everything started is stopped.

STOP_REQUESTED=0

finish() {
    local status=$?
    trap - INT TERM
    echo
    echo "==> stopping"
    stack_stop_all
    # Stopped on request (Ctrl+C, SIGTERM) is a clean end.
    ((STOP_REQUESTED)) && status=0
    local left
    left=$(taken_ports)
    if [ -n "$left" ]; then
        echo "!! still in use after the stop: $(tr '\n' ' ' <<<"$left")" >&2
        status=1
    elif ((${#STACK_NAMES[@]})); then
        echo "    everything stopped; ports free"
    fi
    if [ -z "$(ls -A "$RUN_DIR" 2>/dev/null)" ]; then
        rmdir "$RUN_DIR" 2>/dev/null || true
    elif ((status != 0)); then
        show_logs
        echo "run dir kept: $RUN_DIR"
    elif ((KEEP)); then
        echo "run dir kept: $RUN_DIR"
    else
        rm -rf "$RUN_DIR"
    fi
    exit "$status"
}
trap finish EXIT
trap 'STOP_REQUESTED=1; exit 130' INT
trap 'STOP_REQUESTED=1; exit 143' TERM

echo "==> run dir $RUN_DIR (configs and logs); $(stack_mode)"

if ((BUILD)); then
    stack_build || exit 1
fi
for dll in "$GATEWAY_DLL" "$PROVIDER_DLL"; do
    [ -f "$dll" ] || { echo "stack.sh: ${dll#"$ROOT"/} is missing: run without --no-build" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------------------------
# Redis from deploy/redis/: each file copied to RUN_DIR/NAME/ (Sentinel and CONFIG REWRITE rewrite the copy), with
# only its data dir and pid file and, under a port offset, its ports changed.

# start_redis_node NAME FILE PORT [--sentinel]
start_redis_node() {
    local name=$1 file=$2 port=$3
    shift 3
    local dir="$RUN_DIR/$name"
    mkdir -p "$dir"
    sed -E -e "s|^port [0-9]+$|port $port|" -e "s|^dir .*|dir $dir|" -e "s|^pidfile .*|pidfile $dir/$name.pid|" \
        -e "s|^replicaof 127\.0\.0\.1 [0-9]+$|replicaof 127.0.0.1 $REDIS_PORT|" \
        -e "s|^sentinel monitor $SERVICE 127\.0\.0\.1 [0-9]+ 2$|sentinel monitor $SERVICE 127.0.0.1 $REDIS_PORT 2|" \
        "$ROOT/deploy/redis/$file" >"$dir/$file"
    grep -q "^port $port$" "$dir/$file"
    grep -q "^dir $dir$" "$dir/$file"
    grep -q "^pidfile $dir/$name.pid$" "$dir/$file"
    redis-server "$dir/$file" "$@" >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 10 redis-cli -p "$port" ping
}

# sentinel_group_formed: every sentinel sees a master, its replica (reporting the replica role, its link up) and
# the two other sentinels. Until then SENTINEL FAILOVER answers NOGOODSLAVE, or starts and aborts
# (-failover-abort-no-good-slave): at the start, and for about 10 s after a failover, until the sentinels have
# turned the old master into a replica of the new one (+convert-to-slave).
sentinel_group_formed() {
    local port
    for port in "${SENTINEL_PORTS[@]}"; do
        redis-cli -p "$port" SENTINEL MASTER "$SERVICE" | paste - - |
            awk -F '\t' '{v[$1] = $2} END {exit !(v["flags"] == "master" && v["num-slaves"] == 1 &&
                v["num-other-sentinels"] == 2)}' || return 1
        redis-cli -p "$port" SENTINEL REPLICAS "$SERVICE" | paste - - |
            awk -F '\t' '{v[$1] = $2} END {exit !(v["flags"] == "slave" && v["role-reported"] == "slave" &&
                v["master-link-status"] == "ok")}' || return 1
    done
}

sentinel_master() {
    local port
    for port in "${SENTINEL_PORTS[@]}"; do
        redis-cli -p "$port" SENTINEL GET-MASTER-ADDR-BY-NAME "$SERVICE" 2>/dev/null | paste -sd : - | grep . && return
    done
    echo unknown
}

echo "==> starting the stack on 127.0.0.1"
if ((SENTINEL)); then
    start_redis_node redis redis-master.conf "$REDIS_PORT"
    start_redis_node redis-replica redis-replica.conf "$REPLICA_PORT"
    for i in 1 2 3; do
        start_redis_node "sentinel-$i" "sentinel-$i.conf" "${SENTINEL_PORTS[$((i - 1))]}" --sentinel
    done
    # The sentinels find the replica and each other through the master (hello messages every 2 s, replica INFO
    # every 10 s); until then SENTINEL FAILOVER answers NOGOODSLAVE.
    wait_for "the sentinels to see the replica and each other" 40 sentinel_group_formed
    REDIS_STRING=$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}")"serviceName=$SERVICE"
    LEGACY_SENTINELS=$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}" | sed 's/,$//')
    LEGACY_SERVICE=$SERVICE
    echo "    redis :$REDIS_PORT (master)  :$REPLICA_PORT (replica)  sentinels :${SENTINEL_PORTS[0]}" \
        ":${SENTINEL_PORTS[1]} :${SENTINEL_PORTS[2]} (quorum 2)"
else
    UNIX_SOCKET=()
    ((!STACK_REDIS_UDS)) || UNIX_SOCKET=(--unixsocket "$(stack_redis_socket "$REDIS_PORT")" --unixsocketperm 700)
    start_redis_node redis redis-master.conf "$REDIS_PORT" "${UNIX_SOCKET[@]}"
    # start_gateway turns it into unix:<socket> with STACK_REDIS_UDS=1.
    REDIS_STRING="127.0.0.1:$REDIS_PORT"
    LEGACY_SENTINELS=""
    LEGACY_SERVICE=""
    echo "    redis :$REDIS_PORT"
fi

start_provider provider "$PROVIDER_PORT"
echo "    provider :$PROVIDER_PORT"
# A strict host list: nginx passes the client's Host on, and so does the gateway (yarp.json). With --sentinel the
# app follows the master the sentinels name (REDIS_URL_BASE, from the port given, is then unused).
ALLOWED_HOSTS=localhost,127.0.0.1 WORKERS=2 REDIS_SENTINELS="$LEGACY_SENTINELS" REDIS_SENTINEL_SERVICE="$LEGACY_SERVICE" \
    start_legacy legacy "$LEGACY_PORT" "$REDIS_PORT"
echo "    legacy :$LEGACY_PORT (ALLOWED_HOSTS localhost,127.0.0.1${LEGACY_SENTINELS:+; REDIS_SENTINELS $LEGACY_SENTINELS})"

CONFIG="$ROOT/yarp.json"
GATEWAY_ARGS=("--SmsCodeGate:Redis=$REDIS_STRING" "--ForwardedHeaders:KnownProxies:0=127.0.0.1")
# yarp.json names the provider at http://127.0.0.1:5100/ and the legacy app at http://127.0.0.1:8000/; override
# only what this run moved.
# override_address CLUSTER DESTINATION PORT
override_address() {
    local address
    address=$(jq -r --arg c "$1" --arg d "$2" '.ReverseProxy.Clusters[$c].Destinations[$d].Address' "$CONFIG")
    [ "$address" = "http://127.0.0.1:$3/" ] ||
        GATEWAY_ARGS+=("--ReverseProxy:Clusters:$1:Destinations:$2:Address=http://127.0.0.1:$3/")
}
override_address sms-provider demo-provider "$PROVIDER_PORT"
override_address legacy-app legacy "$LEGACY_PORT"
start_gateway gateway-1 "${GW_PORTS[0]}" "$CONFIG" "${GATEWAY_ARGS[@]}"
start_gateway gateway-2 "${GW_PORTS[1]}" "$CONFIG" "${GATEWAY_ARGS[@]}"
start_nginx nginx "$NGINX_PORT" "${GW_PORTS[@]}"
if ((STACK_UDS)); then
    echo "    nginx :$NGINX_PORT -> gw-${GW_PORTS[0]}.sock gw-${GW_PORTS[1]}.sock (deploy/nginx, copied to $RUN_DIR/nginx/conf)"
else
    echo "    nginx :$NGINX_PORT -> :${GW_PORTS[0]} :${GW_PORTS[1]} (deploy/nginx, copied to $RUN_DIR/nginx/conf)"
fi
wait_for "GET /readyz through nginx" 10 http_ok "http://127.0.0.1:$NGINX_PORT/readyz"

NGINX="http://127.0.0.1:$NGINX_PORT"
PROVIDER="http://127.0.0.1:$PROVIDER_PORT"
UDS_NOTE=""
((!STACK_UDS)) || UDS_NOTE=$'\n'"                  nginx reaches them on their sockets, e.g. curl --unix-socket $(stack_gateway_socket "${GW_PORTS[0]}") http://localhost/healthz"
cat <<TEXT

  The stack is up. Every request goes through nginx:
    nginx         $NGINX   (public entry; /metrics answers 404 there)
    gateways      http://127.0.0.1:${GW_PORTS[0]}  http://127.0.0.1:${GW_PORTS[1]}   (/healthz /readyz /metrics each)$UDS_NOTE
    SMS provider  $PROVIDER   (demo: records what it would send)
    legacy app    http://127.0.0.1:$LEGACY_PORT   (Django: everything but /sms_codes/)
    logs          $RUN_DIR/*.log, nginx's in $RUN_DIR/nginx/

  Try, from another terminal:
    curl -i $NGINX/sms_codes/$MOBILE/      # 200 {"message":"ok"}: a code went to the provider
    curl -i $NGINX/sms_codes/$MOBILE/      # 400 {"message":"手机频繁发送短信"}, Retry-After (60 s interval)
    curl -s '$PROVIDER/sent?mobile=$MOBILE'   # what the provider was asked to send, the code included
    curl -i $NGINX/verifications/sms/ -d mobile=$MOBILE \\
      -d sms_code=\$(curl -s '$PROVIDER/sent?mobile=$MOBILE' | jq -r '.[-1].code')   # 200 once, then 400
TEXT
if ((SENTINEL)); then
    cat <<TEXT

  Sentinel: the master is $(sentinel_master). Fail over and go on:
    redis-cli -p ${SENTINEL_PORTS[0]} SENTINEL FAILOVER $SERVICE            # the replica becomes the master
    redis-cli -p ${SENTINEL_PORTS[0]} SENTINEL GET-MASTER-ADDR-BY-NAME $SERVICE
  This terminal prints the switch; then the four commands above with another mobile (e.g. 13800138001) answer
  the same: the gateways and the legacy app follow the new master (a send during the switch may get a 503).
  Fail back once this terminal says the old master follows the new one (about 10 s later); before that the
  sentinels find no replica to promote.
TEXT
fi
cat <<TEXT

  Ctrl+C stops everything.
TEXT

# ---------------------------------------------------------------------------------------------------------------
# Runs until stopped; says when a process exits (the others keep running) and, with --sentinel, when the master
# changes.
declare -A EXITED=()
MASTER=""
REJOINED=1
((SENTINEL)) && MASTER=$(sentinel_master)
while sleep 1; do
    for name in "${STACK_NAMES[@]}"; do
        pid=$(stack_pid "$name")
        if [ -n "$pid" ] && [ -z "${EXITED[$name]:-}" ] && ! kill -0 "$pid" 2>/dev/null; then
            EXITED[$name]=1
            status=0
            wait "$pid" 2>/dev/null || status=$?
            echo "!! $(date +%T) $name (pid $pid) exited with status $status; the rest keeps running." \
                "Its log: $RUN_DIR/$name.log" >&2
        fi
    done
    if ((SENTINEL)); then
        now=$(sentinel_master)
        if [ "$now" != "$MASTER" ]; then
            echo "==> $(date +%T) the Redis master is now $now (was $MASTER)"
            MASTER=$now
            REJOINED=0
        elif ((!REJOINED)) && sentinel_group_formed 2>/dev/null; then
            echo "==> $(date +%T) the old master follows $now as its replica: ready for another failover"
            REJOINED=1
        fi
    fi
done
