#!/usr/bin/env bash
# The whole scale-out topology in one command (not part of CI; see README.md):
#   primary + synchronous standby (PgKit.Embedded) -> one PgBouncer each (transaction mode)
#   -> 3 reference-app instances (Production) -> haproxy -> load driver
# with a rolling deploy (a migration that adds a column) and a failover (kill, promote, repoint) during the load.
# Everything it starts is stopped on exit, Ctrl+C and SIGTERM.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port=${SCALE_OUT_PORT:-18080}          # haproxy; app instances on port+1..port+3; haproxy's admin socket on port+9
workers=${SCALE_OUT_WORKERS:-8}        # concurrent load workers
detect=${SCALE_OUT_DETECT_SECONDS:-2}  # between the primary's death and the promotion (what a failure detector takes)
admin=$((port + 9))

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
now_ms() { date +%s%3N; }
# A sleep the traps interrupt at once: bash runs a trap only after a foreground command ends, and a SIGINT sent to the
# script alone (not its process group) while a foreground child runs is taken as handled by that child.
pause() { sleep "$1" & pause_pid=$!; wait "$pause_pid"; }

# --- prerequisites -------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || { echo "dotnet SDK not found" >&2; exit 1; }
[[ -x /usr/sbin/pgbouncer || -x /usr/bin/pgbouncer ]] || { echo "pgbouncer not installed: apt-get install -y pgbouncer" >&2; exit 1; }
if ! command -v haproxy >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing haproxy (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy >/dev/null
  else
    echo "haproxy not installed: sudo apt-get install -y haproxy" >&2; exit 1
  fi
fi
for p in "$port" $((port + 1)) $((port + 2)) $((port + 3)) "$admin"; do
  if (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use; set SCALE_OUT_PORT" >&2; exit 1; fi
done

state="$(mktemp -d /tmp/pgkit-scale-out.XXXXXX)"
events="$state/events"
: >"$events"
declare -A app_pid=()
topology_pid="" haproxy_pid="" driver_pid="" pause_pid=""

# --- clean-up: on every exit, in reverse order of start ------------------------------------------------------
stop_pid() { # pid, seconds to wait after SIGTERM before SIGKILL
  local pid=$1 limit=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((limit * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  say "stopping everything"
  [[ -n $pause_pid ]] && kill "$pause_pid" 2>/dev/null
  stop_pid "$driver_pid" 5
  local stoppers=()
  for i in "${!app_pid[@]}"; do stop_pid "${app_pid[$i]}" 15 & stoppers+=($!); done
  ((${#stoppers[@]} == 0)) || wait "${stoppers[@]}" 2>/dev/null
  stop_pid "$haproxy_pid" 5
  if [[ -n $topology_pid ]] && kill -0 "$topology_pid" 2>/dev/null; then
    { echo quit >&3; } 2>/dev/null; exec 3>&- 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$topology_pid" 2>/dev/null || break; sleep 0.1; done
    stop_pid "$topology_pid" 10   # SIGTERM: the topology stops its servers and PgBouncers on the way out
  fi
  # Nothing of ours may survive: the servers and PgBouncers live in the folders the topology printed.
  local left=""
  for pid in "$driver_pid" "$haproxy_pid" "$topology_pid" "${app_pid[@]}"; do
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && left+=" $pid"
  done
  if [[ -f $state/topology.out ]]; then
    while read -r folder; do
      for pid in $(pgrep -f -- "$folder" || true); do left+=" $pid"; done
    done < <(sed -n 's/^# pg[0-9]*:.*folder \(.*\)$/\1/p' "$state/topology.out" | sort -u)
  fi
  if [[ -n $left ]]; then say "LEFT RUNNING:$left"; status=1; else say "nothing left running (postgres, pgbouncer, haproxy, app instances, driver)"; fi
  rm -f "$state/topology.env" "$state/topology.in"
  rm -rf "$state/keys"
  say "logs kept in $state"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ---------------------------------------------------------------------------------------------------
say "building the reference app, the topology and the load driver (Release)"
for project in samples/ReferenceApp samples/scale-out/Topology samples/scale-out/LoadDriver; do
  dotnet build "$repo/$project" -c Release -v q -nologo >"$state/build.log" 2>&1 || { cat "$state/build.log"; exit 1; }
done
app_dir="$repo/samples/ReferenceApp/bin/Release/net10.0"

# --- database side -------------------------------------------------------------------------------------------
mkfifo "$state/topology.in"
dotnet "$repo/samples/scale-out/Topology/bin/Release/net10.0/Topology.dll" "$state" <"$state/topology.in" >"$state/topology.out" 2>&1 &
topology_pid=$!
exec 3>"$state/topology.in"

topo() { # command -> prints the unix ms of its "OK" answer
  local cmd=$1 before count line
  before=$(grep -cE "^(OK|ERR) $cmd( |$)" "$state/topology.out" || true)
  echo "$cmd" >&3
  for _ in $(seq 1 1200); do
    count=$(grep -cE "^(OK|ERR) $cmd( |$)" "$state/topology.out" || true)
    if ((count > before)); then
      line=$(grep -E "^(OK|ERR) $cmd( |$)" "$state/topology.out" | tail -1)
      [[ $line == OK* ]] || { echo "topology: $line" >&2; return 1; }
      awk '{print $3}' <<<"$line"; return 0
    fi
    kill -0 "$topology_pid" 2>/dev/null || { cat "$state/topology.out" >&2; return 1; }
    sleep 0.05
  done
  echo "topology: no answer to $cmd" >&2; return 1
}

say "starting a primary, a synchronous standby and one pgbouncer (transaction mode) per member"
for _ in $(seq 1 1200); do
  grep -q '^READY' "$state/topology.out" && break
  kill -0 "$topology_pid" 2>/dev/null || { cat "$state/topology.out" >&2; exit 1; }
  sleep 0.1
done
grep -q '^READY' "$state/topology.out" || { echo "topology did not start" >&2; exit 1; }
grep '^#' "$state/topology.out" | sed 's/^# /    /'
# shellcheck disable=SC1091
source "$state/topology.env"   # PG_APP (through the PgBouncers), PG_DIRECT (direct, primary only)
printf '    app connection string:       %s\n    migrations and verification: %s\n' \
  "$(sed 's/Password=[^;]*/Password=***/' <<<"$PG_APP")" "$(sed 's/Password=[^;]*/Password=***/' <<<"$PG_DIRECT")"
export PG_DIRECT

# --- app instances -------------------------------------------------------------------------------------------
wait_http() { # url seconds pid
  for _ in $(seq 1 $(($2 * 10))); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
start_app() { # index version
  local i=$1 version=$2 extra=""
  [[ $version == 2 ]] && extra="$here/migrations-v2"
  (cd "$app_dir" && exec env ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__Postgres="$PG_APP" \
    ConnectionStrings__PostgresMigrations="$PG_DIRECT" \
    Postgres__TransactionPooling=true \
    ReferenceApp__ExtraMigrations="$extra" \
    ReferenceApp__DataProtectionKeys="$state/keys" \
    Logging__LogLevel__Default=Warning \
    dotnet ReferenceApp.dll --urls "http://127.0.0.1:$((port + i))") >>"$state/app$i.log" 2>&1 &
  app_pid[$i]=$!
  wait_http "http://127.0.0.1:$((port + i))/healthz" 90 "${app_pid[$i]}" || { echo "app$i did not start:" >&2; tail -20 "$state/app$i.log" >&2; return 1; }
}
say "starting 3 reference-app instances (v1) on ports $((port + 1))-$((port + 3)), through pgbouncer (TransactionPooling)"
start_app 1 1   # first alone: it runs the migrations (direct connection, advisory lock)
start_app 2 1 & s2=$!
start_app 3 1 & s3=$!
wait $s2; wait $s3
# The subshells above set app_pid in their own copy: find the instances by port.
for i in 2 3; do app_pid[$i]=$(pgrep -f -- "--urls http://127.0.0.1:$((port + i))$" | head -1); done

# --- haproxy -------------------------------------------------------------------------------------------------
say "starting haproxy on 127.0.0.1:$port (health check GET /livez every 500 ms; admin socket 127.0.0.1:$admin)"
user_lines=""
if [[ $(id -u) -eq 0 ]] && id haproxy >/dev/null 2>&1; then user_lines=$'    user haproxy\n    group haproxy'; fi
cat >"$state/haproxy.cfg" <<CFG
global
    stats socket ipv4@127.0.0.1:$admin level admin
    maxconn 2000
$user_lines

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A connection refused (an instance going away) is retried on another instance; a request once sent never is.
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend api
    bind 127.0.0.1:$port
    default_backend apps

backend apps
    balance roundrobin
    # /livez: the process answers. Not /healthz, which probes the primary: during a failover it would take every
    # instance out, and with them the standby reads that still work.
    option httpchk GET /livez
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
    server app1 127.0.0.1:$((port + 1)) check
    server app2 127.0.0.1:$((port + 2)) check
    server app3 127.0.0.1:$((port + 3)) check
CFG
haproxy -f "$state/haproxy.cfg" -db >"$state/haproxy.log" 2>&1 &
haproxy_pid=$!

haproxy_cmd() { # runtime API command -> its answer
  exec 4<>"/dev/tcp/127.0.0.1/$admin"
  printf '%s\n' "$1" >&4
  timeout 2 cat <&4 || true
  exec 4>&-
}
server_field() { # server, CSV column of "show stat" (5 = current sessions, 18 = status)
  haproxy_cmd "show stat" | awk -F, -v s="$1" -v c="$2" '$1 == "apps" && $2 == s { print $c }'
}
wait_status() { # server status seconds
  for _ in $(seq 1 $(($3 * 10))); do [[ $(server_field "$1" 18) == "$2" ]] && return 0; sleep 0.1; done
  return 1
}
for _ in $(seq 1 100); do (exec 9<>"/dev/tcp/127.0.0.1/$admin") 2>/dev/null && break; sleep 0.1; done
for i in 1 2 3; do wait_status "app$i" UP 20 || { echo "haproxy does not see app$i up" >&2; exit 1; }; done

# --- load ----------------------------------------------------------------------------------------------------
say "load: $workers workers through haproxy (30 % writes, 35 % reads of the worker's own last write, 35 % older reads)"
dotnet "$repo/samples/scale-out/LoadDriver/bin/Release/net10.0/LoadDriver.dll" --url "http://127.0.0.1:$port/" --events "$events" --workers "$workers" >"$state/driver.out" 2>&1 &
driver_pid=$!
echo "load-start $(now_ms)" >>"$events"
pause 8

# --- rolling deploy: one instance at a time, drained by haproxy first -----------------------------------------
say "rolling deploy to v2 (migration 9001 adds item.note), one instance at a time"
echo "deploy-start $(now_ms)" >>"$events"
for i in 1 2 3; do
  haproxy_cmd "set server apps/app$i state drain" >/dev/null
  for _ in $(seq 1 100); do [[ $(server_field "app$i" 5) == 0 ]] && break; sleep 0.1; done
  stop_pid "${app_pid[$i]}" 20   # SIGTERM: ASP.NET Core's graceful shutdown, PgKit drains its pool
  start_app "$i" 2
  haproxy_cmd "set server apps/app$i state ready" >/dev/null
  wait_status "app$i" UP 20 || { echo "app$i (v2) not up in haproxy" >&2; exit 1; }
  say "    app$i: drained, stopped, restarted on v2, back in haproxy"
done
echo "deploy-end $(now_ms)" >>"$events"
pause 5

# --- failover ------------------------------------------------------------------------------------------------
say "failover: kill the primary (immediate shutdown), promote the standby after ${detect}s, repoint its pgbouncer (RELOAD)"
echo "kill $(topo kill-primary)" >>"$events"
pause "$detect"
echo "promoted $(topo promote)" >>"$events"
echo "repointed $(topo repoint)" >>"$events"
grep '^# pgbouncer :' "$state/topology.out" | sed 's/^# /    /'
pause 15
echo "stop $(now_ms)" >>"$events"
wait "$driver_pid" || { cat "$state/driver.out"; exit 1; }
driver_pid=""
cat "$state/driver.out"
