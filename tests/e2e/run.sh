#!/usr/bin/env bash
# End-to-end test of the real stack on loopback: redis-server, two gateway instances (Release build), nginx in
# front (the shipped deploy/nginx configuration, ports changed), the sample legacy Django app and the demo SMS
# provider, each on a free 127.0.0.1 port. Every request under test goes through nginx. Run by CI; takes about a minute.
#
#   tests/e2e/run.sh            builds the gateway and the demo provider (Release) first
#   E2E_SKIP_BUILD=1 tests/e2e/run.sh
#   E2E_KEEP=1 tests/e2e/run.sh  keeps the run dir (configs, logs) even when everything passed
#   STACK_UDS=1 tests/e2e/run.sh nginx -> gateways and gateways -> Redis over Unix sockets (tests/e2e/stack.sh)
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

# request METHOD URL [curl args...]: sets STATUS; the body is in $BODY, the headers in $HEADERS. Every mobile in
# the URL or the arguments goes to mobiles.used, which the log audit at the end looks for.
BODY="$RUN_DIR/response.body"
HEADERS="$RUN_DIR/response.headers"
request() {
    local method=$1 url=$2
    shift 2
    grep -oE '1[0-9]{10}' <<<"$url $*" >>"$RUN_DIR/mobiles.used" || true
    local how=(-X "$method")
    # curl -X HEAD would wait for the body that the Content-Length announces.
    [ "$method" != HEAD ] || how=(--head)
    STATUS=$(curl -sS --max-time 10 "${how[@]}" -o "$BODY" -D "$HEADERS" -w '%{http_code}' "$@" "$url") || STATUS=000
}

header() { grep -i "^$1:" "$HEADERS" | head -n 1 | cut -d: -f2- | tr -d ' \r'; }
body() { cat "$BODY"; }
body_has() { jq -e "$1" "$BODY" >/dev/null 2>&1; }

sent_count() { curl -fsS "$PROVIDER/sent?mobile=$1" | jq length; }
sent_code() { curl -fsS "$PROVIDER/sent?mobile=$1" | jq -r '.[-1].code // empty'; }
redis_get() { redis-cli -p "$REDIS_PORT" -n 2 --raw GET "$1"; }

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
    stack_build || exit 1
fi

echo "==> starting the stack on loopback (run dir $RUN_DIR; $(stack_mode))"
read -r REDIS_PORT REDIS_IP_PORT PROVIDER_PORT SLOW_PROVIDER_PORT LEGACY_PORT GW1_PORT GW2_PORT GW_IP_PORT \
    GW_OPEN_PORT GW_SLOW_PORT NGINX_PORT NGINX_IP_PORT NGINX_SLOW_PORT LEGACY_ND_PORT GW_ND_PORT NGINX_ND_PORT \
    <<<"$(free_ports 16)"
PROVIDER="http://127.0.0.1:$PROVIDER_PORT"
SLOW_PROVIDER="http://127.0.0.1:$SLOW_PROVIDER_PORT"
LEGACY="http://127.0.0.1:$LEGACY_PORT"
GW1="http://127.0.0.1:$GW1_PORT"
GW2="http://127.0.0.1:$GW2_PORT"
GW_OPEN="http://127.0.0.1:$GW_OPEN_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"
NGINX_IP="http://127.0.0.1:$NGINX_IP_PORT"
NGINX_SLOW="http://127.0.0.1:$NGINX_SLOW_PORT"
GW_ND="http://127.0.0.1:$GW_ND_PORT"
NGINX_ND="http://127.0.0.1:$NGINX_ND_PORT"
PUBLIC_HOST=sms.example.test

# Every gateway runs the repository's yarp.json (policy legacy-sms: 60 s interval, 300 s code lifetime, keys
# send_flag_/sms_ in db 2, caps 5/hour and 10/day per mobile, 30/hour per IP, 600 sends a minute, a token bucket
# of 10 per IP). A run differs from it only by the overrides below, which start_gateway prints.
CONFIG="$ROOT/yarp.json"
# Where this run's Redis, provider and legacy app are; nginx, on 127.0.0.1, is the trusted proxy.
USE_REDIS="--SmsCodeGate:Redis=127.0.0.1:$REDIS_PORT"
USE_PROVIDER="--ReverseProxy:Clusters:sms-provider:Destinations:demo-provider:Address=$PROVIDER/"
USE_LEGACY="--ReverseProxy:Clusters:legacy-app:Destinations:legacy:Address=$LEGACY/"
TRUST_NGINX="--ForwardedHeaders:KnownProxies:0=127.0.0.1"
# The gate's own categories from Debug: its per-request lines (sent, refused, invalid mobile) are in the logs that
# the audit at the end scans for mobiles and codes.
GATE_DEBUG="--Logging:LogLevel:Gateway=Debug"
# Every request of the run comes from 127.0.0.1: the bursts and streams below would meet the per-IP cap
# (MaxPerIpPerHour 30) and the client rate limiter (a bucket of 10) long before they test anything.
LOAD=(
    "--SmsCodeGate:Policies:legacy-sms:MaxPerIpPerHour=100000"
    "--ClientRateLimiting:Policies:sms-per-ip:TokenLimit=100000"
    "--ClientRateLimiting:Policies:verify-per-ip:TokenLimit=100000"
)

