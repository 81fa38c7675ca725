#!/usr/bin/env bash
# End-to-end test of the real stack on loopback: redis-server, two gateway instances (Release build), nginx in
# front (the shipped deploy/nginx configuration, ports changed), the sample legacy Django app and the demo SMS
# provider, each on a free 127.0.0.1 port. Every request under test goes through nginx. Run by CI; takes about a minute.
#
#   tests/e2e/run.sh            builds the gateway and the demo provider (Release) first
#   E2E_SKIP_BUILD=1 tests/e2e/run.sh
#   E2E_KEEP=1 tests/e2e/run.sh  keeps the run dir (configs, logs) even when everything passed
#
# Ends with "N passed, M failed"; exits 1 when something failed. Every process it starts it stops, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools nginx curl jq gunicorn \
    python3-django python3-djangorestframework python3-django-redis

RUN_DIR=$(mktemp -d /tmp/sms-e2e.XXXXXX)
# shellcheck source=tests/e2e/stack.sh
source "$ROOT/tests/e2e/stack.sh"

PASSED=0
FAILED=0
COMPLETED=0

finish() {
    local status=$?
    stack_stop_all
    if ((COMPLETED == 0)); then
        # set -e stopped the run (a process did not start, a tool failed): still end with the counts.
        FAILED=$((FAILED + 1))
        echo "not ok - the run stopped early (exit status $status)"
        echo "$PASSED passed, $FAILED failed"
        status=1
    fi
    if ((FAILED > 0 || status != 0)); then
        show_logs
        echo "run dir kept: $RUN_DIR"
    elif [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "run dir kept: $RUN_DIR"
    else
        rm -rf "$RUN_DIR"
    fi
    exit "$status"
}
trap finish EXIT

ok() {
    PASSED=$((PASSED + 1))
    echo "ok - $*"
}

not_ok() {
    FAILED=$((FAILED + 1))
    echo "not ok - $*"
}

# check DESCRIPTION EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1 (expected '$2', got '$3')"
    fi
}

# check_true DESCRIPTION COMMAND...
check_true() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# request METHOD URL [curl args...]: sets STATUS; the body is in $BODY, the headers in $HEADERS.
BODY="$RUN_DIR/response.body"
HEADERS="$RUN_DIR/response.headers"
request() {
    local method=$1 url=$2
    shift 2
    STATUS=$(curl -sS --max-time 10 -X "$method" -o "$BODY" -D "$HEADERS" -w '%{http_code}' "$@" "$url") || STATUS=000
}

header() { grep -i "^$1:" "$HEADERS" | head -n 1 | cut -d: -f2- | tr -d ' \r'; }
body() { cat "$BODY"; }
body_has() { jq -e "$1" "$BODY" >/dev/null 2>&1; }

sent_count() { curl -fsS "$PROVIDER/sent?mobile=$1" | jq length; }
sent_code() { curl -fsS "$PROVIDER/sent?mobile=$1" | jq -r '.[-1].code // empty'; }
redis_get() { redis-cli -p "$REDIS_PORT" -n 2 --raw GET "$1"; }

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
    echo "==> building the gateway and the demo provider (Release)"
    # Only what runs here: the gateway and the demo provider (not the test or benchmark projects).
    for project in Gateway/Gateway.csproj samples/DemoSmsProvider/DemoSmsProvider.csproj; do
        dotnet build "$ROOT/$project" -c Release -nologo -v quiet >"$RUN_DIR/build.log" 2>&1 || {
            cat "$RUN_DIR/build.log"
            exit 1
        }
    done
fi

echo "==> starting the stack on loopback (run dir $RUN_DIR)"
read -r REDIS_PORT PROVIDER_PORT LEGACY_PORT GW1_PORT GW2_PORT NGINX_PORT <<<"$(free_ports 6)"
PROVIDER="http://127.0.0.1:$PROVIDER_PORT"
LEGACY="http://127.0.0.1:$LEGACY_PORT"
GW1="http://127.0.0.1:$GW1_PORT"
GW2="http://127.0.0.1:$GW2_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"

