#!/usr/bin/env bash
# Follows docs/embedding.md as a new user would: packs the library into a local package source, makes a fresh
# `dotnet new web` project that takes the package from it, writes the page's Program.cs and appsettings.json, runs
# it with the demo SMS provider and a real redis-server, and sends a code with the page's own curl lines, checking
# each against the answer the page gives in its comment. Run by CI after the end-to-end test; needs nuget.org (the
# package's dependencies and the SDK's), nothing else from the network.
#
# The code blocks are read from the page (each follows an `<!-- embed: NAME -->` line), so the page cannot drift
# from what is tested. They run as written but for four substitutions, because the machine is shared: the package
# folder (~/local-packages becomes one in the run dir) and the three ports (6379, 5100, 5000 become free ones).
# Before the project restores, the package's folder in NuGet's cache is deleted, as the page says to after packing
# changed code under the same version.
#
#   tests/embed/run.sh               EMBED_KEEP=1 tests/embed/run.sh keeps the run dir
#
# Ends with "N passed, M failed"; exits 1 when something failed. Every process it starts it stops, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
DOC="$ROOT/docs/embedding.md"

"$ROOT/scripts/ensure-packages.sh" redis-server redis-tools curl jq

RUN_DIR=$(mktemp -d /tmp/sms-embed.XXXXXX)
# shellcheck source=tests/e2e/stack.sh
source "$ROOT/tests/e2e/stack.sh"

PASSED=0
FAILED=0
COMPLETED=0
GROUPS_STARTED=()

