#!/usr/bin/env bash
# The stack bench/pumping.py replays an attack against; started by it, not meant to be run by hand.
#
#   bench/pumping-stack.sh RUN_DIR CONFIG BUILD(0|1) REDIS PROVIDER SHADOW_PROVIDER GW1 GW2 NGINX [--Key=value...]
#
# With tests/e2e/stack.sh's helpers: redis-server, two demo SMS providers (one per policy, so that a real user reads
# the code its own policy sent), two gateway instances on CONFIG (with the overrides given, printed) and nginx in
# front running the shipped deploy/nginx files. Prints "READY" once nginx answers /readyz, then waits until its
# standard input closes (pumping.py ends, or dies) or it gets SIGTERM, and stops everything it started.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN_DIR=$1 CONFIG=$2 BUILD=$3 REDIS_PORT=$4 PROVIDER_PORT=$5 SHADOW_PROVIDER_PORT=$6 GW1_PORT=$7 GW2_PORT=$8 NGINX_PORT=$9
shift 9

# shellcheck source=tests/e2e/stack.sh
source "$ROOT/tests/e2e/stack.sh"

# start_gateway of stack.sh, with a longer wait for /healthz (STACK_START_WAIT, default 120 s): on a machine loaded by
# other work a gateway can take more than stack.sh's 30 s to start.
start_gateway_patiently() {
    local name=$1 port=$2 config=$3
    shift 3
    echo "    $name :$port --config ${config#"$ROOT"/}${*:+ $*}"
    dotnet "$GATEWAY_DLL" --config "$config" --urls "http://127.0.0.1:$port" "$@" >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" "${STACK_START_WAIT:-120}" http_ok "http://127.0.0.1:$port/healthz"
}

finish() {
    local status=$?
    stack_stop_all
    ((status == 0)) || show_logs >&2
    exit "$status"
}
trap finish EXIT
trap 'exit 0' TERM

if [ "$BUILD" = 1 ]; then
    stack_build
fi
for dll in "$GATEWAY_DLL" "$PROVIDER_DLL"; do
    [ -f "$dll" ] || { echo "${dll#"$ROOT"/} is missing: run without --skip-build" >&2; exit 1; }
done

start_redis redis "$REDIS_PORT"
start_provider provider "$PROVIDER_PORT" --DemoProvider:Quiet=true
start_provider shadow-provider "$SHADOW_PROVIDER_PORT" --DemoProvider:Quiet=true
start_gateway_patiently gateway-1 "$GW1_PORT" "$CONFIG" "$@"
start_gateway_patiently gateway-2 "$GW2_PORT" "$CONFIG" "$@"
start_nginx nginx "$NGINX_PORT" "$GW1_PORT" "$GW2_PORT"
wait_for "GET /readyz through nginx" 20 http_ok "http://127.0.0.1:$NGINX_PORT/readyz"
echo READY
# Until pumping.py closes our standard input; "|| true": end of input is the normal way out.
read -r _ || true
