#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throwaway PostgreSQL server (Debian's packaged binaries, newest version installed),
# runs CMD with DATABASE_URL (and the libpq PG* variables) pointing at it, then stops the server
# and deletes its files, whatever happens to CMD. Exits with CMD's exit code.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:<port>/pmo_test
#
# The role `postgres` is a superuser (trust authentication, loopback only), so Django's test
# runner can create and drop its `test_pmo_test` database. The server is tuned for tests only:
# no fsync, no synchronous commit, no full-page writes. Never point it at data you want to keep.
# No autovacuum either: tests roll their rows back, and an ANALYZE that catches a table nearly
# empty tells the planner it stays that way; a test that then writes a whole demo portfolio in
# one transaction got nested loops over thousands of rows and ran for hours. Never analysed,
# a table is estimated from its size on disk, which counts the rows being written.
set -euo pipefail

log() { echo "with-postgres: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$#" -gt 0 ] || die "usage: $0 CMD [ARGS...]"

# Debian's versioned bin folder, highest version first; not on PATH.
find_pg_bin() {
  local d
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then printf '%s' "$d"; return; fi
  done
}

PG_BIN="$(find_pg_bin)"
if [ -z "$PG_BIN" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin; install them as root: apt-get update && apt-get install -y postgresql"
  fi
  log "PostgreSQL server not installed; installing Debian's postgresql package..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || die "installed postgresql but found no /usr/lib/postgresql/*/bin"
fi

# The server refuses to run as root: as root, run it as the `postgres` system user.
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
  id -u "$PG_USER" >/dev/null 2>&1 || die "running as root but there is no '$PG_USER' system user"
  as_pg() { runuser -u "$PG_USER" -- "$@"; }
  # A folder under root's home is unreadable for that user: use /tmp.
  TMP_PARENT=/tmp
else
  PG_USER="$(id -un)"
  as_pg() { "$@"; }
  TMP_PARENT="${TMPDIR:-/tmp}"
fi

PG_TMP="$(mktemp -d "$TMP_PARENT/pmo-pg.XXXXXX")"
PG_DATA="$PG_TMP/data"
PG_SOCK="$PG_TMP/sock"
PG_LOG="$PG_TMP/server.log"
PG_STARTED=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ "$PG_STARTED" -eq 1 ]; then
    (cd "$PG_TMP" && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop) >/dev/null 2>&1 || true
  fi
  rm -rf -- "$PG_TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$PG_SOCK"
chmod 700 "$PG_TMP"
if [ "$(id -u)" -eq 0 ]; then chown -R "$PG_USER": "$PG_TMP"; fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

# Run the server tools from inside the temp folder: the caller's folder may be unreadable for
# the server's user.
ORIG_PWD="$PWD"
cd "$PG_TMP"
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
  --no-sync >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }

PG_STARTED=1
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$PG_SOCK" \
  -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off" \
  start >/dev/null; then
  cat "$PG_LOG" >&2 || true
  die "PostgreSQL failed to start"
fi

ready=0
for _ in $(seq 1 100); do
  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" -eq 1 ] || { cat "$PG_LOG" >&2 || true; die "PostgreSQL did not become ready on 127.0.0.1:$PORT"; }

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres -O postgres pmo_test
cd "$ORIG_PWD"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/pmo_test"
export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres PGDATABASE=pmo_test
log "PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') (throwaway) on 127.0.0.1:$PORT, DATABASE_URL=$DATABASE_URL"

# Run CMD as a child and wait for it, so that a TERM or HUP sent to this script (by `timeout`, say)
# reaches CMD at once instead of waiting for it to finish; the EXIT trap then removes the server.
# Ctrl-C is not forwarded: the terminal sends SIGINT to CMD itself (same process group), and a
# second one would cut its own clean-up short. We just wait for CMD to end, then clean up.
# The subshell restores SIGINT (ignored by default in background jobs) and keeps our stdin.
CHILD=""
forward() { if [ -n "$CHILD" ]; then kill "-$1" "$CHILD" 2>/dev/null || true; fi; }
trap ':' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP
set +e
(
  trap - INT QUIT TERM HUP
  exec "$@"
) <&0 &
CHILD=$!
while :; do
  wait "$CHILD"
  rc=$?
  # wait returns early (status > 128) when a trapped signal arrives; go on until CMD has ended.
  if [ "$rc" -gt 128 ] && kill -0 "$CHILD" 2>/dev/null; then continue; fi
  break
done
set -e
exit "$rc"
