#!/usr/bin/env bash
# Benchmark the PostgreSQL remote of `rep sync` at 100,000 records on the server, and the same
# team through git, for docs/sync.md ("Figures"). Not a test and not run by CI.
#
#   bench/pg.sh                       # everything: N=100000, RUNS=9 (git: GIT_RUNS=3)
#   PARTS=git bench/pg.sh             # only the git side (PARTS: any of pg team git)
#   N=10000 RUNS=3 MEMBERS=20 GIT_TEAMS="8 20" bench/pg.sh
#   IN=/tmp/pgbench/import.jsonl TEAM_N=10000 GIT_N=10000 bench/pg.sh
#                                     # reuse a 100,000-entry exchange file; the team and git
#                                     # figures with 10,000-entry member copies
# IN: an exchange file to use instead of generating N entries (N is then its entry count).
# TEAM_N: entries of the PostgreSQL team's member copies (default N); GIT_N: the same for git.
# GIT_CHECK=yes: also check that the git team ends byte-identical (two more rounds one member
# after the other: 50 members x 2 x several seconds; the sharing tests check it anyway).
# TEAM_RUNS, GIT_RUNS: rounds of the team figures (default 3 each; a round of 100 members makes
# 1,000 changes first).
# REP: the binary measured (default: a release build of this checkout).
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
# MEMBERS x the database's size of free disk (about 26 GB at 100,000 records, 2.6 GB at 10,000):
# TEAM_N sets that size apart from N.
# Times are medians of RUNS runs, in seconds (wall), with CPU (user+sys) where it is one
# process; the team figures give each run's time and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
n=${N:-100000}
runs=${RUNS:-9}
team_rounds=${TEAM_RUNS:-3}
git_runs=${GIT_RUNS:-3}
members=${MEMBERS:-100}
git_teams=${GIT_TEAMS:-8 20 50}
in_file=${IN:-}
[ -z "$in_file" ] || n=$(grep -c '^{"type":"entry"' "$in_file")
team_n=${TEAM_N:-$n}
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
if [ -z "${REP:-}" ]; then
  cargo build --release --locked --quiet
  REP=$repo/target/release/rep
