#!/usr/bin/env bash
# Benchmark the PostgreSQL remote of `rep sync` at 100,000 records on the server, and the same
# team through git, for docs/sync.md ("Figures"). Not a test and not run by CI.
#
#   bench/pg.sh                       # everything: N=100000, RUNS=5
#   PARTS=git bench/pg.sh             # only the git side (PARTS: any of pg team git)
#   N=10000 RUNS=3 MEMBERS=20 GIT_TEAMS="8 20" bench/pg.sh
#
# PostgreSQL side, on a throwaway server of its own (initdb into a temp folder, 127.0.0.1, a
# free port, fsync on; as the `postgres` account when run as root):
#   - a sync with nothing to do, the server holding N records               (target ≤ 50 ms)
#   - the first sync of a new member pulling the N entries, next to `rep import` of the same
#     exchange file into an empty repertoire, alternated run by run         (target ≤ 1.5×)
#   - a sync sending 10 changes and receiving 10 another member sent        (target ≤ 100 ms)
#   - MEMBERS (100) members, each with 10 changes (8 new entries, 2 edits of 20 entries all
#     of them edit), all syncing at the same instant                        (target ≤ 10 s, 0 failed)
# Git side: the same team work (10 changes each, all at once) through one bare git remote at
# each size of GIT_TEAMS (8 20 50), the remote holding GIT_N records: successes, retries (the
# attempts past the first, from `rep sync --json`), and the time until the last one is done.
#
# Members of the team figures are made by copying one member that has synced (its database,
# and for git its clone) and giving each copy a replica id of its own: the same state as after
# a first sync of its own, without a hundred first syncs of 100,000 records. That needs
# MEMBERS x the database's size of free disk (about 26 GB at 100,000 records).
# Times are medians of RUNS runs, in seconds; the team figures give each run's time and the
# median.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
n=${N:-100000}
runs=${RUNS:-5}
members=${MEMBERS:-100}
git_teams=${GIT_TEAMS:-8 20 50}
git_n=${GIT_N:-$n}
parts=${PARTS:-pg team git}
make_entries=${MAKE_ENTRIES:-$repo/bench/make_entries.py}
pages_args=()
[ -z "${BENCH_PAGES:-}" ] || pages_args=(--pages "$BENCH_PAGES")
for tool in hyperfine sqlite3 jq python3 git; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (apt-get install -y $tool)" >&2; exit 3; }
done
pgbin=
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
  [ -x "$dir/initdb" ] && { pgbin=$dir; break; }
done
[ -n "$pgbin" ] || { echo "bench: PostgreSQL is missing (apt-get install -y postgresql)" >&2; exit 3; }
cargo build --release --locked --quiet
rep=$repo/target/release/rep
work=$(mktemp -d "${BENCH_TMP:-/tmp}/rep-bench-pg.XXXXXX")
as_server=()
if [ "$(id -u)" = 0 ]; then
  as_server=(runuser -u postgres --)
  chown postgres: "$work"
