# Helpers to run the real stack on loopback: redis-server, the demo SMS provider, the sample legacy app
# (gunicorn), gateway instances and a throw-away nginx. Sourced by tests/e2e/run.sh and bench/run.sh.
#
# The caller sets ROOT (the repository) and RUN_DIR (a scratch directory for configs and logs) and installs
#   trap stack_stop_all EXIT
# Every process started here is remembered by name and stopped by stack_stop / stack_stop_all: TERM, then KILL
# after a bounded wait. Everything listens on 127.0.0.1 only.
#
# Unix sockets (docs/deployment.md), off by default; callers pass ports either way:
#   STACK_UDS=1        nginx reaches each gateway on its socket RUN_DIR/gw-PORT.sock (the gateway listens on its port
#                      too, for direct requests, and trusts X-Forwarded-For from its socket: TrustUnixSocket)
#   STACK_REDIS_UDS=1  (default: STACK_UDS) redis-server also listens on RUN_DIR/redis-PORT.sock, and a gateway given
#                      --SmsCodeGate:Redis=127.0.0.1:PORT of such a server gets unix:RUN_DIR/redis-PORT.sock instead

STACK_NAMES=()
declare -A STACK_PIDS=()

STACK_UDS=${STACK_UDS:-0}
STACK_REDIS_UDS=${STACK_REDIS_UDS:-$STACK_UDS}

# stack_gateway_socket PORT / stack_redis_socket PORT: where the gateway or redis-server on PORT has its Unix socket.
stack_gateway_socket() { echo "$RUN_DIR/gw-$1.sock"; }
stack_redis_socket() { echo "$RUN_DIR/redis-$1.sock"; }

# stack_mode: one line naming the hops that go over Unix sockets, for the run's report.
stack_mode() {
    echo "nginx -> gateway: $( ((STACK_UDS)) && echo unix socket || echo tcp loopback);" \
        "gateway -> redis: $( ((STACK_REDIS_UDS)) && echo unix socket || echo tcp loopback)"
}