start_redis redis "$REDIS_PORT"
# The per-IP cap test counts in its own Redis: the main one's 127.0.0.1 counter is far above any small cap.
start_redis redis-ip "$REDIS_IP_PORT"
# A provider that answers 100 ms after it has recorded an SMS, like a real one: the instance killed mid-stream
# below then has requests in flight (flag and code written, SMS out, answer pending).
start_provider provider "$PROVIDER_PORT" --DemoProvider:Delay=00:00:00.100
# A provider slower than the provider timeout of gateway-slow: it records the SMS, then answers after 2 s.
start_provider provider-slow "$SLOW_PROVIDER_PORT" --DemoProvider:Delay=00:00:02
# The legacy app with a strict host list: the client's Host must reach it (127.0.0.1 for the direct checks).
ALLOWED_HOSTS="$PUBLIC_HOST,127.0.0.1" WORKERS=2 start_legacy legacy "$LEGACY_PORT" "$REDIS_PORT"
start_gateway gateway-1 "$GW1_PORT" "$CONFIG" "$USE_REDIS" "$USE_PROVIDER" "$USE_LEGACY" "$TRUST_NGINX" "$GATE_DEBUG" "${LOAD[@]}"
start_gateway gateway-2 "$GW2_PORT" "$CONFIG" "$USE_REDIS" "$USE_PROVIDER" "$USE_LEGACY" "$TRUST_NGINX" "$GATE_DEBUG" "${LOAD[@]}"
# At most 2 sends an hour per client IP, counted in redis-ip; the rate limiter as shipped.
start_gateway gateway-ip "$GW_IP_PORT" "$CONFIG" "--SmsCodeGate:Redis=127.0.0.1:$REDIS_IP_PORT" "$USE_PROVIDER" \
    "$USE_LEGACY" "$TRUST_NGINX" "$GATE_DEBUG" "--SmsCodeGate:Policies:legacy-sms:MaxPerIpPerHour=2"
# A provider timeout of 1 s in front of the 2 s provider.
start_gateway gateway-slow "$GW_SLOW_PORT" "$CONFIG" "$USE_REDIS" \
    "--ReverseProxy:Clusters:sms-provider:Destinations:demo-provider:Address=$SLOW_PROVIDER/" \
    "--ReverseProxy:Clusters:sms-provider:HttpRequest:ActivityTimeout=00:00:01" "$USE_LEGACY" "$TRUST_NGINX" "$GATE_DEBUG" "${LOAD[@]}"
# The seed's verify view changed to never delete a code (its compare-and-delete without the DEL): single use then
# rests on the gate alone. Its own gunicorn (4 workers, so that attempts can be checked at once) and gateway.
cp -r "$ROOT/samples/legacy-app" "$RUN_DIR/legacy-nodelete"
sed -i "/redis.call('DEL', KEYS\[1\])/d" "$RUN_DIR/legacy-nodelete/verifications/views.py"
! grep -q "redis.call('DEL'" "$RUN_DIR/legacy-nodelete/verifications/views.py"
REDIS_URL_BASE="redis://127.0.0.1:$REDIS_PORT" WORKERS=4 "$RUN_DIR/legacy-nodelete/run.sh" "$LEGACY_ND_PORT" \
    >>"$RUN_DIR/legacy-nodelete.log" 2>&1 &
stack_track legacy-nodelete $!
wait_for "legacy-nodelete on :$LEGACY_ND_PORT" 30 http_ok "http://127.0.0.1:$LEGACY_ND_PORT/healthz/"
start_gateway gateway-nodelete "$GW_ND_PORT" "$CONFIG" "$USE_REDIS" "$USE_PROVIDER" \
    "--ReverseProxy:Clusters:legacy-app:Destinations:legacy:Address=http://127.0.0.1:$LEGACY_ND_PORT/" \
    "$TRUST_NGINX" "$GATE_DEBUG" "${LOAD[@]}"
start_nginx nginx "$NGINX_PORT" "$GW1_PORT" "$GW2_PORT"
start_nginx nginx-nodelete "$NGINX_ND_PORT" "$GW_ND_PORT"
start_nginx nginx-ip "$NGINX_IP_PORT" "$GW_IP_PORT"
start_nginx nginx-slow "$NGINX_SLOW_PORT" "$GW_SLOW_PORT"
echo "    redis :$REDIS_PORT :$REDIS_IP_PORT (ip)  provider :$PROVIDER_PORT :$SLOW_PROVIDER_PORT (slow)" \
    " legacy :$LEGACY_PORT  gateways :$GW1_PORT :$GW2_PORT :$GW_IP_PORT (ip) :$GW_SLOW_PORT (slow)" \
    " nginx :$NGINX_PORT :$NGINX_IP_PORT (ip) :$NGINX_SLOW_PORT (slow)"

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
echo "==> the legacy verify route is guarded: attempts per code, across both instances, and single use"
M_GUESS=13900000021
request GET "$NGINX/sms_codes/$M_GUESS/"
check "a code for the guessing test is sent (200)" 200 "$STATUS"
CODE_GUESS=$(sent_code $M_GUESS)
WRONG_GUESS=$([ "$CODE_GUESS" = 000000 ] && echo 111111 || echo 000000)
MASKED_GUESS="${M_GUESS:0:3}****${M_GUESS: -4}"
# Every verification the app handles logs one line for the (masked) mobile: wrong, expired or missing, verified.
app_lines() { grep -F "verifications.views" "$RUN_DIR/legacy.log" | grep -cF " for $MASKED_GUESS" || true; }
reached_before=$(app_lines)
for i in $(seq 1 200); do
    if ((i % 2)); then echo "$GW1"; else echo "$GW2"; fi
done | xargs -P 40 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X POST "{}/verifications/sms/" \
    --data-urlencode "mobile=$M_GUESS" --data-urlencode "sms_code=$WRONG_GUESS" >"$RUN_DIR/guesses.status"