# The production policy (yarp.json): 60 s interval, 300 s code lifetime, keys send_flag_/sms_ in db 2.
cat >"$RUN_DIR/gateway.json" <<JSON
{
  "SmsCodeGate": {
    "Redis": "127.0.0.1:$REDIS_PORT",
    "StoreTimeout": "00:00:01",
    "StoreBreakDuration": "00:00:01",
    "Policies": {
      "legacy-sms": {
        "MobilePattern": "^1[3-9]\\\\d{9}\$",
        "SendInterval": "00:01:00",
        "CodeLifetime": "00:05:00",
        "CodeLength": 6,
        "Database": 2,
        "SendFlagKey": "send_flag_{mobile}",
        "CodeKey": "sms_{mobile}",
        "CodeHeader": "X-Sms-Code"
      }
    }
  },
  "ReverseProxy": {
    "Routes": {
      "sms-codes": {
        "ClusterId": "sms-provider",
        "Match": { "Path": "/sms_codes/{mobile}/", "Methods": [ "GET" ] },
        "Metadata": { "SmsCodePolicy": "legacy-sms" },
        "Transforms": [ { "PathPattern": "/send/{mobile}" } ]
      },
      "legacy-app": {
        "ClusterId": "legacy-app",
        "Order": 1000,
        "Match": { "Path": "{**catch-all}" }
      }
    },
    "Clusters": {
      "sms-provider": { "Destinations": { "demo": { "Address": "$PROVIDER/" } } },
      "legacy-app": { "Destinations": { "legacy": { "Address": "$LEGACY/" } } }
    }
  }
}
JSON
jq -e . "$RUN_DIR/gateway.json" >/dev/null

start_redis redis "$REDIS_PORT"
# A provider that answers 100 ms after it has recorded an SMS, like a real one: the instance killed mid-stream
# below then has requests in flight (flag and code written, SMS out, answer pending).
start_provider provider "$PROVIDER_PORT" --DemoProvider:Delay=00:00:00.100
WORKERS=2 start_legacy legacy "$LEGACY_PORT" "$REDIS_PORT"
start_gateway gateway-1 "$GW1_PORT" "$RUN_DIR/gateway.json" --ForwardedHeaders:KnownProxies:0=127.0.0.1
start_gateway gateway-2 "$GW2_PORT" "$RUN_DIR/gateway.json" --ForwardedHeaders:KnownProxies:0=127.0.0.1
start_nginx nginx "$NGINX_PORT" "$GW1_PORT" "$GW2_PORT"
echo "    redis :$REDIS_PORT  provider :$PROVIDER_PORT  legacy :$LEGACY_PORT  gateways :$GW1_PORT :$GW2_PORT  nginx :$NGINX_PORT"

request GET "$NGINX/healthz"
check "GET /healthz through nginx answers 200" 200 "$STATUS"
request GET "$NGINX/readyz"
check "GET /readyz through nginx answers 200 (Redis reachable)" 200 "$STATUS"

# ---------------------------------------------------------------------------------------------------------------
echo "==> a code issued by the gateway is accepted by the legacy app's verification"
M1=13900000001
request GET "$NGINX/sms_codes/$M1/"
check "GET /sms_codes/<mobile>/ answers 200" 200 "$STATUS"
check "the 200 body is the legacy one" '{"message":"ok"}' "$(body)"
cp "$BODY" "$RUN_DIR/gateway-200.body"
check "the provider received exactly one SMS" 1 "$(sent_count $M1)"
CODE1=$(sent_code $M1)
check_true "the SMS carries a 6-digit code" grep -Eq '^[0-9]{6}$' <<<"$CODE1"
check "sms_<mobile> in Redis db 2 holds the code the provider received" "$CODE1" "$(redis_get "sms_$M1")"
check "send_flag_<mobile> in Redis db 2 is \"1\"" 1 "$(redis_get "send_flag_$M1")"
FLAG_TTL=$(redis-cli -p "$REDIS_PORT" -n 2 TTL "send_flag_$M1")
CODE_TTL=$(redis-cli -p "$REDIS_PORT" -n 2 TTL "sms_$M1")
check_true "the flag lives 60 s and the code 300 s (TTL $FLAG_TTL s, $CODE_TTL s)" \
    test "$FLAG_TTL" -gt 50 -a "$FLAG_TTL" -le 60 -a "$CODE_TTL" -gt 290 -a "$CODE_TTL" -le 300
WRONG=$([ "$CODE1" = 000000 ] && echo 111111 || echo 000000)
request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M1" --data-urlencode "sms_code=$WRONG"
check "a wrong code is refused by the legacy app (400)" 400 "$STATUS"
check "... with its own message" '{"message":"验证码错误"}' "$(body)"
request POST "$NGINX/verifications/sms/" -H 'Content-Type: application/json' \
    --data "{\"mobile\":\"$M1\",\"sms_code\":\"$CODE1\"}"