# A socket's path is at most 107 bytes (sun_path); a long RUN_DIR would make bind fail with a vaguer error.
stack_check_socket_path() {
    ((${#1} <= 100)) || { echo "!! the Unix socket path $1 is too long (over 100 bytes): use a shorter run dir" >&2; return 1; }
}

# The builds under test; GATEWAY_DLL may name another build (A/B comparisons in bench/run.sh).
GATEWAY_DLL="${GATEWAY_DLL:-${ROOT}/Gateway/bin/Release/net10.0/Gateway.dll}"
PROVIDER_DLL="${ROOT}/samples/DemoSmsProvider/bin/Release/net10.0/DemoSmsProvider.dll"

# free_ports N: prints N distinct loopback ports that nothing listens on at the moment of asking.
free_ports() {
    /usr/bin/python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
}

# stack_track NAME PID: remembers a process so that stack_stop_all stops it.
stack_track() {
    STACK_NAMES+=("$1")
    STACK_PIDS[$1]=$2
}

stack_pid() { echo "${STACK_PIDS[$1]:-}"; }

# stack_stop NAME [SIGNAL]: stops one process (default TERM), waits up to 10 s, then KILLs it.
stack_stop() {
    local name=$1 signal=${2:-TERM} pid=${STACK_PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    if [ "$signal" = KILL ]; then
        # Reap at once: bash would otherwise report "Killed" at its next command.
        kill -KILL "$pid" 2>/dev/null || true
        { wait "$pid"; } 2>/dev/null || true
        # A .NET process killed this way leaves its diagnostics IPC files behind.
        rm -f "${TMPDIR:-/tmp}/clr-debug-pipe-$pid-"* "${TMPDIR:-/tmp}/dotnet-diagnostic-$pid-"*
    elif kill -0 "$pid" 2>/dev/null; then
        kill "-$signal" "$pid" 2>/dev/null || true
        local i
        for i in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "    $name (pid $pid) did not stop on $signal; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    { wait "$pid"; } 2>/dev/null || true
    STACK_PIDS[$name]=""
}

# stack_stop_all: stops every remembered process, the most recent first.
stack_stop_all() {
    local i
    for ((i = ${#STACK_NAMES[@]} - 1; i >= 0; i--)); do
        stack_stop "${STACK_NAMES[$i]}"
    done
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds.
wait_for() {
    local what=$1 timeout=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            echo "!! timed out after ${timeout}s waiting for ${what}" >&2
            return 1
        fi
        sleep 0.1
    done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# stack_build: builds what the stack runs, the gateway and the demo provider (Release; not the test or benchmark
# projects), and shows the build log when it fails.
stack_build() {
    echo "==> building the gateway and the demo provider (Release)"
    local project
    for project in Gateway/Gateway.csproj samples/DemoSmsProvider/DemoSmsProvider.csproj; do
        dotnet build "$ROOT/$project" -c Release -nologo -v quiet >"$RUN_DIR/build.log" 2>&1 || {
            cat "$RUN_DIR/build.log"
            return 1
        }
    done
}

# start_redis NAME PORT: a redis-server without persistence; with STACK_REDIS_UDS=1 on its socket too (mode 777:
# nginx workers running as nobody, the peer's, connect to it; the run dir is as open as loopback TCP).
start_redis() {
    local name=$1 port=$2 unix=()
    if ((STACK_REDIS_UDS)); then
        stack_check_socket_path "$(stack_redis_socket "$port")"
        unix=(--unixsocket "$(stack_redis_socket "$port")" --unixsocketperm 777)
    fi
    redis-server --port "$port" --bind 127.0.0.1 "${unix[@]}" --save '' --appendonly no --daemonize no \
        --logfile '' >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 10 redis-cli -p "$port" ping
    ((!STACK_REDIS_UDS)) || wait_for "$name on its socket" 10 redis-cli -s "$(stack_redis_socket "$port")" ping
}

# start_provider NAME PORT [--Key=value...]: the demo SMS provider.
start_provider() {
    local name=$1 port=$2
    shift 2
    dotnet "$PROVIDER_DLL" --urls "http://127.0.0.1:$port" "$@" >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 30 http_ok "http://127.0.0.1:$port/healthz"
}

# start_legacy NAME PORT REDIS_PORT: the sample legacy Django app under gunicorn (WORKERS from the environment).
start_legacy() {
    local name=$1 port=$2 redis_port=$3
    REDIS_URL_BASE="redis://127.0.0.1:$redis_port" "$ROOT/samples/legacy-app/run.sh" "$port" >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 30 http_ok "http://127.0.0.1:$port/healthz/"
}

# start_gateway NAME PORT CONFIG [--Key=value...]: one gateway instance with CONFIG (--config) and the overrides
# given, printed (an override is the only way a run differs from CONFIG); waits until /healthz answers. With
# STACK_UDS=1 it listens on its socket too (a stale one from a killed run removed first, the new one opened to
# nginx's workers); with STACK_REDIS_UDS=1 a Redis on 127.0.0.1 is reached on that server's socket.
start_gateway() {
    local name=$1 port=$2 config=$3 urls="http://127.0.0.1:$2" socket argument args=()
    shift 3
    for argument in "$@"; do
        if ((STACK_REDIS_UDS)) && [[ $argument =~ ^--SmsCodeGate:Redis=127\.0\.0\.1:([0-9]+)$ ]]; then
            argument="--SmsCodeGate:Redis=unix:$(stack_redis_socket "${BASH_REMATCH[1]}")"
        fi
        args+=("$argument")
    done
    socket=$(stack_gateway_socket "$port")
    if ((STACK_UDS)); then
        stack_check_socket_path "$socket"
        rm -f "$socket"
        urls="$urls;http://unix:$socket"
        args+=(--ForwardedHeaders:TrustUnixSocket=true)
    fi
    local shown=":$port"
    ((!STACK_UDS)) || shown="$shown ${socket#"$RUN_DIR"/}"
    echo "    $name $shown --config ${config#"$ROOT"/}${args[*]:+ ${args[*]}}"
    dotnet "$GATEWAY_DLL" --config "$config" --urls "$urls" "${args[@]}" >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 30 http_ok "http://127.0.0.1:$port/healthz"
    if ((STACK_UDS)); then
        wait_for "$name on $socket" 10 curl -fsS -o /dev/null --max-time 2 --unix-socket "$socket" http://localhost/healthz
        chmod 666 "$socket"
    fi
}

# start_nginx NAME PORT UPSTREAM_PORT...: a non-system nginx running the shipped deploy/nginx configuration, in
# the foreground (so that its master is our child), with its own prefix RUN_DIR/NAME. The shipped files are
# copied to RUN_DIR/NAME/conf unchanged but for the port of sms-gateway/listen.conf and the addresses of
# sms-gateway/upstreams.conf (its first "server" line, once per UPSTREAM_PORT: the gateway's socket instead when
# STACK_UDS=1 and one listens there).
start_nginx() {
    local name=$1 port=$2
    shift 2
    local dir="$RUN_DIR/$name" shipped="$ROOT/deploy/nginx"
    mkdir -p "$dir/conf/sms-gateway"
    # Workers run as nobody when nginx starts as root: let them into the run dir.
    chmod 755 "$RUN_DIR" "$dir"
    cp "$shipped/nginx.conf" "$shipped/gateway.conf" "$dir/conf/"
    sed -E "s/^listen 127\.0\.0\.1:[0-9]+;/listen 127.0.0.1:$port;/" "$shipped/sms-gateway/listen.conf" \
        >"$dir/conf/sms-gateway/listen.conf"
    local server upstream
    server=$(grep -m 1 -E '^server 127\.0\.0\.1:[0-9]+ ' "$shipped/sms-gateway/upstreams.conf")
    grep -vE '^server ' "$shipped/sms-gateway/upstreams.conf" >"$dir/conf/sms-gateway/upstreams.conf"
    for upstream in "$@"; do
        local address="127.0.0.1:$upstream"
        ((!STACK_UDS)) || [ ! -S "$(stack_gateway_socket "$upstream")" ] || address="unix:$(stack_gateway_socket "$upstream")"
        sed -E "s|^server 127\.0\.0\.1:[0-9]+ |server $address |" <<<"$server" \
            >>"$dir/conf/sms-gateway/upstreams.conf"
    done
    grep -q "^listen 127.0.0.1:$port;" "$dir/conf/sms-gateway/listen.conf"
    nginx -q -t -p "$dir/" -e error.log -c "$dir/conf/nginx.conf"
    nginx -p "$dir/" -e error.log -c "$dir/conf/nginx.conf" -g 'daemon off;' >>"$RUN_DIR/$name.log" 2>&1 &
    stack_track "$name" $!
    wait_for "$name on :$port" 10 curl -sS -o /dev/null --max-time 2 "http://127.0.0.1:$port/"
}

# show_logs: the last lines of every log in RUN_DIR, for a failure report.
show_logs() {
    local log
    for log in "$RUN_DIR"/*.log "$RUN_DIR"/*/error.log; do
        [ -s "$log" ] || continue
        echo "---- ${log#"$RUN_DIR"/} (last 15 lines)"
        tail -n 15 "$log"
    done
}