reached=$(( $(app_lines) - reached_before ))
echo "    200 concurrent wrong guesses through two instances: $reached reached the legacy app"
check_true "at most MaxVerifyAttempts (5) of 200 concurrent wrong guesses reached the legacy app ($reached)" test "$reached" -ge 1 -a "$reached" -le 5
check "... each of those was the app's own 400 (wrong, or already spent)" "$reached" "$(grep -c '^400$' "$RUN_DIR/guesses.status" || true)"
check "... and every other guess was answered 429 by the gateway (another attempt at the app, or spent)" \
    "$((200 - reached))" "$(grep -c '^429$' "$RUN_DIR/guesses.status" || true)"
# One attempt at a time reaches the app: the burst may have left attempts unspent. Spend them, one by one.
for i in $(seq "$reached" 5); do
    request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M_GUESS" --data-urlencode "sms_code=$WRONG_GUESS"
done
check "the attempt over MaxVerifyAttempts is refused (429)" 429 "$STATUS"
request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M_GUESS" --data-urlencode "sms_code=$CODE_GUESS"
check "afterwards the right code fails too (429: the code is spent)" 429 "$STATUS"
check_true "... with Retry-After" test -n "$(header Retry-After)"
check_true "... and a JSON {\"message\":...} body" body_has '.message | type == "string"'
check "... and sms_<mobile> is gone from Redis" "" "$(redis_get "sms_$M_GUESS")"
redis-cli -p "$REDIS_PORT" -n 2 DEL "send_flag_$M_GUESS" >/dev/null
request GET "$NGINX/sms_codes/$M_GUESS/"
check "a fresh code is sent once the interval is over (flag deleted here)" 200 "$STATUS"
CODE_FRESH=$(sent_code $M_GUESS)
request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M_GUESS" --data-urlencode "sms_code=$CODE_FRESH"
check "the fresh code verifies once (200)" 200 "$STATUS"
request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M_GUESS" --data-urlencode "sms_code=$CODE_FRESH"
check "... and a second use fails (400, the app's own 'expired')" '400 {"message":"验证码已过期"}' "$STATUS $(body)"


echo "==> the gate's own verify endpoint"
M_NATIVE=13900000022
request GET "$NGINX/sms_codes/$M_NATIVE/"
CODE_NATIVE=$(sent_code $M_NATIVE)
WRONG_NATIVE=$([ "$CODE_NATIVE" = 000000 ] && echo 111111 || echo 000000)
request POST "$NGINX/sms_codes/$M_NATIVE/verify" -H 'Content-Type: application/json' --data "{\"code\":\"$WRONG_NATIVE\"}"
check "POST /sms_codes/<mobile>/verify with a wrong code answers 400" 400 "$STATUS"
WRONG_BODY=$(body)
request POST "$NGINX/sms_codes/13900000023/verify" -H 'Content-Type: application/json' --data "{\"code\":\"$CODE_NATIVE\"}"
check "... and a mobile with no code gets the same answer" "400 $WRONG_BODY" "$STATUS $(body)"
request POST "$NGINX/sms_codes/$M_NATIVE/verify" --data-urlencode "code=$CODE_NATIVE"
check "the right code (a form field) answers 200 {\"message\":\"ok\"}" '200 {"message":"ok"}' "$STATUS $(body)"
request POST "$NGINX/sms_codes/$M_NATIVE/verify" --data-urlencode "code=$CODE_NATIVE"
check "... once: a second use answers 400" 400 "$STATUS"

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
echo "==> guesses sent before a code exists never reach the app (answered as the app answers an expired code)"
M_EARLY=13900000024
MASKED_EARLY="${M_EARLY:0:3}****${M_EARLY: -4}"
early_lines() { grep -F "verifications.views" "$RUN_DIR/legacy.log" | grep -cF " for $MASKED_EARLY" || true; }
# The seed's own answer for an expired code, straight from the app (no code for this mobile).
curl -s -o "$RUN_DIR/legacy-expired.body" -X POST "$LEGACY/verifications/sms/" --data-urlencode "mobile=13900000025" \
    --data-urlencode "sms_code=000000"
early_before=$(early_lines)
mkdir -p "$RUN_DIR/early"
for i in $(seq 1 200); do
    case $((i % 4)) in 1) echo "$GW1 $i" ;; 2) echo "$GW2 $i" ;; *) echo "$NGINX $i" ;; esac
done | EARLY_DIR="$RUN_DIR/early" EARLY_MOBILE="$M_EARLY" xargs -P 40 -L 1 sh -c 'curl -s -o "$EARLY_DIR/$1.body" \
    -w "%{http_code} %{content_type}\n" --max-time 20 -X POST "$0/verifications/sms/" \
    --data-urlencode "mobile=$EARLY_MOBILE" --data-urlencode "sms_code=$(printf %06d "$1")"' >"$RUN_DIR/early.status"