check "the gateway's code is accepted by the legacy verification (200)" 200 "$STATUS"
check "... with {\"message\":\"ok\"}" '{"message":"ok"}' "$(body)"
request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M1" --data-urlencode "sms_code=$CODE1"
check "the code is used once: a second verification is refused" '400 {"message":"验证码已过期"}' "$STATUS $(body)"

# ---------------------------------------------------------------------------------------------------------------
echo "==> the 400 answer is byte-identical to the legacy app's own SMS view"
request GET "$NGINX/sms_codes/$M1/"
check "a second request within 60 s is refused (400)" 400 "$STATUS"
cp "$BODY" "$RUN_DIR/gateway-400.body"
GATEWAY_400_TYPE=$(header Content-Type)
RETRY_AFTER=$(header Retry-After)
check_true "Retry-After is between 1 and 60 s (was '$RETRY_AFTER')" \
    test -n "$RETRY_AFTER" -a "${RETRY_AFTER:-0}" -ge 1 -a "${RETRY_AFTER:-0}" -le 60
check "the provider still received only one SMS" 1 "$(sent_count $M1)"

M2=13900000002
request GET "$LEGACY/sms_codes/$M2/"
check "the legacy view (direct) issues for a new mobile (200)" 200 "$STATUS"
check_true "its 200 body is byte-identical to the gateway's" cmp -s "$BODY" "$RUN_DIR/gateway-200.body"
request GET "$LEGACY/sms_codes/$M2/"
check "the legacy view (direct) refuses a second request (400)" 400 "$STATUS"
cp "$BODY" "$RUN_DIR/legacy-400.body"
check "the legacy 400 body is the expected 38 bytes" 38 "$(wc -c <"$RUN_DIR/legacy-400.body" | tr -d ' ')"
check_true "the gateway's 400 body is byte-identical to the legacy view's" \
    cmp "$RUN_DIR/gateway-400.body" "$RUN_DIR/legacy-400.body"
check "both answer Content-Type application/json" "$(header Content-Type)" "$GATEWAY_400_TYPE"

request GET "$LEGACY/sms_codes/$M1/"
check "the legacy view honours the gateway's send flag (400)" 400 "$STATUS"
request GET "$NGINX/sms_codes/$M2/"
check "the gateway honours the legacy view's send flag (400)" 400 "$STATUS"
check_true "... with the same bytes" cmp -s "$BODY" "$RUN_DIR/legacy-400.body"
check "... and sends nothing" 0 "$(sent_count $M2)"

request GET "$NGINX/sms_codes/12345/"
check "a malformed mobile is answered 404 by the gateway" 404 "$STATUS"
check "... and sends nothing" 0 "$(sent_count 12345)"

# ---------------------------------------------------------------------------------------------------------------
echo "==> ungated routes reach the legacy app unchanged"
QUERY='a=1&name=%E5%BC%A0%E4%B8%89&empty='
request GET "$LEGACY/hello/?$QUERY"
DIRECT=$(jq -c '{method, path, query_string}' "$BODY")
request GET "$NGINX/hello/?$QUERY"
check "GET /hello/ through nginx and the gateway answers 200" 200 "$STATUS"
check "method, path and raw query string arrive unchanged" "$DIRECT" "$(jq -c '{method, path, query_string}' "$BODY")"
check_true "X-Forwarded-For reaches the app" body_has '.headers["x-forwarded-for"] != null'
request PUT "$NGINX/api/hello/?x=y" --data 'payload=1'
check "PUT /api/hello/ arrives as a PUT with its query" '"PUT" "/api/hello/" "x=y"' \
    "$(jq -c '.method, .path, .query_string' "$BODY" | tr '\n' ' ' | sed 's/ $//')"
request GET "$LEGACY/no/such/page/"
DIRECT_STATUS=$STATUS
cp "$BODY" "$RUN_DIR/legacy-404.body"
request GET "$NGINX/no/such/page/"
check "an unknown path gets the legacy app's own status" "$DIRECT_STATUS" "$STATUS"
check_true "... and its body byte for byte" cmp -s "$BODY" "$RUN_DIR/legacy-404.body"

# ---------------------------------------------------------------------------------------------------------------
echo "==> a burst for one mobile, spread over both instances, forwards exactly one SMS"
M4=13900000004
BURST=40
: >"$RUN_DIR/burst.curl"
for _ in $(seq $BURST); do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$NGINX/sms_codes/$M4/" >>"$RUN_DIR/burst.curl"
done
curl -sS --no-progress-meter --max-time 10 --parallel --parallel-immediate --parallel-max $BURST -K "$RUN_DIR/burst.curl" \
    -w '%{http_code}\n' >"$RUN_DIR/burst.status" || true
