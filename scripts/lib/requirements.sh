# Shared checks for the scripts: each one finds what PgKit needs, installs it when it can (root on Debian),
# and otherwise stops with a message naming the missing piece and how to get it.

pgkit_apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${PGKIT_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null || return 1
    PGKIT_APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pgkit_find_pg_bin() {
  local candidate
  for candidate in "${PGKIT_PG_BIN:-}" "$(pg_config --bindir 2>/dev/null)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
                   "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/postgres" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET 10 SDK is missing (no 'dotnet' on PATH). Install it: https://dotnet.microsoft.com/download/dotnet/10.0" >&2
    return 1
  fi
}

ensure_postgres() {
  if pgkit_find_pg_bin >/dev/null; then
    return 0
  fi
  echo "PostgreSQL server binaries not found; installing Debian's postgresql package..." >&2
  if pgkit_apt_install postgresql && pgkit_find_pg_bin >/dev/null; then
    return 0
  fi
  echo "error: PostgreSQL server binaries (initdb, pg_ctl, postgres) are missing. Install them:" >&2
  echo "  Debian/Ubuntu: sudo apt-get install postgresql    macOS: brew install postgresql" >&2
  echo "or set PGKIT_PG_BIN to the folder that holds initdb and pg_ctl." >&2
  return 1
}

# PgBouncer (Debian's 1.18) for the transaction-mode pool tests; they are skipped where it is missing, so a machine
# where it cannot be installed still runs everything else.
ensure_pgbouncer() {
  if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
    return 0
  fi
  echo "PgBouncer not found (the transaction-pool tests need it); installing Debian's pgbouncer package..." >&2
  if pgkit_apt_install pgbouncer && { command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; }; then
    # The package starts a system service where systemd runs; the tests start their own.
    return 0
  fi
  echo "warning: PgBouncer is missing; its tests are skipped (Debian/Ubuntu: sudo apt-get install pgbouncer)." >&2
  return 0
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 || [ -n "${PGKIT_CHROMIUM:-}" ]; then
    return 0
  fi
  echo "Chromium not found (the browser tests need it); installing Debian's chromium package..." >&2
  if pgkit_apt_install chromium && command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  echo "error: Chromium is missing for the browser tests. Install it (Debian/Ubuntu: sudo apt-get install chromium)," >&2
  echo "or set PGKIT_CHROMIUM to a Chromium executable." >&2
  return 1
}