early_same=0
for f in "$RUN_DIR"/early/*.body; do
    cmp -s "$f" "$RUN_DIR/legacy-expired.body" && early_same=$((early_same + 1))
done
early_reached=$(( $(early_lines) - early_before ))
echo "    200 concurrent guesses before the send (nginx and both instances): $early_reached reached the legacy app"
check "none of 200 guesses sent before the code exists reached the legacy app" 0 "$early_reached"
check "... each was answered 400 application/json" 200 "$(grep -c '^400 application/json$' "$RUN_DIR/early.status" || true)"
check "... with the app's own expired-code body, byte for byte" 200 "$early_same"
check "... and nothing was written for that mobile" "" "$(redis-cli -p "$REDIS_PORT" -n 2 --scan --pattern "*$M_EARLY*")"
request GET "$NGINX/sms_codes/$M_EARLY/"
CODE_EARLY=$(sent_code $M_EARLY)
request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M_EARLY" --data-urlencode "sms_code=$CODE_EARLY"
check "then the code is sent and verifies (200)" 200 "$STATUS"
check "... the only attempt at this mobile the app ever saw" 1 "$(( $(early_lines) - early_before ))"

# ---------------------------------------------------------------------------------------------------------------
echo "==> single use without the app's help: one attempt per code at a time, at an app that never deletes the code"
M_ONCE=13900000026
MASKED_ONCE="${M_ONCE:0:3}****${M_ONCE: -4}"
once_lines() { grep -F "verifications.views" "$RUN_DIR/legacy-nodelete.log" | grep -cF "sms code verified for $MASKED_ONCE" || true; }
request GET "$NGINX_ND/sms_codes/$M_ONCE/"
CODE_ONCE=$(sent_code $M_ONCE)
# Without the gate: the changed view accepts the same code again and again.
curl -s -o /dev/null -X POST "http://127.0.0.1:$LEGACY_ND_PORT/verifications/sms/" --data-urlencode "mobile=$M_ONCE" \
    --data-urlencode "sms_code=$CODE_ONCE"
request POST "http://127.0.0.1:$LEGACY_ND_PORT/verifications/sms/" --data-urlencode "mobile=$M_ONCE" \
    --data-urlencode "sms_code=$CODE_ONCE"
check "straight to the changed app, the same code verifies twice (it never deletes)" 200 "$STATUS"
once_before=$(once_lines)
for i in $(seq 1 50); do
    if ((i % 2)); then echo "$NGINX_ND"; else echo "$GW_ND"; fi
done | xargs -P 25 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X POST "{}/verifications/sms/" \
    --data-urlencode "mobile=$M_ONCE" --data-urlencode "sms_code=$CODE_ONCE" >"$RUN_DIR/once.status"
once_ok=$(grep -c '^200$' "$RUN_DIR/once.status" || true)
once_429=$(grep -c '^429$' "$RUN_DIR/once.status" || true)
once_400=$(grep -c '^400$' "$RUN_DIR/once.status" || true)
echo "    50 concurrent right guesses through the gate: $once_ok x 200, $once_429 x 429, $once_400 x 400"
check "exactly one of 50 concurrent right guesses is accepted" 1 "$once_ok"
check "... the app verified it once" 1 "$(( $(once_lines) - once_before ))"
check "... every other one was answered by the gate (429 while it was at the app, 400 once used up)" 49 "$((once_429 + once_400))"
request POST "$NGINX_ND/verifications/sms/" --data-urlencode "mobile=$M_ONCE" --data-urlencode "sms_code=$CODE_ONCE"
check "afterwards the code is used up" '400 {"message":"验证码已过期"}' "$STATUS $(body)"

# ---------------------------------------------------------------------------------------------------------------
echo "==> no lockout without a code: guesses at a mobile with no code write nothing and cost its owner nothing"
M_OWNER=13900000027
for i in $(seq 1 25); do
    request POST "$NGINX/sms_codes/$M_OWNER/verify" --data-urlencode "code=123456"
    echo "$STATUS" >>"$RUN_DIR/lock.status"
    request POST "$NGINX/verifications/sms/" --data-urlencode "mobile=$M_OWNER" --data-urlencode "sms_code=123456"
    echo "$STATUS" >>"$RUN_DIR/lock.status"
done
check "50 anonymous guesses at a mobile without a code (endpoint and route): all 400" 50 "$(grep -c '^400$' "$RUN_DIR/lock.status")"
check "... nothing written for that mobile" "" "$(redis-cli -p "$REDIS_PORT" -n 2 --scan --pattern "*$M_OWNER*")"
for i in $(seq 100 199); do
    echo "$NGINX/sms_codes/13977700$i/verify"
done | xargs -P 20 -I{} curl -s -o /dev/null --max-time 20 -X POST "{}" --data-urlencode "code=123456"
check "100 guesses at 100 random mobiles leave no key" "" "$(redis-cli -p "$REDIS_PORT" -n 2 --scan --pattern "*1397770*")"
request GET "$NGINX/sms_codes/$M_OWNER/"
CODE_OWNER=$(sent_code $M_OWNER)
request POST "$NGINX/sms_codes/$M_OWNER/verify" --data-urlencode "code=$CODE_OWNER"
check "the owner then verifies (200, not a day's 429)" '200 {"message":"ok"}' "$STATUS $(body)"

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
echo "==> the legacy app gets the client's Host (nginx: Host \$host; yarp.json: RequestHeaderOriginalHost)"
request GET "$NGINX/hello/" -H "Host: $PUBLIC_HOST"
check "a legacy route with Host $PUBLIC_HOST (in its ALLOWED_HOSTS) answers 200" 200 "$STATUS"
check "... and the app saw that Host" "$PUBLIC_HOST" "$(jq -r '.headers.host' "$BODY" 2>/dev/null)"
request GET "$NGINX/sms_codes/13900000099/"
CODE_HOST=$(sent_code 13900000099)
request POST "$NGINX/verifications/sms/" -H "Host: $PUBLIC_HOST" --data-urlencode "mobile=13900000099" \
    --data-urlencode "sms_code=$([ "$CODE_HOST" = 000000 ] && echo 111111 || echo 000000)"
check "POST /verifications/sms/ with that Host reaches the view (its own 400, not DisallowedHost)" \
    '400 {"message":"验证码错误"}' "$STATUS $(body)"
request GET "$NGINX/hello/" -H "Host: unlisted.example.test"
check "an unlisted Host gets Django's 400 (DisallowedHost)" 400 "$STATUS"
check_true "... its own HTML page, not a JSON answer" grep -q 'Bad Request' "$BODY"

# ---------------------------------------------------------------------------------------------------------------
echo "==> one way in: GET only, and every spelling of the path nginx routes to the gate is gated"
no_flag() { [ -z "$(redis_get "send_flag_$1")" ]; }
M_METHODS=13900000031
for method in HEAD POST PUT DELETE PATCH OPTIONS; do
    for target in "nginx $NGINX" "gateway-1 $GW1"; do
        read -r via base <<<"$target"
        request "$method" "$base/sms_codes/$M_METHODS/"
        check "$method /sms_codes/<mobile>/ via $via answers 405" 405 "$STATUS"
        check "... with Allow: GET" GET "$(header Allow)"
        if [ "$method" != HEAD ]; then
            check_true "... and a JSON {\"message\":...} body" body_has '.message | type == "string"'
        fi
    done
done
check "no SMS was sent for the mobile" 0 "$(sent_count $M_METHODS)"
check_true "no send_flag_<mobile> in Redis db 2" no_flag $M_METHODS

M_SLASHES=13900000032
request GET "$NGINX//sms_codes/$M_SLASHES/" --path-as-is
check "//sms_codes/<mobile>/ (nginx merges the slashes) is gated: 200" '200 {"message":"ok"}' "$STATUS $(body)"
check "... one SMS" 1 "$(sent_count $M_SLASHES)"
check "... whose code is in Redis" "$(sent_code $M_SLASHES)" "$(redis_get "sms_$M_SLASHES")"

M_ENCODED=13900000033
request GET "$NGINX/sms_codes%2F$M_ENCODED/" --path-as-is
check_true "/sms_codes%2F<mobile>/ answers a 4xx (was $STATUS)" test "${STATUS:0:1}" = 4
check_true "... with a JSON {\"message\":...} body" body_has '.message | type == "string"'
check "... no SMS" 0 "$(sent_count $M_ENCODED)"
check_true "... and no send_flag_<mobile> (nor did the legacy view run)" no_flag $M_ENCODED

M_CASE=13900000034
request GET "$NGINX/SMS_CODES/$M_CASE/"
check "/SMS_CODES/<mobile>/ is gated: 200" '200 {"message":"ok"}' "$STATUS $(body)"
check "... one SMS from the gateway (the legacy view sends none)" 1 "$(sent_count $M_CASE)"
check "... whose code is in Redis" "$(sent_code $M_CASE)" "$(redis_get "sms_$M_CASE")"
request GET "$NGINX/SMS_CODES/$M_CASE/"
check "... a second one is refused (400)" 400 "$STATUS"
check "... and sends nothing" 1 "$(sent_count $M_CASE)"

printf '%s\n' $M_METHODS $M_ENCODED 12800138000 13700137099 13900000036 13900000037 13900000043 13900000044 \
    13900000051 13900000099 >>"$RUN_DIR/mobiles.used"
# Spellings the gate refuses; the access log check at the end looks for them.
for spelling in 12800138000 +8613700137099 %2B8613700137099 %31%33%39%30%30%30%30%30%30%33%35; do
    request GET "$NGINX/sms_codes/$spelling/" --path-as-is
    echo "    GET /sms_codes/$spelling/: $STATUS"
done
request GET "$NGINX/sms_codes/13900000036/verify?mobile=13900000037" --path-as-is
echo "    GET /sms_codes/13900000036/verify?mobile=13900000037: $STATUS"

# ---------------------------------------------------------------------------------------------------------------
echo "==> nginx's own errors are JSON"
for path in /metrics /METRICS /%6detrics //metrics /metrics/; do
    request GET "$NGINX$path" --path-as-is
    check "$path through nginx answers 404" 404 "$STATUS"
    check "... Content-Type application/json" application/json "$(header Content-Type)"
    check_true "... {\"message\":...}" body_has '.message | type == "string"'
done
request GET "$GW1/metrics"
check "the gateway itself still serves /metrics (200)" 200 "$STATUS"
check_true "... with the gate's meter SmsCodeGate counting issued codes in sms_code_gate_requests_total" \
    grep -Eq '^sms_code_gate_requests_total\{[^}]*otel_scope_name="SmsCodeGate"[^}]*sms_code_gate_result="issued"' "$BODY"
head -c 70000 /dev/zero | tr '\0' a >"$RUN_DIR/large.body"
request POST "$NGINX/verifications/sms/" --data-binary "@$RUN_DIR/large.body"
check "a 70 kB body answers 413" 413 "$STATUS"
check "... Content-Type application/json" application/json "$(header Content-Type)"
check_true "... {\"message\":...}" body_has '.message | type == "string"'

# Requests whose line or headers nginx cannot read: no URI, so the error page must be a URI location, not a named one.
raw_nginx() { # raw_nginx BYTES: prints "STATUS CONTENT-TYPE BODY" of nginx's answer to BYTES sent as they are
    python3 - "${NGINX#http://}" "$1" <<'PY'
import socket, sys
host, port = sys.argv[1].split(":")
with socket.create_connection((host, int(port)), timeout=5) as s:
    s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
head, _, body = answer.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
kind = next((l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("content-type:")), "-")
print(lines[0].split(" ")[1], kind, body.decode("utf-8", "replace"))
PY
}
long_uri=$(head -c 10000 /dev/zero | tr '\0' a)
long_header=$(head -c 20000 /dev/zero | tr '\0' a)
for case in "400|a lowercase method|get /sms_codes/13900000038/ HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" \
    "400|a NUL in the path|GET /sms_codes/139%00/ HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" \
    "400|a space in the path|GET /a b HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" \
    "414|a 10 kB path|GET /$long_uri HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" \
    "400|a 20 kB header|GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $long_header\\r\\nConnection: close\\r\\n\\r\\n" \
    "501|Transfer-Encoding gzip, chunked|POST /verifications/sms/ HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip, chunked\\r\\nConnection: close\\r\\n\\r\\n0\\r\\n\\r\\n"; do
    IFS='|' read -r expected label bytes <<<"$case"
    read -r status kind answer <<<"$(raw_nginx "$bytes")"
    check "$label: nginx answers $expected application/json" "$expected application/json" "$status $kind"
    check_true "... {\"message\":...}" jq -e '.message | type == "string"' <<<"$answer"
done

# ---------------------------------------------------------------------------------------------------------------
echo "==> a forged X-Forwarded-For changes no client IP"
redis_ip() { redis-cli -p "$REDIS_IP_PORT" -n 2 --raw "$@"; }
for i in 1 2 3; do
    request GET "$NGINX_IP/sms_codes/1390000004$i/" -H "X-Forwarded-For: 198.51.100.$i"
    echo "$STATUS $(body)" >"$RUN_DIR/forged-$i.answer"
done
check "through nginx, forged X-Forwarded-For 1 of 3 (MaxPerIpPerHour 2): 200" \
    '200 {"message":"ok"}' "$(cat "$RUN_DIR/forged-1.answer")"
check "... 2 of 3: 200" '200 {"message":"ok"}' "$(cat "$RUN_DIR/forged-2.answer")"
check "... 3 of 3: refused by the per-IP cap with the legacy body" '400 {"message":"手机频繁发送短信"}' \
    "$(cat "$RUN_DIR/forged-3.answer")"
check "... one IP counter in db 2, for 127.0.0.1, at 2" "sms_ip_hour_127.0.0.1 2" \
    "$(redis_ip KEYS 'sms_ip_hour_*' | sort | tr '\n' ' ')$(redis_ip GET sms_ip_hour_127.0.0.1)"
check "... the third mobile got no SMS" 0 "$(sent_count 13900000043)"

echo "==> the shipped client rate limit (verify-per-ip) guards both verify routes"
: >"$RUN_DIR/verify-limit.answers"
for i in $(seq 10 39); do
    request POST "$NGINX_IP/verifications/sms/" --data-urlencode "mobile=139666000$i" --data-urlencode "sms_code=123456"
    echo "$STATUS $(body)" >>"$RUN_DIR/verify-limit.answers"
done
for i in $(seq 40 44); do
    request POST "$NGINX_IP/sms_codes/139666000$i/verify" --data-urlencode "code=123456"
    echo "$STATUS $(body) endpoint" >>"$RUN_DIR/verify-limit.answers"
done
LIMITED='429 {"message":"Too many requests from this client. Please try again later."}'
echo "    30 guesses then 5 at the endpoint from one client through nginx:" \
    "$(grep -c '^400 ' "$RUN_DIR/verify-limit.answers") x 400, $(grep -cF "$LIMITED" "$RUN_DIR/verify-limit.answers") x 429"
check_true "30 quick guesses on the legacy verify route meet the client rate limit (429)" \
    grep -qF "$LIMITED" <(grep -v endpoint "$RUN_DIR/verify-limit.answers")
check_true "... and the verify endpoint shares it (429)" grep -qF "$LIMITED endpoint" "$RUN_DIR/verify-limit.answers"

stack_stop gateway-ip
for path in /sms_codes/13900000044/ /hello/; do
    request GET "$NGINX_IP$path"
    check "every gateway down: $path through nginx answers 502" 502 "$STATUS"
    check "... Content-Type application/json" application/json "$(header Content-Type)"
    check_true "... {\"message\":...}" body_has '.message | type == "string"'
done

# yarp.json's ForwardedHeaders as shipped: no KnownProxies, no KnownNetworks, so no X-Forwarded-For is honoured.
start_gateway gateway-open "$GW_OPEN_PORT" "$CONFIG" "--SmsCodeGate:Redis=127.0.0.1:$REDIS_IP_PORT" \
    "$USE_PROVIDER" "$USE_LEGACY" "$GATE_DEBUG"
IP_COUNT_BEFORE=$(redis_ip GET sms_ip_hour_127.0.0.1)
request GET "$GW_OPEN/sms_codes/13900000045/" -H "X-Forwarded-For: 203.0.113.45"
check "straight to a gateway without KnownProxies, with a forged X-Forwarded-For: 200" 200 "$STATUS"
check "... counted against the connection's address, 127.0.0.1" "$((${IP_COUNT_BEFORE:-0} + 1))" \
    "$(redis_ip GET sms_ip_hour_127.0.0.1)"
check "... and not against the forged one" "" "$(redis_ip KEYS 'sms_ip_hour_203.*' | sed '/^$/d' | tr '\n' ' ')"
stack_stop gateway-open

# ---------------------------------------------------------------------------------------------------------------
echo "==> the gate reads the body as the app does, or refuses it: through nginx and straight to an instance"
M_CS=13900000081
M_DECOY=13900000082
MASKED_CS="${M_CS:0:3}****${M_CS: -4}"
cs_lines() { grep -F "verifications.views" "$RUN_DIR/legacy.log" | grep -cF " for $MASKED_CS" || true; }
request GET "$NGINX/sms_codes/$M_CS/"
check "a code for the charset test is sent (200)" 200 "$STATUS"
CODE_CS=$(sent_code $M_CS)
WRONG_CS=$([ "$CODE_CS" = 000000 ] && echo 111111 || echo 000000)
# UTF-7 "+ACY-" is "&": Django reads mobile=<victim> (the last one), a UTF-8 reader the decoy's.
UTF7_BODY="mobile=$M_DECOY&x=+ACY-mobile=$M_CS&sms_code=$WRONG_CS"
request POST "$LEGACY/verifications/sms/" -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-7' --data-binary "$UTF7_BODY"
check "straight to the app (no gateway), a UTF-7 body is read as the victim's mobile (its 'wrong code' answer)" \
    '400 {"message":"验证码错误"}' "$STATUS $(body)"
for via in "$NGINX" "$GW1"; do
    before=$(cs_lines)
    for i in $(seq 1 30); do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST "$via/verifications/sms/" \
            -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-7' --data-binary "$UTF7_BODY"
    done >"$RUN_DIR/utf7.status"
    check "30 UTF-7 guesses via $via are all answered 415" 30 "$(grep -c '^415$' "$RUN_DIR/utf7.status" || true)"
    check "... and none reached the legacy app" 0 "$(($(cs_lines) - before))"
    before=$(cs_lines)
    for spelling in 'charset=UTF-7' 'charset="utf-16"' 'charset=utf-8; charset=utf-7' 'CHARSET =cp500' 'charset=u8'; do
        request POST "$via/verifications/sms/" -H "Content-Type: application/x-www-form-urlencoded; $spelling" \
            --data-binary "mobile=$M_CS&sms_code=$WRONG_CS"
        check "a form with $spelling via $via answers 415 with a JSON message" "415 true" "$STATUS $(body_has '.message | type == "string"' && echo true)"
    done
    for type in '*/*' 'application/*' 'multipart/form-data; boundary=b' 'text/plain'; do
        request POST "$via/verifications/sms/" -H "Content-Type: $type" --data-binary "mobile=$M_CS&sms_code=$WRONG_CS"
        check "Content-Type $type via $via answers 415" 415 "$STATUS"
    done
    request POST "$via/verifications/sms/" -H 'Content-Type: application/x-www-form-urlencoded' -H 'Content-Type: application/json' \
        --data-binary "mobile=$M_CS&sms_code=$WRONG_CS"
    check "two Content-Type headers via $via answer 415" 415 "$STATUS"
    request POST "$via/verifications/sms/" -H 'Content-Type: application/json' --data-binary $'\xef\xbb\xbf'"{\"mobile\":\"$M_CS\",\"sms_code\":\"$WRONG_CS\"}"
    check "a JSON body with a BOM via $via answers 415" 415 "$STATUS"
    for form in "MOBILE=$M_CS" "mobile=$M_DECOY;mobile=$M_CS" "mobile=$M_DECOY&mobile=$M_CS" "mobile=+$M_CS" "mobile=$M_CS%0A"; do
        request POST "$via/verifications/sms/" --data-binary "$form&sms_code=$WRONG_CS"
        check_true "form '$form' via $via is not forwarded (answered $STATUS by the gateway)" test "$STATUS" -ge 400 -a "$STATUS" != 400
    done
    check "... none of these reached the legacy app" 0 "$(($(cs_lines) - before))"
done
check "no attempt was counted against the victim's code" "" "$(redis-cli -p "$REDIS_PORT" -n 2 --raw HGET "sms_state_$M_CS" attempts)"
request POST "$NGINX/verifications/sms/" -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF8' \
    --data-binary "mobile=$M_CS&sms_code=$CODE_CS"
check "the right code, charset=UTF8 (read as UTF-8, forwarded as charset=utf-8), verifies (200)" '200 {"message":"ok"}' "$STATUS $(body)"

# ---------------------------------------------------------------------------------------------------------------
echo "==> header names that WSGI rewrites never reach the legacy app"
M_SN=13900000084
request GET "$LEGACY/zz/sms_codes/$M_SN/" -H 'SCRIPT_NAME: /zz'
check "straight to gunicorn, SCRIPT_NAME: /zz moves /zz/sms_codes/<m>/ to the app's own send view (200)" 200 "$STATUS"
check_true "... which stored a code of its own" test -n "$(redis_get "sms_$M_SN")"
redis-cli -p "$REDIS_PORT" -n 2 DEL "sms_$M_SN" "send_flag_$M_SN" >/dev/null
for via in "$NGINX" "$GW1"; do
    for name in SCRIPT_NAME script_name Script_Name; do
        request GET "$via/zz/sms_codes/$M_SN/" -H "$name: /zz"
        check_true "$name: /zz via $via does not reach the app's send view (answered $STATUS)" test "$STATUS" != 200
        check "... and no code was stored" "" "$(redis_get "sms_$M_SN")"
    done
    before=$(cs_lines)
    request POST "$via/zz/verifications/sms/" -H 'SCRIPT_NAME: /zz' --data-urlencode "mobile=$M_CS" --data-urlencode "sms_code=$WRONG_CS"
    check_true "SCRIPT_NAME: /zz via $via does not reach the app's verify view (answered $STATUS)" test "$STATUS" != 200 -a "$STATUS" != 400
    check "... and the app saw no verification" 0 "$(($(cs_lines) - before))"
done
# ---------------------------------------------------------------------------------------------------------------
echo "==> a provider slower than the provider timeout: the gateway's 504 reaches the client, not nginx's"
M_SLOW=13900000051
started=$EPOCHREALTIME
request GET "$NGINX_SLOW/sms_codes/$M_SLOW/" --max-time 20
elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
check "provider timeout 1 s, provider 2 s: 504 (after $elapsed s)" 504 "$STATUS"
check_true "... well before nginx's own 10 s read timeout" awk -v e="$elapsed" 'BEGIN {exit !(e < 8)}'
check_true "... with Retry-After (was '$(header Retry-After)')" test "$(header Retry-After)" -ge 1 2>/dev/null
NGINX_504=$(sed -n "s/.*return 504 '\(.*\)';.*/\\1/p" "$ROOT/deploy/nginx/gateway.conf")
check_true "... with a JSON message" body_has '.message | type == "string"'
check_true "... the gateway's, not nginx's $NGINX_504" test "$(body)" != "$NGINX_504" -a -n "$NGINX_504"
SLOW_CODE=$(curl -fsS "$SLOW_PROVIDER/sent?mobile=$M_SLOW" | jq -r '.[-1].code // empty')
check "the slow provider recorded the SMS" 1 "$(curl -fsS "$SLOW_PROVIDER/sent?mobile=$M_SLOW" | jq length)"
check "the send flag stays (the SMS may have gone)" 1 "$(redis_get "send_flag_$M_SLOW")"
check "the code stays, the one the SMS carried" "$SLOW_CODE" "$(redis_get "sms_$M_SLOW")"
SLOW_CODES=$(curl -fsS "$SLOW_PROVIDER/sent" | jq -r '.[].code')
stack_stop nginx-slow
stack_stop gateway-slow
stack_stop provider-slow

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
burst_upstreams() { grep -F "$MASKED" "$RUN_DIR/nginx/access.log" | grep -o 'upstream=[^ ,]*' | sort -u | wc -l; }
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
    echo "$M6" >>"$RUN_DIR/mobiles.used"
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
    echo "1390001$(printf %04d "$i")" >>"$RUN_DIR/mobiles.used"
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