check "$BURST concurrent requests: one 200, the rest 400" "1x200 $((BURST - 1))x400" \
    "$(sort "$RUN_DIR/burst.status" | uniq -c | awk '{printf "%s%sx%s", sep, $1, $2; sep=" "}')"
check "the provider received exactly one SMS for the mobile" 1 "$(sent_count $M4)"
check "Redis holds that SMS's code" "$(sent_code $M4)" "$(redis_get "sms_$M4")"
# nginx's access log is buffered (flush=1s) and masks the mobile: /sms_codes/****0004/.
MASKED="/sms_codes/****${M4: -4}/"
burst_upstreams() { grep -F "$MASKED" "$RUN_DIR/nginx/access.log" | grep -o 'upstream=[0-9.:]*' | sort -u | wc -l; }
burst_logged() { [ "$(grep -cF "$MASKED" "$RUN_DIR/nginx/access.log")" -ge $BURST ]; }
wait_for "the burst in nginx's access log" 5 burst_logged || true
check "nginx spread the burst over both instances" 2 "$(burst_upstreams)"

# ---------------------------------------------------------------------------------------------------------------
echo "==> a client that hangs up while the provider sends does not lift the send flag"
# The provider answers 100 ms after it has recorded the SMS; the client gives up after 60 ms, nginx then closes
# its connection to the gateway. The SMS is out, so its flag and code must stay.
aborted=""
for attempt in 1 2 3; do
    M6=139000001$(printf %02d "$attempt")
    curl -s -o /dev/null --max-time 0.06 "$NGINX/sms_codes/$M6/" || true
    sleep 0.3
    if [ "$(sent_count "$M6")" = 1 ]; then
        aborted=$M6
        break
    fi
done
if [ -z "$aborted" ]; then
    not_ok "could not hang up while the provider was sending (3 attempts)"
else
    check "Redis still holds the code of the SMS that went out" "$(sent_code "$aborted")" \
        "$(redis_get "sms_$aborted")"
    request GET "$NGINX/sms_codes/$aborted/"
    check "a second request within the interval is refused (400)" 400 "$STATUS"
    check "the provider received one SMS only" 1 "$(sent_count "$aborted")"
fi

# ---------------------------------------------------------------------------------------------------------------
echo "==> Redis down: 503; Redis back: recovers"
stack_stop redis
M5=13900000005
request GET "$NGINX/sms_codes/$M5/"
check "a gated request with Redis down answers 503" 503 "$STATUS"
check_true "... with a JSON message" body_has '.message | length > 0'
request GET "$NGINX/readyz"
check "/readyz through nginx answers 503" 503 "$STATUS"
for gw in "$GW1" "$GW2"; do
    request GET "$gw/readyz"
    check "/readyz of instance ${gw##*:} answers 503" 503 "$STATUS"
    request GET "$gw/sms_codes/$M5/"
    check "a gated request straight to instance ${gw##*:} answers 503" 503 "$STATUS"
done
request GET "$NGINX/hello/"
check "ungated routes still work with Redis down (200)" 200 "$STATUS"
check "nothing was sent for the refused mobile" 0 "$(sent_count $M5)"

echo "    restarting redis-server on :$REDIS_PORT"
start_redis redis-restarted "$REDIS_PORT"
recovered=""
started_wait=$SECONDS
for i in $(seq 200); do
    request GET "$NGINX/sms_codes/1390001$(printf %04d "$i")/"
    if [ "$STATUS" = 200 ]; then
        recovered="after $((SECONDS - started_wait)) s, attempt $i"
        break
    fi
    ((SECONDS - started_wait < 20)) || break
    sleep 0.1
