#!/usr/bin/env bash
# Benchmark rep at 10,000 and 100,000 entries against the sqlite3 shell on the same files.
# Not a test and not run by CI: see docs/performance.md for what it measures and the targets.
#
#   bench/run.sh                   # build the release binary, measure, print a Markdown table
#   BENCH_SIZES=10000 bench/run.sh # one size only
#
# Environment:
#   REP           rep binary to measure      [default: target/release/rep, built here]
#   MAKE_ENTRIES  corpus generator           [default: bench/make_entries.py]
#   BENCH_PAGES   tldr pages it reads        [default: $REP_CORPUS/tldr/pages, ../shared/corpus/tldr/pages,
#                                             else the 13 pages in tests/fixtures]
#   BENCH_SIZES   repertoire sizes           [default: "10000 100000"]
#   BENCH_DIR     where databases are kept   [default: a new temp dir, removed at the end]
#   COMMON_WORD   the common word searched   [default: file]
#   RARE_PHRASE   the rare phrase searched   [default: shaded relief]
#   TYPO          a typo rep corrects        [default: rsycn]
#   IMPORT_RUNS   timed imports per size     [default: 1; the median is reported]
#   RUNS          hyperfine runs per command [default: 30]
. "$(dirname "$0")/common.sh"

sizes=${BENCH_SIZES:-10000 100000}
common=${COMMON_WORD:-file}
rare=${RARE_PHRASE:-shaded relief}
typo=${TYPO:-rsycn}
import_runs=${IMPORT_RUNS:-1}
runs=${RUNS:-30}

need hyperfine sqlite3 time python3 jq
if [ ! -f "$make_entries" ]; then
  echo "bench: no corpus generator at $make_entries; set MAKE_ENTRIES" >&2
  exit 3
fi
bench_rep
bench_work
unset REP_NOW

# The sqlite3 shell's naive form of a ranked search: same index, same rank, same snippet.
naive_sql() {
  printf "SELECT e.id, e.title, snippet(entries_fts, -1, '[', ']', '…', 16) FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid WHERE entries_fts MATCH '%s' ORDER BY rank LIMIT 20;" "$1"
}

# median in milliseconds of the last hyperfine export
median_ms() { jq -r '.results[0].median * 1000 | . * 100 | round / 100' "$work/last.json"; }
# CPU time (user+sys, hyperfine's mean) in milliseconds of the measure named: steadier than wall
# time on a loaded machine.
cpu_ms() { jq -r '(.results[0].user + .results[0].system) * 1000 | . * 100 | round / 100' "$work/cpu-$1.json"; }

# POSIX single quotes, which hyperfine -N splits the way a shell would.
quote_words() {
  local word out=""
  for word in "$@"; do out+="'${word//\'/\'\\\'\'}' "; done
  printf '%s' "$out"
}

measure() { # name, then the command as words
  local name=$1
  shift
  hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/last.json" \
    "$(quote_words "$@")" >/dev/null 2>&1 || {
    echo "bench: $name failed: $*" >&2
    exit 1
  }
  cp "$work/last.json" "$work/cpu-$name.json"
  median_ms
}

peak_rss_mb() { # the command as words; Maximum resident set size in MB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }'
}