# ---------------------------------------------------------------------------------------------------------------
echo "==> no log holds a full mobile or a code"
# Every mobile the run asked for and every code an SMS carried (the demo providers record them).
{
    curl -fsS "$PROVIDER/sent" | jq -r '.[].mobile'
    awk '{print $1}' "$RUN_DIR/stream.log"
    cat "$RUN_DIR/mobiles.used"
} | grep -oE '1[0-9]{10}' | sort -u >"$RUN_DIR/audit.mobiles"
{
    curl -fsS "$PROVIDER/sent" | jq -r '.[].code'
    printf '%s\n' $SLOW_CODES
} | grep -E '^[0-9]+$' | sort -u >"$RUN_DIR/audit.codes"
echo "    $(wc -l <"$RUN_DIR/audit.mobiles") mobiles, $(wc -l <"$RUN_DIR/audit.codes") codes"
# Stopping nginx and the gateways flushes their logs.
stack_stop_all
NGINX_ACCESS_LOGS=("$RUN_DIR"/nginx*/access.log)
check "nginx's access logs hold no run of 7 or more digits (so no mobile, however spelt)" "" \
    "$(grep -ohE '[0-9]{7,}' "${NGINX_ACCESS_LOGS[@]}" | sort -u | head -n 3 | tr '\n' ' ')"