fi
cleanup() {
  if [ -f "$work/pg/postmaster.pid" ]; then
    "${as_server[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export REP_CONFIG=$work/config.toml NO_COLOR=1 REP_USER=bench

# --- helpers ---------------------------------------------------------------------------------
seconds() { date +%s.%N; }
# The median of the numbers on stdin, rounded to milliseconds.
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'; }
h() { hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$work/h.json" "$@" >/dev/null
      jq -r '.results[0].median | . * 1000 | round / 1000' "$work/h.json"; }
# `rep` as member DB (a path), quietly.
as() { local db=$1; shift; REP_DB=$db REP_USER=$(basename "$db" .db) "$rep" -q "$@"; }
# A copy of member SRC (database, and its git clone if any) as a new member DST with a replica
# id of its own.
copy_member() {
  local src=$1 dst=$2
  cp "$src" "$dst"
  [ ! -d "$src.sync" ] || cp -r "$src.sync" "$dst.sync"
  sqlite3 "$dst" "UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'replica_id'"
}
# Ten changes by member DB: eight new entries and two edits among the first 20 entries.
changes() {
  local db=$1 round=$2 who
  who=$(basename "$db" .db)
  for i in 1 2 3 4 5 6 7 8; do as "$db" add tool "$who round $round change $i" -t bench >/dev/null; done
  for i in 1 2; do
    as "$db" edit "${shared[$(( (RANDOM + i) % ${#shared[@]} ))]}" -t "$who-$round" >/dev/null
  done
}
# All of the members in $work/$1/*.db sync at the same instant, RUNS times, each after ten
# changes; prints one line per run: "seconds ok failed retries". Then one more round, one after
# the other, and checks that every member ends byte-identical.
team_runs() {
  local dir=$1 label=$2
  local dbs=("$dir"/*.db)
  for run in $(seq "$runs"); do
    for db in "${dbs[@]}"; do changes "$db" "$run"; done
    local started pids=()
    started=$(seconds)
    for db in "${dbs[@]}"; do
      ( set +e; as "$db" --json sync > "$db.out" 2> "$db.err"; echo $? > "$db.rc" ) &
      pids+=($!)
    done
    wait "${pids[@]}"
    local took ok=0 failed=0 retries=0
    took=$(echo "$(seconds) - $started" | bc)
    for db in "${dbs[@]}"; do
      if [ "$(cat "$db.rc")" = 0 ]; then
        ok=$((ok + 1)); retries=$((retries + $(jq '.attempts - 1' "$db.out")))
      else
        failed=$((failed + 1)); { grep -m1 '^error' "$db.err" || tail -1 "$db.err"; } >> "$work/$label.failures"
      fi
    done
    echo "$took $ok $failed $retries"
  done > "$work/$label.runs"
  for db in "${dbs[@]}"; do as "$db" sync >/dev/null 2>&1 || as "$db" sync >/dev/null; done
  for db in "${dbs[@]}"; do as "$db" sync >/dev/null; done
  local first
  first=$(as "${dbs[0]}" export - | md5sum)
  for db in "${dbs[@]}"; do
    [ "$(as "$db" export - | md5sum)" = "$first" ] || { echo "bench: $db ends unlike ${dbs[0]}" >&2; exit 1; }
  done
}
team_row() { # label shown members
  local runs_file="$work/$1.runs" label=$2 size=$3
  local ok failed retries times
  ok=$(awk '{ s += $2 } END { print s }' "$runs_file")
  failed=$(awk '{ s += $3 } END { print s }' "$runs_file")
  retries=$(awk '{ s += $4 } END { print s }' "$runs_file")
  times=$(cut -d' ' -f1 "$runs_file" | xargs printf '%.1f ' | sed 's/ $//')
  echo "| $label | $records_on | $size | $ok of $((size * runs)) | $failed | $retries | $(cut -d' ' -f1 "$runs_file" | median) | $times |"
}

# --- data ------------------------------------------------------------------------------------
echo "== generating $n entries (with replies, occurrences, endorsements)" >&2
python3 "$make_entries" "${pages_args[@]}" -n "$n" --community --members 1000 -o "$work/entries.jsonl"
python3 "$repo/bench/make_export.py" "$work/entries.jsonl" -o "$work/in.jsonl" --practice
mapfile -t shared < <(grep -m 20 -o '^{"type":"entry","id":"[^"]*"' "$work/in.jsonl" | cut -d'"' -f8)
records=$(($(wc -l < "$work/in.jsonl") - 1))

results=$work/results.md
: > "$results"

# --- PostgreSQL ------------------------------------------------------------------------------
if [[ " $parts " == *" pg "* || " $parts " == *" team "* ]]; then
  echo "== a throwaway PostgreSQL server" >&2
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'bench-superuser\n' > "$work/pw"
  [ "${#as_server[@]}" = 0 ] || chown postgres: "$work/pw"
  "${as_server[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres --pwfile="$work/pw" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
  "${as_server[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/server.log" -w -o \
    "-p $port -c listen_addresses=127.0.0.1 -k $work -c max_connections=$((members + 50))" start >/dev/null
  psql() { "$pgbin/psql" -X -q -h "$work" -p "$port" -U postgres "$@"; }
  psql -d postgres -c "CREATE ROLE team LOGIN PASSWORD 'team'" -c "CREATE DATABASE team OWNER team"
  psql -d team -c "ALTER SCHEMA public OWNER TO team"
  export PGPASSWORD=team
  url="postgres://team@127.0.0.1:$port/team?sslmode=disable"
  mkdir -p "$work/m"
  seed=$work/m/seed.db
  echo "== the first member imports $n entries and sends them to the server" >&2
  as "$seed" import "$work/in.jsonl"
  as "$seed" remote set "$url"
  as "$seed" remote init >/dev/null
  started=$(seconds)
  as "$seed" sync
  first_push=$(echo "$(seconds) - $started" | bc)
  server_size=$(psql -d team -At -c "SELECT pg_size_pretty(pg_database_size('team'))")
  # A member that has synced once, for the figures below and as the model of the team's copies.
  reader=$work/m/reader.db
  as "$reader" remote set "$url"
  as "$reader" sync
fi

if [[ " $parts " == *" pg "* ]]; then
  echo "== a sync with nothing to do" >&2
  noop=$(REP_DB=$seed h "$rep -q sync")
  echo "== first sync of a new member vs rep import, alternated" >&2
  : > "$work/first.txt"; : > "$work/import.txt"
  for run in $(seq "$runs"); do
    rm -f "$work/new.db"*; as "$work/new.db" remote set "$url"
    started=$(seconds); as "$work/new.db" sync; echo "$(seconds) - $started" | bc >> "$work/first.txt"
    rm -f "$work/imp.db"*
    started=$(seconds); as "$work/imp.db" import "$work/in.jsonl"; echo "$(seconds) - $started" | bc >> "$work/import.txt"
  done
  first=$(median < "$work/first.txt")
  import=$(median < "$work/import.txt")
  ratio=$(echo "scale=2; $first / $import" | bc)
  cmp -s <(as "$work/new.db" export -) <(as "$work/imp.db" export -) && same=yes || same=no
  echo "== a sync sending 10 changes and receiving 10" >&2
  : > "$work/ten.txt"
  for run in $(seq "$runs"); do
    changes "$reader" "ten$run"; as "$reader" sync
    changes "$seed" "ten$run"
    started=$(seconds); REP_DB=$seed "$rep" --json sync > "$work/ten.json"; echo "$(seconds) - $started" | bc >> "$work/ten.txt"
  done
  ten=$(median < "$work/ten.txt")
  ten_counts=$(jq -r '"\(.sent) sent, \(.received) received"' "$work/ten.json")
  {
    echo "| operation | seconds | target |"
    echo "|---|---:|---:|"
    echo "| first member: \`rep sync\` sending all $records records (once) | $first_push | |"
    echo "| \`rep sync\` with nothing to do | $noop | ≤ 0.050 |"
    echo "| first \`rep sync\` of a new member, pulling $n entries | $first | |"
    echo "| \`rep import\` of the same exchange file into an empty repertoire | $import | |"
    echo "| ratio first sync / import | ${ratio}× | ≤ 1.5× |"
    echo "| \`rep sync\` sending 10 changes and receiving 10 (last run: $ten_counts) | $ten | ≤ 0.100 |"
    echo
    echo "The new member's export equals the import's, byte for byte: $same. Server database: $server_size."
    echo
  } >> "$results"
fi

if [[ " $parts " == *" team "* ]]; then
  need=$(( $(stat -c %s "$reader") * members / 1024 / 1024 ))
  free=$(df -m --output=avail "$work" | tail -1)
  if [ "$free" -lt $((need + need / 5)) ]; then
    echo "bench: $members copies of a ${n}-record member need ${need} MB, only ${free} MB free (lower MEMBERS or N)" >&2
    exit 3
  fi
  echo "== $members members through PostgreSQL at once (copying $members members: ${need} MB)" >&2
  as "$reader" sync
  sqlite3 "$reader" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  mkdir -p "$work/pgteam"
  records_on=$records
  for i in $(seq -w 1 "$members"); do copy_member "$reader" "$work/pgteam/p$i.db"; done
  team_runs "$work/pgteam" postgres
  {
    echo "| remote | records on it | members at once | syncs through | failed | retries | median seconds until all done | each run |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    team_row postgres postgres "$members"
  } >> "$results"
  rm -rf "$work/pgteam"
fi

# --- git -------------------------------------------------------------------------------------
if [[ " $parts " == *" git "* ]]; then
  echo "== the same team through git, the remote holding $git_n records" >&2
  git init -q --bare -b main "$work/remote.git"
  gseed=$work/g/seed.db
  mkdir -p "$work/g"
  if [ "$git_n" = "$n" ]; then
    cp "$work/in.jsonl" "$work/git-in.jsonl"
  else
    python3 "$make_entries" "${pages_args[@]}" -n "$git_n" --community --members 1000 -o "$work/git-entries.jsonl"
    python3 "$repo/bench/make_export.py" "$work/git-entries.jsonl" -o "$work/git-in.jsonl" --practice
    mapfile -t shared < <(grep -m 20 -o '^{"type":"entry","id":"[^"]*"' "$work/git-in.jsonl" | cut -d'"' -f8)
  fi
  records_on=$(($(wc -l < "$work/git-in.jsonl") - 1))
  as "$gseed" import "$work/git-in.jsonl"
  as "$gseed" remote set "$work/remote.git"
  as "$gseed" sync
  greader=$work/g/reader.db
  as "$greader" remote set "$work/remote.git"
  as "$greader" sync
  echo "== one member alone through git: a sync sending 10 changes and receiving 10" >&2
  : > "$work/git-ten.txt"
  for run in $(seq "$runs"); do
    changes "$greader" "ten$run"; as "$greader" sync
    changes "$gseed" "ten$run"
    started=$(seconds); as "$gseed" sync; echo "$(seconds) - $started" | bc >> "$work/git-ten.txt"
  done
  as "$greader" sync
  git_ten=$(median < "$work/git-ten.txt")
  sqlite3 "$greader" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  [ -s "$results" ] && grep -q '^| remote |' "$results" || {
    echo "| remote | records on it | members at once | syncs through | failed | retries | median seconds until all done | each run |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
  } >> "$results"
  for size in $git_teams; do
    echo "== $size members through git at once" >&2
    rm -rf "$work/gteam"; mkdir -p "$work/gteam"
    for i in $(seq -w 1 "$size"); do copy_member "$greader" "$work/gteam/g$i.db"; done
    team_runs "$work/gteam" "git-$size"
    team_row "git-$size" "git" "$size" >> "$results"
  done
fi

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$rep" --version), PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}')."
echo "$records records ($n entries, $(grep -c '"type":"reply"' "$work/in.jsonl") replies), exchange file $(du -h "$work/in.jsonl" | cut -f1); medians of $runs runs."
echo
cat "$results"
[ -z "${git_ten:-}" ] || { echo; echo "Through git, one member alone, the remote holding $records_on records: a sync sending 10 changes and receiving 10 takes $git_ten s (median)."; }
for f in "$work"/*.failures; do
  [ -e "$f" ] || continue
  echo
  echo "$(basename "$f" .failures) failures, by message:"
  sed -E 's/[0-9]+/N/g' "$f" | sort | uniq -c | sort -rn | head -3
done