rows=()
for n in $sizes; do
  db=$work/rep-$n.db
  if [ ! -f "$db" ]; then
    echo "== building a repertoire of $n entries" >&2
    # Kept in BENCH_DIR: the same entries for two binaries compared side by side.
    [ -f "$work/entries-$n.jsonl" ] ||
      python3 "$make_entries" "${pages_args[@]}" -n "$n" -o "$work/entries-$n.jsonl"
    # Loaded through the real import path, from an exchange file of the same entries.
    [ -f "$work/import-$n.jsonl" ] ||
      python3 "$repo/bench/make_export.py" "$work/entries-$n.jsonl" -o "$work/import-$n.jsonl"
    hyperfine -N --style none --runs "$import_runs" --export-json "$work/last.json" \
      --prepare "rm -f $db $db-wal $db-shm" \
      "env REP_DB=$db $REP import $work/import-$n.jsonl -q" >/dev/null 2>&1
    import_ms=$(median_ms)
    echo "   imported in $import_ms ms (median of $import_runs)" >&2
  else
    import_ms=""
  fi
  export REP_DB=$db
  hits_common=$(sqlite3 "$db" "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH '$common'")
  hits_rare=$(sqlite3 "$db" "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH '$rare'")
  echo "== $n entries ($(du -h "$db" | cut -f1)); '$common' in $hits_common, '$rare' in $hits_rare" >&2

  version=$(measure version "$REP" --version)
  sqlite_version=$(measure sqlite-version sqlite3 --version)

  cp "$db" "$work/add-$n.db"
  add=$(REP_DB=$work/add-$n.db measure add "$REP" add tool "A new trick" -d bench -t bench --cmd "true")
  sqlite_add=$(measure sqlite-add sqlite3 "$work/add-$n.db" \
        "INSERT INTO entries (id, kind, kind_at, kind_by, title, title_at, title_by, body, body_at, body_by, domain, domain_at, domain_by, command, command_at, command_by, link, link_at, link_by, deleted, deleted_at, deleted_by, author, created_ms, updated_ms) VALUES (lower(hex(randomblob(16))), 'tool', 's', 'b', 'A new trick', 's', 'b', '', 's', 'b', 'bench', 's', 'b', 'true', 's', 'b', NULL, 's', 'b', 0, 's', 'b', 'bench', 0, 0); INSERT INTO entries_fts(rowid, title, tags, body, command) VALUES (last_insert_rowid(), 'A new trick', '', '', 'true');")

  # shellcheck disable=SC2086 # the phrase is meant to split into words
  rare_rep=$(measure rare "$REP" search $rare)
  rare_sql=$(measure rare-sql sqlite3 "$db" "$(naive_sql "$rare")")

  common_rep=$(measure common "$REP" search "$common")
  common_exact=$(measure common-exact "$REP" search "$common ")
  common_sql=$(measure common-sql sqlite3 "$db" "$(naive_sql "$common")")

  typo_rep=$(measure typo "$REP" search "$typo")

  list=$(measure list "$REP" list --limit 20)
  list_sql=$(measure list-sql sqlite3 "$db" \
    "SELECT e.seq, e.id, e.kind, e.title, e.body, e.domain, e.tags, e.author, e.command, e.link, e.created_ms, e.updated_ms, e.deleted FROM entries e WHERE e.deleted = 0 ORDER BY e.created_ms DESC, e.id LIMIT 21;")

  rss=$(peak_rss_mb "$REP" search "$common")
  rss_sql=$(peak_rss_mb sqlite3 "$db" "$(naive_sql "$common")")

  ratio() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }
  [ -n "$import_ms" ] && rows+=("| $n | \`rep import\` of $n entries | $import_ms | | | |")
  rows+=("| $n | database size (KiB) | $(du -k "$db" | cut -f1) | | | |")
  rows+=("| $n | \`rep --version\` | $version | $(cpu_ms version) | $sqlite_version (\`sqlite3 --version\`) | |")
  rows+=("| $n | \`rep add\` | $add | $(cpu_ms add) | $sqlite_add (one INSERT) | |")
  rows+=("| $n | \`rep search $rare\` | $rare_rep | $(cpu_ms rare) | $rare_sql | $(ratio "$rare_rep" "$rare_sql")× |")
  rows+=("| $n | \`rep search $common\` (prefix) | $common_rep | $(cpu_ms common) | $common_sql | $(ratio "$common_rep" "$common_sql")× |")
  rows+=("| $n | \`rep search '$common '\` (word only) | $common_exact | $(cpu_ms common-exact) | $common_sql | $(ratio "$common_exact" "$common_sql")× |")
  rows+=("| $n | \`rep search $typo\` (corrected) | $typo_rep | $(cpu_ms typo) | | |")
  rows+=("| $n | \`rep list --limit 20\` | $list | $(cpu_ms list) | $list_sql | $(ratio "$list" "$list_sql")× |")
  rows+=("| $n | peak RSS of \`rep search $common\` (MB) | $rss | | $rss_sql | |")
done

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sm), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $("$REP" --version)."
echo "Times are hyperfine medians in ms of $runs runs after 3 warm-ups (whole process, no shell); rep CPU is the mean user+sys."
echo
echo "| entries | command | rep | rep CPU | sqlite3 shell | rep / sqlite3 |"
echo "|---:|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
