# Sourced by bench/redis-capacity.sh and bench/redis-instructions.sh: a scratch directory removed on exit with the
# redis-server started into REDIS_PID, and the issue script as RedisScripts composes it (the shared codes, then the
# script), or SCRIPT= when set, for an A/B.
# shellcheck shell=bash

redis_scratch() { # redis_scratch NAME: sets RUN_DIR and the exit trap
    RUN_DIR=$(mktemp -d "/tmp/$1.XXXXXX")
    REDIS_PID=""
    trap redis_scratch_finish EXIT
}

redis_scratch_finish() {
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    rm -rf "$RUN_DIR"
}

issue_script() { # issue_script FILE: writes the issue script to FILE
    local lua="$ROOT/Gateway.Middleware/Store/Redis/Lua"
    if [ -n "${SCRIPT:-}" ]; then cp "$SCRIPT" "$1"; else cat "$lua/codes.lua" <(echo) "$lua/issue.lua" >"$1"; fi
}
