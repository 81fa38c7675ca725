#!/usr/bin/env bash
# Checks the systemd units in this directory and the example gateway.env (.ci/run runs it):
#   - each unit with systemd-analyze verify (a template as its instance sms-gateway@5001): unknown keys, values it
#     cannot parse, environment assignments it would ignore, a missing ExecStart binary. It exits 0 on most of
#     these and only prints a warning, so any output counts as a failure here. Each drop-in (*.conf) is checked the
#     same way, appended to sms-gateway@.service as systemd would read it;
#   - every assignment in gateway.env has a name systemd accepts (letters, digits, "_"): it silently drops others.
# Skipped, with a message, where systemd-analyze is missing. ExecStart names /usr/bin/dotnet, which verify requires
# to exist: on a machine whose dotnet is elsewhere the copy checked names that one (or /bin/true) instead.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)

failed=0
while IFS= read -r line; do
    case $line in '' | '#'*) continue ;; esac
    if ! [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
        echo "gateway.env: systemd would ignore this assignment (name not letters, digits, _): $line"
        failed=1
    fi
done <"$DIR/gateway.env"

if ! command -v systemd-analyze >/dev/null; then
    echo "systemd-analyze not found: the systemd unit check is skipped"
    exit "$failed"
fi

dotnet=/usr/bin/dotnet
[ -x "$dotnet" ] || dotnet=$(command -v dotnet || echo /bin/true)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# check NAME TARGET FILE...: the files, concatenated, verified as the unit TARGET.
check() {
    local name=$1 target=$work/$2 output
    shift 2
    cat "$@" | sed "s|^ExecStart=/usr/bin/dotnet |ExecStart=$dotnet |" >"$target"
    if output=$(systemd-analyze verify "$target" 2>&1) && [ -z "$output" ]; then
        echo "ok - $name (systemd-analyze verify $(basename "$target"))"
    else
        echo "not ok - $name: systemd-analyze verify $(basename "$target"):"
        sed "s|$work/||g; s|^|    |" <<<"$output"
        failed=1
    fi
    rm -f "$target"
}
for unit in "$DIR"/*.service; do
    name=$(basename "$unit")
    target=$name
    [[ $name == *@.service ]] && target=${name%@.service}@5001.service
    check "$name" "$target" "$unit"
done
for dropin in "$DIR"/*.conf; do
    check "sms-gateway@.service with $(basename "$dropin")" sms-gateway@5001.service "$DIR/sms-gateway@.service" "$dropin"
done
exit "$failed"
