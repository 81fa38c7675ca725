#!/usr/bin/env bash
# Runs the whole test suite: unit tests, and the host against a real redis-server (started by the tests on free
# loopback ports) and a real HTTP provider. Installs redis-server from Debian's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-packages.sh redis-server
dotnet build Gateway.sln -c Release -warnaserror -nologo -v quiet
dotnet test Gateway.sln -c Release --no-build -nologo "$@"