fi
rep=$(realpath "$REP")
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
# Run a command; append "wall cpu" (seconds; cpu = user+sys of it and its children) to FILE.
timed() { local file=$1; shift
  local TIMEFORMAT='%3R %3U %3S' t
  t=$( { time "$@" > "$work/timed.out"; } 2>&1 | tail -1 )
  echo "$t" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' >> "$file"; }
# An exchange file of N entries at OUT (with replies, occurrences, endorsements).
make_data() { local count=$1 out=$2
  python3 "$make_entries" "${pages_args[@]}" -n "$count" --community --members 1000 -o "$out.entries"
  python3 "$repo/bench/make_export.py" "$out.entries" -o "$out" --practice
  rm -f "$out.entries"; }
# The ids of the first 20 entries of an exchange file: the records every member edits.
shared_of() { grep -m 20 -o '^{"type":"entry","id":"[^"]*"' "$1" | cut -d'"' -f8; }
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
# All of the members in $work/$1/*.db sync at the same instant, ROUNDS times, each after ten
# changes (made four members at a time); prints one line per round: "seconds ok failed
# retries". Then, with CHECK=yes, two more rounds one member after the other, and a check that
# every member ends byte-identical.
team_runs() {
  local dir=$1 label=$2 rounds=$3 check=$4
  local dbs=("$dir"/*.db)
  for run in $(seq "$rounds"); do
    local k=0
    for db in "${dbs[@]}"; do
      changes "$db" "$run" &
      k=$((k + 1)); [ $((k % 4)) != 0 ] || wait
    done
    wait
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
  [ "$check" = yes ] || return 0
  for db in "${dbs[@]}"; do as "$db" sync >/dev/null 2>&1 || as "$db" sync >/dev/null; done
  for db in "${dbs[@]}"; do as "$db" sync >/dev/null; done
  local first
  first=$(as "${dbs[0]}" export - | md5sum)
  for db in "${dbs[@]}"; do
    [ "$(as "$db" export - | md5sum)" = "$first" ] || { echo "bench: $db ends unlike ${dbs[0]}" >&2; exit 1; }
  done
}
team_row() { # label shown members rounds
  local runs_file="$work/$1.runs" label=$2 size=$3 rounds=$4
  local ok failed retries times
  ok=$(awk '{ s += $2 } END { print s }' "$runs_file")
  failed=$(awk '{ s += $3 } END { print s }' "$runs_file")
  retries=$(awk '{ s += $4 } END { print s }' "$runs_file")
  times=$(cut -d' ' -f1 "$runs_file" | xargs printf '%.1f ' | sed 's/ $//')
  echo "| $label | $records_on | $size | $ok of $((size * rounds)) | $failed | $retries | $(cut -d' ' -f1 "$runs_file" | median) | $times |"
}

# --- data ------------------------------------------------------------------------------------
if [ -n "$in_file" ]; then
  echo "== reusing $in_file ($n entries)" >&2
  ln -s "$(realpath "$in_file")" "$work/in.jsonl"
else
  echo "== generating $n entries (with replies, occurrences, endorsements)" >&2
  make_data "$n" "$work/in.jsonl"
fi
mapfile -t shared < <(shared_of "$work/in.jsonl")
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
  # What autovacuum does within a minute of a bulk load: without statistics the planner
  # guesses a third of the rows for "changed since the cursor" and reads them all.
  psql -d team -c "ANALYZE repertoire.records"
  server_size=$(psql -d team -At -c "SELECT pg_size_pretty(pg_database_size('team'))")
  # A member that has synced once, for the figures below and as the model of the team's copies.
  reader=$work/m/reader.db
  as "$reader" remote set "$url"
  as "$reader" sync
fi

if [[ " $parts " == *" pg "* ]]; then
  echo "== a sync with nothing to do" >&2
  noop=$(REP_DB=$seed h "$rep -q sync")
  noop_cpu=$(jq -r '.results[0] | (.user + .system) | . * 1000 | round / 1000' "$work/h.json")
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
    timed "$work/ten.txt" env REP_DB="$seed" REP_USER=seed "$rep" --json -q sync
    jq -r '"\(.sent)/\(.received)"' "$work/timed.out" >> "$work/ten.counts"
  done
  ten=$(cut -d' ' -f1 "$work/ten.txt" | median)
  ten_cpu=$(cut -d' ' -f2 "$work/ten.txt" | median)
  ten_runs=$(cut -d' ' -f1 "$work/ten.txt" | xargs printf '%.3f ' | sed 's/ $//')
  ten_counts=$(sort "$work/ten.counts" | uniq -c | awk '{ printf "%s%d runs %s", (NR > 1 ? ", " : ""), $1, $2 }')
  {
    echo "| operation | seconds (wall) | target |"
    echo "|---|---:|---:|"
    echo "| first member: \`rep sync\` sending all $records records (once) | $first_push | |"
    echo "| \`rep sync\` with nothing to do (CPU $noop_cpu) | $noop | ≤ 0.050 |"
    echo "| first \`rep sync\` of a new member, pulling $n entries | $first | |"
    echo "| \`rep import\` of the same exchange file into an empty repertoire | $import | |"
    echo "| ratio first sync / import | ${ratio}× | ≤ 1.5× |"
    echo "| \`rep sync\` sending 10 changes and receiving 10 (CPU $ten_cpu) | $ten | ≤ 0.100 |"
    echo
    echo "10 changes each way, each run (wall): $ten_runs; sent/received: $ten_counts."
    echo "The new member's export equals the import's, byte for byte: $same. Server database: $server_size."
    echo
  } >> "$results"
fi

if [[ " $parts " == *" team "* ]]; then
  team_member=$reader
  records_on=$records
  if [ "$team_n" != "$n" ]; then
    # Member copies of TEAM_N entries, on a database of their own on the same server.
    echo "== the team's repertoire: $team_n entries on database teamsmall" >&2
    psql -d postgres -c "CREATE DATABASE teamsmall OWNER team"
    psql -d teamsmall -c "ALTER SCHEMA public OWNER TO team"
    team_url="postgres://team@127.0.0.1:$port/teamsmall?sslmode=disable"
    make_data "$team_n" "$work/team-in.jsonl"
    mapfile -t shared < <(shared_of "$work/team-in.jsonl")
    records_on=$(($(wc -l < "$work/team-in.jsonl") - 1))
    as "$work/m/tseed.db" import "$work/team-in.jsonl"
    as "$work/m/tseed.db" remote set "$team_url"
    as "$work/m/tseed.db" remote init >/dev/null
    as "$work/m/tseed.db" sync
    psql -d teamsmall -c "ANALYZE repertoire.records"
    team_member=$work/m/treader.db
    as "$team_member" remote set "$team_url"
    as "$team_member" sync
  fi
  need=$(( $(stat -c %s "$team_member") * members / 1024 / 1024 ))
  free=$(df -m --output=avail "$work" | tail -1)
  if [ "$free" -lt $((need + need / 5)) ]; then
    echo "bench: $members copies of a member need ${need} MB, only ${free} MB free (lower MEMBERS or TEAM_N)" >&2
    exit 3
  fi
  echo "== $members members through PostgreSQL at once (copying $members members: ${need} MB)" >&2
  as "$team_member" sync
  sqlite3 "$team_member" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  mkdir -p "$work/pgteam"
  for i in $(seq -w 1 "$members"); do copy_member "$team_member" "$work/pgteam/p$i.db"; done
  team_runs "$work/pgteam" postgres "$team_rounds" yes
  {
    echo "| remote | records on it | members at once | syncs through | failed | retries | median seconds until all done | each run |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    team_row postgres postgres "$members" "$team_rounds"
  } >> "$results"
  rm -rf "$work/pgteam"
  mapfile -t shared < <(shared_of "$work/in.jsonl")
fi

# --- git -------------------------------------------------------------------------------------
if [[ " $parts " == *" git "* ]]; then
  echo "== the same team through git, the remote holding $git_n records" >&2
  git init -q --bare -b main "$work/remote.git"
  gseed=$work/g/seed.db
  mkdir -p "$work/g"
  if [ "$git_n" = "$n" ]; then
    ln -s "$(realpath "$work/in.jsonl")" "$work/git-in.jsonl"
  elif [ "$git_n" = "$team_n" ] && [ -e "$work/team-in.jsonl" ]; then
    ln -s "$work/team-in.jsonl" "$work/git-in.jsonl"
  else
    make_data "$git_n" "$work/git-in.jsonl"
  fi
  mapfile -t shared < <(shared_of "$work/git-in.jsonl")
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
    team_runs "$work/gteam" "git-$size" "$git_runs" "${GIT_CHECK:-no}"
    team_row "git-$size" "git" "$size" "$git_runs" >> "$results"
    rm -rf "$work/gteam"
  done
fi

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$rep" --version), PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}')."
echo "$records records ($n entries, $(grep -c '"type":"reply"' "$work/in.jsonl") replies), exchange file $(du -hL "$work/in.jsonl" | cut -f1); medians of $runs runs (team rounds: PostgreSQL $team_rounds, git $git_runs)."
echo
cat "$results"
[ -z "${git_ten:-}" ] || { echo; echo "Through git, one member alone, the remote holding $records_on records: a sync sending 10 changes and receiving 10 takes $git_ten s (median)."; }
for f in "$work"/*.failures; do
  [ -e "$f" ] || continue
  echo
  echo "$(basename "$f" .failures) failures, by message:"
  sed -E 's/[0-9]+/N/g' "$f" | sort | uniq -c | sort -rn | head -3
done
