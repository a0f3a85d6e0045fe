#!/usr/bin/env bash
# Runs every test of the solution against private PostgreSQL servers that PgKit.Embedded starts (no Docker,
# no installed service). Installs what a fresh Debian machine lacks when run as root, or says what is missing.
# Ends with one line: "tests: N passed, N failed" (", N skipped" when any); exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/requirements.sh

ensure_dotnet || exit 1
ensure_postgres || exit 1
ensure_pgbouncer
ensure_chromium || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test PgKit.slnx "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The new-user path (tests/PgKit.Templates.Tests) packs the solution and restores a new app from those packages. It
# runs after the rest, alone: packing while other projects still build would restore under their feet. It runs in CI
# (CI=true) or with PGKIT_NEW_USER_TEST=1, and is reported as skipped otherwise.
dotnet test tests/PgKit.Templates.Tests "$@" 2>&1 | tee -a "$log"
new_user_status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && status=$new_user_status

# Each test assembly ends with "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T, ..." (or "Failed!", or "Skipped!" when all were skipped).
count() { grep -E '^(Passed|Failed|Skipped)! ' "$log" | grep -Eo "$1: +[0-9]+" | awk '{ s += $2 } END { print s + 0 }'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "The test run failed outside any single test (a build error or a crashed test host; see above)."
  failed=1
fi
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "No test ran."
  status=1
fi

line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