finish() {
    local status=$?
    local group
    for group in "${GROUPS_STARTED[@]}"; do
        # Each `dotnet run` was started in a process group of its own (setsid): stop the group, its app included.
        kill -TERM -- "-$group" 2>/dev/null || true
    done
    for group in "${GROUPS_STARTED[@]}"; do
        for _ in $(seq 50); do kill -0 -- "-$group" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$group" 2>/dev/null || true
    done
    stack_stop_all
    if ((COMPLETED == 0)); then
        FAILED=$((FAILED + 1))
        echo "not ok - the run stopped early (exit status $status)"
        echo "$PASSED passed, $FAILED failed"
        status=1
    fi
    if ((FAILED > 0 || status != 0)); then
        for log in "$RUN_DIR"/*.log; do
            echo "---- $log (last 40 lines)"
            tail -n 40 "$log"
        done
        echo "run dir kept: $RUN_DIR"
    elif [ "${EMBED_KEEP:-0}" = 1 ]; then
        echo "run dir kept: $RUN_DIR"
    else
        rm -rf "$RUN_DIR"
    fi
    exit "$status"
}
trap finish EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi; }
check_true() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

read -r REDIS_PORT PROVIDER_PORT GATEWAY_PORT <<<"$(free_ports 3)"
PACKAGES="$RUN_DIR/local-packages"

# block NAME: the code block after `<!-- embed: NAME -->` in the page, with the run's folder and ports.
block() {
    awk -v name="$1" '
        $0 == "<!-- embed: " name " -->" { found = 1; next }
        found && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }
    ' "$DOC" | sed -e "s|~/local-packages|$PACKAGES|g" -e "s|:6379\b|:$REDIS_PORT|g" \
        -e "s|:5100\b|:$PROVIDER_PORT|g" -e "s|:5000\b|:$GATEWAY_PORT|g"
}

for name in pack project Program.cs appsettings.json run try; do
    check_true "docs/embedding.md has the block '$name'" test -n "$(block "$name")"
done

VERSION=$(sed -n 's|.*<VersionPrefix>\(.*\)</VersionPrefix>.*|\1|p' "$ROOT/Directory.Build.props")
check_true "the page adds the version the build packs ($VERSION)" grep -q -- "--version $VERSION\$" <(block project)

echo "==> 1. the package, in a local package source (run dir $RUN_DIR)"
(cd "$ROOT" && bash -euo pipefail <(block pack)) >"$RUN_DIR/pack.log" 2>&1
check_true "dotnet pack made SmsCodeGate.Yarp.$VERSION.nupkg" test -f "$PACKAGES/SmsCodeGate.Yarp.$VERSION.nupkg"
check_true "... and its symbols, .snupkg" test -f "$PACKAGES/SmsCodeGate.Yarp.$VERSION.snupkg"
check_true "... with no warning" bash -c "! grep -qi 'warning' '$RUN_DIR/pack.log'"
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/smscodegate.yarp"

echo "==> 2. a new project that takes it"
mkdir -p "$RUN_DIR/work"
(cd "$RUN_DIR/work" && bash -euo pipefail <(block project)) >"$RUN_DIR/project.log" 2>&1
APP="$RUN_DIR/work/MyGateway"
check_true "MyGateway references SmsCodeGate.Yarp $VERSION" \
    grep -q "<PackageReference Include=\"SmsCodeGate.Yarp\" Version=\"$VERSION\" />" "$APP/MyGateway.csproj"

echo "==> 3, 4. Program.cs and appsettings.json from the page"
block Program.cs >"$APP/Program.cs"
block appsettings.json >"$APP/appsettings.json"
check_true "appsettings.json is valid JSON" bash -c "jq -e . '$APP/appsettings.json' >/dev/null"

echo "==> 5. run it and send a code"
start_redis redis "$REDIS_PORT"
# Each line of the run block says where it runs ("in the clone" or "in MyGateway"); each goes in the background.
while IFS= read -r line; do
    [ -n "$line" ] || continue
    case "$line" in
    *"# in the clone"*) dir=$ROOT name=provider ;;
    *"# in MyGateway"*) dir=$APP name=mygateway ;;
    *) not_ok "a run line says where it runs: $line"; continue ;;
    esac
    command=${line%%#*}
    command=${command%&*}
    (cd "$dir" && exec setsid bash -c "exec $command") >"$RUN_DIR/$name.log" 2>&1 &
    GROUPS_STARTED+=($!)
done < <(block run)
wait_for "the demo provider on :$PROVIDER_PORT" 180 http_ok "http://127.0.0.1:$PROVIDER_PORT/healthz"
wait_for "MyGateway on :$GATEWAY_PORT" 300 curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$GATEWAY_PORT/readyz"

# The try block: each curl line, checked against its comment: "# STATUS BODY[, Header]", or for the provider's
# /sent a JSON list whose last entry holds the code that later lines use (the page's example code is replaced).
CODE=""
EXAMPLE_CODE=""
while IFS= read -r line; do
    [ -n "$line" ] || continue
    command=${line%%#*}
    expected=${line#*# }
    if [ -n "$EXAMPLE_CODE" ] && [ -n "$CODE" ]; then
        command=${command//$EXAMPLE_CODE/$CODE}
    fi
    case "$command" in
    *"curl -s '"*/sent?*)
        sent=$(eval "$command")
        EXAMPLE_CODE=$(grep -oE '"code":"[0-9]{6}"' <<<"$expected" | grep -oE '[0-9]{6}' || true)
        CODE=$(jq -r '.[-1].code // empty' <<<"$sent")
        mobile=$(grep -oE 'mobile=1[0-9]{10}' <<<"$command" | cut -d= -f2)
        check "the provider got one SMS for $mobile" 1 "$(jq length <<<"$sent")"
        check_true "... with a 6-digit code" grep -Eq '^[0-9]{6}$' <<<"$CODE"
        ;;
    *"curl -i "*)
        response=$(eval "${command/curl -i /curl -sS -i --max-time 10 }" | tr -d '\r')
        status=$(head -n 1 <<<"$response" | awk '{print $2}')
        want_status=${expected%% *}
        check "$(sed -e 's/^ *//' -e 's/ *$//' <<<"${command//$CODE/<code>}") answers $want_status" "$want_status" "$status"
        want_body=$(grep -oE '\{.*\}' <<<"$expected" || true)
        [ -z "$want_body" ] && want_body=$(awk '{print $2}' <<<"$expected" | tr -d ',')
        check_true "... with $want_body" grep -qF -- "$want_body" <<<"$(sed -n '/^$/,$p' <<<"$response")"
        if [[ "$expected" == *Retry-After* ]]; then
            check_true "... and Retry-After" grep -qi '^Retry-After: [0-9]' <<<"$response"
        fi
        ;;
    *) not_ok "a try line the test can check: $line" ;;
    esac
done < <(block try)

echo "==> what MyGateway logged (the template's logging configuration)"
MOBILES=$(block try | grep -oE '1[0-9]{10}' | sort -u)
check_true "MyGateway logs at Information (Now listening on)" grep -q "Now listening on" "$RUN_DIR/mygateway.log"
for mobile in $MOBILES; do
    check_true "no full mobile ($mobile) in MyGateway's log" bash -c "! grep -q '$mobile' '$RUN_DIR/mygateway.log'"
done
check_true "no 'fail:' line in MyGateway's log" bash -c "! grep -q 'fail:' '$RUN_DIR/mygateway.log'"

COMPLETED=1
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