check "... nor the spellings of this run" "" "$(grep -ohF -e 12800138000 -e +8613700137099 -e %2B8613700137099 \
    -e 13700137099 -e %31%33 "${NGINX_ACCESS_LOGS[@]}" | sort -u | tr '\n' ' ')"
check "... nor a query string" "" "$(grep -ohF -e '?mobile=' -e 'mobile=' "${NGINX_ACCESS_LOGS[@]}" | sort -u)"
check_true "... yet they logged the gated requests, masked (/sms_codes/****0031/)" \
    grep -qF "/sms_codes/****${M_METHODS: -4}/" "$RUN_DIR/nginx/access.log"
grep -ohE '[0-9]+' "$RUN_DIR"/gateway-*.log | sort -u >"$RUN_DIR/audit.gateway-numbers"
check "the gateways' logs hold none of the run's mobiles" "" \
    "$(grep -F -f "$RUN_DIR/audit.mobiles" "$RUN_DIR/audit.gateway-numbers" | head -n 3 | tr '\n' ' ')"
check "the gateways' logs hold none of the codes the SMS carried" "" \
    "$(grep -xF -f "$RUN_DIR/audit.codes" "$RUN_DIR/audit.gateway-numbers" | head -n 3 | tr '\n' ' ')"
# Not an empty scan: the logs hold the per-request lines and the failures' warnings of this run.
gateway_logged() { grep -qF "$1" "$RUN_DIR"/gateway-*.log; }
check_true "... yet they logged the sends and refusals (Debug), the mobile masked (${M1:0:3}****${M1: -4})" \
    gateway_logged "SMS code sent: policy legacy-sms, mobile ${M1:0:3}****${M1: -4}."
check_true "... the invalid mobiles, masked" gateway_logged "invalid mobile: policy legacy-sms, mobile 128****8000"
check_true "... the Redis outage (StoreUnavailable)" gateway_logged "SMS code store unavailable"
check_true "... and the slow provider (ProviderTimedOut)" gateway_logged "SMS provider did not answer in time"

COMPLETED=1
echo
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
