#!/usr/bin/env bash
# Two members of a team sharing one repertoire through a PostgreSQL server instead of git.
#
#   examples/postgres-team.sh
#
# Starts a throwaway PostgreSQL server of its own (initdb into a temp folder, listening on
# 127.0.0.1 at a free port; as the `postgres` account when run as root, since PostgreSQL refuses
# to run as root), creates a database and a role with a password, then: ana sets the remote,
# creates rep's tables (`rep remote init`) and syncs her entries; bob syncs and gets them; both
# edit and sync again and end byte-identical. The server and every file go when the script ends,
# however it ends. Needs PostgreSQL's server binaries (Debian: apt-get install postgresql) and
# `rep` on PATH. Exits non-zero if the two members do not end with the same repertoire.
set -euo pipefail

if ! command -v rep >/dev/null 2>&1; then
  echo "postgres-team: rep is not on PATH; run \`cargo install --locked --path .\` first" >&2
  exit 1
fi
# The server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH.
bin=
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r) \
  "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")"; do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then bin=$dir; break; fi
done
if [ -z "$bin" ]; then
  echo "postgres-team: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

work=$(mktemp -d)
# As root, the server runs as the `postgres` account, which must own its folder.
as_server=()
if [ "$(id -u)" = 0 ]; then
  as_server=(runuser -u postgres --)
  chown postgres: "$work"
fi
cleanup() {
  if [ -f "$work/data/postmaster.pid" ]; then
    "${as_server[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== a throwaway PostgreSQL server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
printf 'team-secret\n' > "$work/pw"
[ "${#as_server[@]}" = 0 ] || chown postgres: "$work/pw"
"${as_server[@]}" "$bin/initdb" -D "$work/data" -U postgres --pwfile="$work/pw" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C -N >/dev/null
"${as_server[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $work" start >/dev/null
psql() { "$bin/psql" -X -q -h "$work" -p "$port" -U postgres "$@"; }
# The team's database, owned by a role that logs in with a password.
psql -d postgres -c "CREATE ROLE team LOGIN PASSWORD 'team-secret'" -c "CREATE DATABASE team OWNER team"
psql -d team -c "ALTER SCHEMA public OWNER TO team"
url="postgres://team@127.0.0.1:$port/team?sslmode=disable"
echo "server on 127.0.0.1:$port, database team"

# Each member: a repertoire of their own. The password comes from PGPASSWORD (or ~/.pgpass),
# never from the URL, and rep stores it nowhere.
export PGPASSWORD=team-secret
member() { # name rep-args...
  local name=$1
  shift
  REP_DB="$work/$name.db" REP_CONFIG="$work/$name.toml" REP_USER=$name rep "$@"
}

echo "== ana: remote, tables, first entries, sync"
member ana -q remote set "$url"
member ana remote
member ana remote init
member ana -q add tool "Find what holds a lock" -d postgres -t locks >/dev/null \
  --cmd "SELECT * FROM pg_locks WHERE NOT granted"
shared=$(member ana -q add problem "Replication lag after a failover" -d postgres -t replication)
member ana sync

echo "== bob: the same remote; his first sync pulls ana's entries"
member bob -q remote set "$url"
member bob sync
member bob list

echo "== both work offline, then sync"
member bob -q answer "$shared" -m "Check that the new primary's wal_sender_timeout matches." >/dev/null
member bob -q add tool "Bloat per table" -d postgres -t vacuum --cmd "SELECT * FROM pgstattuple('t')" >/dev/null
member ana -q edit "$shared" -t replication,failover
member ana sync
member bob sync
member ana sync

echo "== ana's view"
member ana list
member ana show "$shared"

if ! cmp -s <(member ana export -) <(member bob export -); then
  echo "postgres-team: ana and bob do not hold the same repertoire" >&2
  exit 1
fi
echo "ana and bob hold the same repertoire, byte for byte"