done
check_true "gated requests through nginx recover within 20 s (${recovered:-not recovered})" test -n "$recovered"
for gw in "$GW1" "$GW2"; do
    name=${gw##*:}
    wait_for "instance $name ready" 20 http_ok "$gw/readyz" || true
    request GET "$gw/readyz"
    check "/readyz of instance $name answers 200 again" 200 "$STATUS"
    request GET "$gw/sms_codes/1390002${name: -4}/"
    check "instance $name issues codes again (200)" 200 "$STATUS"
done
request GET "$NGINX/sms_codes/$M5/"
check "the mobile refused with 503 before gets its code now (200)" 200 "$STATUS"
check "Redis holds the code its SMS carried" "$(sent_code $M5)" "$(redis_get "sms_$M5")"

# ---------------------------------------------------------------------------------------------------------------
echo "==> killing one gateway instance mid-stream loses no accepted request's code"
STREAMS=4
PER_STREAM=60
KILL_AFTER=60
stream() {
    # One sequential client: distinct mobiles 137SSNNNNNN; records "mobile status start-time".
    local s=$1 n mobile status
    for n in $(seq $PER_STREAM); do
        mobile=137$(printf %02d "$s")$(printf %06d "$n")
        local started=$EPOCHREALTIME
        status=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$NGINX/sms_codes/$mobile/") || true
        echo "$mobile ${status:-000} $started" >>"$RUN_DIR/stream-$s.log"
    done
}
for s in $(seq $STREAMS); do
    : >"$RUN_DIR/stream-$s.log"
    stream "$s" &
    stack_track "stream-$s" $!
done
streamed() { [ "$(cat "$RUN_DIR"/stream-*.log | wc -l)" -ge $KILL_AFTER ]; }
wait_for "$KILL_AFTER requests streamed" 30 streamed || true
KILLED_AT=$EPOCHREALTIME
stack_stop gateway-1 KILL
echo "    killed gateway-1 (kill -9) after $(cat "$RUN_DIR"/stream-*.log | wc -l) requests"
for s in $(seq $STREAMS); do
    wait "$(stack_pid "stream-$s")" || true
done
cat "$RUN_DIR"/stream-*.log >"$RUN_DIR/stream.log"
echo "    statuses: $(awk '{print $2}' "$RUN_DIR/stream.log" | sort | uniq -c | awk '{printf "%s%s x %s", sep, $1, $2; sep=", "}')"
check "every streamed request was answered" $((STREAMS * PER_STREAM)) "$(wc -l <"$RUN_DIR/stream.log" | tr -d ' ')"

# Every SMS the provider received, and every Redis code, for the streamed mobiles.
curl -fsS "$PROVIDER/sent" | jq -r '.[] | select(.mobile | startswith("137")) | "\(.mobile) \(.code)"' \
    | sort >"$RUN_DIR/stream.sent"
: >"$RUN_DIR/stream.redis"
while read -r mobile _; do
    echo "$mobile $(redis_get "sms_$mobile")" >>"$RUN_DIR/stream.redis"
done <"$RUN_DIR/stream.log"
sort -o "$RUN_DIR/stream.redis" "$RUN_DIR/stream.redis"

accepted=$(awk '$2 == 200 {print $1}' "$RUN_DIR/stream.log" | sort)
lost=0
for mobile in $accepted; do
    sent=$(awk -v m="$mobile" '$1 == m {print $2}' "$RUN_DIR/stream.sent")
    stored=$(awk -v m="$mobile" '$1 == m {print $2}' "$RUN_DIR/stream.redis")
    if [ -z "$sent" ] || [ "$sent" != "$stored" ]; then
        lost=$((lost + 1))
        echo "    $mobile: 200, SMS code '${sent}', Redis code '${stored}'"
    fi
done
check "every 200 has its code in Redis, equal to the SMS the provider received ($(wc -w <<<"$accepted") accepted)" 0 "$lost"
check "no mobile received two SMS" "" "$(awk '{print $1}' "$RUN_DIR/stream.sent" | uniq -d | head -n 3 | tr '\n' ' ')"
mismatched=$(join "$RUN_DIR/stream.sent" "$RUN_DIR/stream.redis" | awk '$2 != $3' | wc -l)
check "every SMS sent (also for a request cut by the kill) matches the code in Redis" 0 "$mismatched"
cut_sent=$(awk '$2 != 200 {print $1}' "$RUN_DIR/stream.log" | sort | join - "$RUN_DIR/stream.sent" | wc -l)
echo "    requests cut by the kill whose SMS had gone out anyway (their codes are in Redis): $cut_sent"
others=$(awk '$2 != 200 && $2 != 400 && $2 != 502' "$RUN_DIR/stream.log" | wc -l)
check "requests cut by the kill answer 400 or 502 only, never 5xx otherwise" 0 "$others"
cut=$(awk '$2 != 200' "$RUN_DIR/stream.log" | wc -l)
check_true "at most one request per client was cut by the kill ($cut cut)" test "$cut" -le $STREAMS
after=$(awk -v t="$KILLED_AT" '$3 > t + 0.2' "$RUN_DIR/stream.log" | wc -l)
after_ok=$(awk -v t="$KILLED_AT" '$3 > t + 0.2 && $2 == 200' "$RUN_DIR/stream.log" | wc -l)
check_true "nginx failed over: requests after the kill get 200 ($after_ok of $after)" \
    test "$after" -ge 20 -a "$after_ok" -eq "$after"

COMPLETED=1
echo
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
