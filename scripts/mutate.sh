#!/usr/bin/env bash
# Mutation testing of the fast unit layer with Stryker.NET (a local dotnet tool, .config/dotnet-tools.json).
# Scoped in stryker-config.json: the files that the unit-test classes needing no process cover (in the unit layer,
# Gateway.Middleware.Tests), and only those classes run, so that a run takes minutes on 2 cores. A developer's tool
# before a large change; not in CI.
# Reports land in StrykerOutput/<timestamp>/reports/ (html, json). Extra arguments go to Stryker, e.g.
#   scripts/mutate.sh --since:main        only the mutants in files changed since main
# See docs/mutation-testing.md for the last score and each survivor.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore >/dev/null
dotnet build Gateway.sln -c Release -warnaserror -nologo -v quiet
# Run from the test project: Stryker finds the solution itself and then refuses a test project list.
cd Gateway.Middleware.Tests
dotnet tool run dotnet-stryker --config-file ../stryker-config.json --output ../StrykerOutput "$@"
