#!/usr/bin/env bash
# Runs the whole test suite, every test project in Gateway.sln: the unit layer (Gateway.Middleware.Tests: the library
# with no host or on a minimal one of its own, no Redis) and the functional layer (Gateway.Tests: the Gateway host
# against a real redis-server started by the tests on free loopback ports, and a real HTTP provider); docs/testing.md.
# Installs redis-server from Debian's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-packages.sh redis-server
dotnet build Gateway.sln -c Release -warnaserror -nologo -v quiet
# A hang fails the run instead of stalling it: a test still running after 10 minutes (xunit names every test running
# for over a minute) fails the run, naming it (no dump); the suite itself is bounded at 45 minutes.
timeout --kill-after=30s 45m dotnet test Gateway.sln -c Release --no-build -nologo --blame-hang-timeout 10m --blame-hang-dump-type none "$@"
