#!/usr/bin/env bash
# The load benchmark in one command: PgKit (the reference app), raw Npgsql, Dapper and EF Core serving the same API
# under HTTP load on one embedded PostgreSQL, next to pgbench. Writes bench/results/latest.md, ratios.svg and
# latest.json (about 14 minutes on 2 cores); `--quick` is a three-minute smoke run written to bench/results/quick/.
# Any other option goes to the benchmark (`scripts/bench-load.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/requirements.sh

ensure_dotnet
ensure_postgres

# wrk costs the load far less CPU than the built-in HttpClient client, and the client shares the cores with the app
# and the database; without it (no root, no Debian) the benchmark says so and uses the built-in one.
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing Debian's wrk package..." >&2
  pgkit_apt_install wrk || echo "wrk could not be installed: the built-in HttpClient load client will be used." >&2
fi

exec dotnet run -c Release --project bench/PgKit.LoadBenchmarks -- "$@"
