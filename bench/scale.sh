#!/usr/bin/env bash
# Benchmark rep at 10,000, 100,000 and 1,000,000 entries (issue 18's targets), each figure next
# to the sqlite3 shell's reference on the same data, then one table of how each command grows.
# Not a test and not run by CI: see docs/performance.md, "Scaling".
#
#   bench/scale.sh                          # all three sizes (hours on 2 busy shared cores)
#   SCALE_SIZES="10000 100000" bench/scale.sh
#   IMPORT_RUNS=0 bench/scale.sh            # reuse the cached repertoires, measure the rest
#
# The data and the repertoires are built once, into a cache folder that reruns reuse:
# entries-N.jsonl (bench/make_entries.py, N/100 members), in-N.jsonl (bench/make_export.py
# --practice: replies, occurrences, endorsements), in-N.tsv (the shell's input), new-10000.jsonl
# (10,000 other entries, imported into each repertoire) and rep-N.db. Disk needed for all three
# sizes: about 7 GB in the cache (of which the 1,000,000 size: 0.8 GB entries, 1.6 GB exchange
# file, 0.7 GB TSV, 2.6 GB repertoire), plus about 8 GB while it runs (the shell's 1.1 GB FTS5
# file, an import's database at its peak, a copy of the repertoire for the writes, an export).
#
# Environment:
#   REP           rep binary to measure      [default: target/release/rep, built here]
#   SCALE_CACHE   the cache folder           [default: ${XDG_CACHE_HOME:-~/.cache}/rep-scale]
#   SCALE_SIZES   repertoire sizes           [default: "10000 100000 1000000"]
#   BENCH_PAGES   tldr pages it reads        [default: see bench/make_entries.py --help]
#   IMPORT_RUNS   runs of each import, export and the shell's load [default: 5; 0: skip them]
#   IMPORT_RUNS_N the same for size N only (IMPORT_RUNS_1000000=3: a million-entry import
#                 takes minutes on a busy machine)
#   RUNS          runs of each quick command [default: 10, after 2 warm-ups]
#   COMMON_WORD   the common word searched   [default: file]
#   REBUILD=1     rebuild the cached repertoires (after a schema change)
#   SCALE_RESULTS keep the figures (TSV) there too; `bench/scale_table.py A.tsv B.tsv` prints
#                 the tables of several runs together (sizes measured apart)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

sizes=${SCALE_SIZES:-10000 100000 1000000}
import_runs=${IMPORT_RUNS:-5}
runs=${RUNS:-10}
common=${COMMON_WORD:-file}
cache=${SCALE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rep-scale}
pages_args=()
[ -z "${BENCH_PAGES:-}" ] || pages_args=(--pages "$BENCH_PAGES")

missing=()
for tool in hyperfine sqlite3 jq python3 bc; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
  exit 3
fi
if [ -z "${REP:-}" ]; then
  cargo build --release --locked --quiet
  REP=$repo/target/release/rep
fi
REP=$(realpath "$REP")
measure=$repo/bench/measure.py
mkdir -p "$cache"
work=$(mktemp -d "$cache/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
export REP_CONFIG=$work/config.toml REP_USER=bench NO_COLOR=1 REP_NOW=2026-11-27T00:00:00Z
results=$work/results.tsv
: >"$results"

# One figure: size, key, what, rep's value, the shell's value (or empty), the target.
put() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }
# A field of bench/measure.py's JSON.
field() { jq -r ".$2" <<<"$1"; }
# The wall median (ms) of a quick command, by hyperfine (no shell between).
quote_words() {
  local word out=""
  for word in "$@"; do out+="'${word//\'/\'\\\'\'}' "; done
  printf '%s' "$out"
}
wall() {
  hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$work/h.json" \
    "$(quote_words "$@")" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  jq -r '.results[0].median * 1000 | . * 100 | round / 100' "$work/h.json"
}
# Wall (hyperfine), CPU and peak memory (bench/measure.py) of a quick command, as "wall cpu rss".
quick() {
  local w m
  w=$(wall "$@")
  m=$(python3 "$measure" --runs 5 -- "$@")
  echo "$w $(field "$m" cpu_ms) $(field "$m" rss_mb)"
}

new=$cache/new-10000.jsonl
if [ ! -f "$new" ]; then
  echo "== generating 10,000 other entries (imported into each repertoire)" >&2
  python3 bench/make_entries.py "${pages_args[@]}" -n 10000 --seed 1 --community --members 10000 \
    -o "$work/new-entries.jsonl"
  python3 bench/make_export.py "$work/new-entries.jsonl" --seed 1 --practice -o "$new.part"
  mv "$new.part" "$new"
fi

for n in $sizes; do
  members=$((n / 100))
  runs_of_n=IMPORT_RUNS_$n
  import_runs=${!runs_of_n:-${IMPORT_RUNS:-5}}
  entries=$cache/entries-$n.jsonl in=$cache/in-$n.jsonl tsv=$cache/in-$n.tsv db=$cache/rep-$n.db
  if [ ! -f "$tsv" ]; then
    echo "== generating $n entries by $members members" >&2
    python3 bench/make_entries.py "${pages_args[@]}" -n "$n" --community --members "$members" -o "$entries"
    python3 bench/make_export.py "$entries" -o "$in.part" --practice
    mv "$in.part" "$in"
    python3 bench/to_tsv.py "$in" "$tsv.part"
    mv "$tsv.part" "$tsv"
  fi
  [ "${REBUILD:-}" != 1 ] || rm -f "$db"
  mkdir -p "$work/import" "$work/plain" "$work/into"

  if [ "$import_runs" -gt 0 ]; then
    echo "== $n: the shell's plain FTS5 load, then rep import ($import_runs runs each)" >&2
    cat >"$work/plain.sql" <<SQL
CREATE VIRTUAL TABLE t USING fts5(title, tags, body, command, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TEMP TABLE s(title, tags, body, command);
.mode tabs
.import $tsv s
INSERT INTO t SELECT * FROM s;
SQL
    plain=$(python3 "$measure" --runs "$import_runs" --prepare "rm -f $work/plain/p.db" \
      --watch "$work/plain" --stdin "$work/plain.sql" -- sqlite3 "$work/plain/p.db")
    rm -f "$work/plain/p.db"
    imp=$(python3 "$measure" --runs "$import_runs" --prepare "rm -f $work/import/rep.db*" \
      --watch "$work/import" -- "$REP" --db "$work/import/rep.db" import "$in" -q)
    put "$n" import_wall "\`rep import\` into an empty repertoire, wall (ms)" \
      "$(field "$imp" wall_ms)" "$(field "$plain" wall_ms)" "1M ≤ 11× 100k"
    put "$n" import_cpu "the same, CPU user+sys (ms)" \
      "$(field "$imp" cpu_ms)" "$(field "$plain" cpu_ms)" "≤ 1.3× the shell"
    put "$n" import_rss "the same, peak memory (MB)" "$(field "$imp" rss_mb)" "$(field "$plain" rss_mb)" "≤ 100"
    final=$(field "$imp" disk_final_mb)
    put "$n" import_disk "the same, peak disk (MB; final database in brackets)" \
      "$(field "$imp" disk_peak_mb) ($final)" "$(field "$plain" disk_peak_mb)" \
      "≤ 1.3× final ($(echo "scale=2; $(field "$imp" disk_peak_mb) / $final" | bc)×)"
    [ -f "$db" ] || mv "$work/import/rep.db" "$db"
    rm -f "$work/import/rep.db"*
  elif [ ! -f "$db" ]; then
    echo "== $n: building the repertoire" >&2
    "$REP" --db "$db.part" import "$in" -q
    mv "$db.part" "$db"
  fi

  echo "== $n: import of 10,000 new entries, export" >&2
  if [ "$import_runs" -gt 0 ]; then
    into=$(python3 "$measure" --runs "$import_runs" --prepare "rm -f $work/into/rep.db*; cp $db $work/into/rep.db" \
      -- "$REP" --db "$work/into/rep.db" import "$new" -q)
    put "$n" import_more "\`rep import\` of 10,000 new entries into it, wall (ms)" \
      "$(field "$into" wall_ms) (CPU $(field "$into" cpu_ms))" "" "1M: ≤ 2000"
    rm -f "$work/into/rep.db"*
    exp=$(python3 "$measure" --runs "$import_runs" -- "$REP" --db "$db" export "$work/out.jsonl" -q)
    same=no
    cmp -s <(tail -n +2 "$work/out.jsonl") <(tail -n +2 "$in") && same=yes
    put "$n" export_wall "\`rep export\`, wall (ms; the records as imported: $same)" \
      "$(field "$exp" wall_ms)" "" ""
    put "$n" export_cpu "\`rep export\`, CPU user+sys (ms)" "$(field "$exp" cpu_ms)" "" "100k: ≤ 800, linear"
    rm -f "$work/out.jsonl"
  fi

  export REP_DB=$db
  hits=$(sqlite3 "$db" "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH '$common'")
  id=$(sqlite3 "$db" "SELECT id FROM entries ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM entries)")
  echo "== $n: quick commands ($runs runs); '$common' in $hits entries" >&2
  put "$n" size "database size (MB), entries" "$(($(stat -c %s "$db") / 1048576)), $n" "" ""
  put "$n" hits "entries holding '$common'" "$hits" "" ""
  floor=$(wall sqlite3 "$db" "SELECT count(*) FROM entries")

  read -r w c r < <(quick "$REP" --version)
  put "$n" version "\`rep --version\` (ms; CPU; MB)" "$w; $c; $r" "$(wall sqlite3 --version)" "≤ 3"
  read -r w c r < <(quick "$REP" show "$id")
  put "$n" show "\`rep show\` (ms; CPU; MB)" "$w; $c; $r" \
    "$(wall sqlite3 "$db" "SELECT * FROM entries WHERE id = '$id'")" "1M: ≤ 5"
  read -r w c r < <(quick "$REP" list --limit 20)
  put "$n" list "\`rep list --limit 20\` (ms; CPU; MB)" "$w; $c; $r" \
    "$(wall sqlite3 "$db" "SELECT seq, id, kind, title, body, domain, tags, author, command, link, created_ms, updated_ms, deleted FROM entries WHERE deleted = 0 ORDER BY created_ms DESC, id LIMIT 21")" "1M: ≤ 5"
  read -r w c r < <(quick "$REP" search "$common")
  put "$n" search "\`rep search $common\` (ms; CPU; MB)" "$w; $c; $r" \
    "$(wall sqlite3 "$db" "SELECT e.id, e.title, snippet(entries_fts, -1, '[', ']', '…', 16) FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid WHERE entries_fts MATCH '$common' ORDER BY rank LIMIT 20")" ""
  for command in gaps map stats members; do
    read -r w c r < <(quick "$REP" "$command")
    case $command in
      gaps | map) target="CPU 100k ≤ 100, 1M ≤ 1000" ;;
      *) target="100k ≤ 100" ;;
    esac
    put "$n" "$command" "\`rep $command\` (ms; CPU; MB)" "$w; $c; $r" "$floor (a count of entries)" "$target"
  done
  read -r w c r < <(quick "$REP" gaps --limit 1)
  put "$n" gaps1 "\`rep gaps --limit 1\` (ms; CPU; MB)" "$w; $c; $r" "$floor (a count of entries)" "≤ rep gaps"
  cp "$db" "$work/add.db"
  read -r w c r < <(REP_DB=$work/add.db quick "$REP" add tool "A new trick" -d bench -t bench --cmd true -q)
  put "$n" add "\`rep add\` (ms; CPU; MB)" "$w; $c; $r" \
    "$(wall sqlite3 "$work/add.db" "INSERT INTO meta(key, value) VALUES ('bench', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1")" "1M: ≤ 10"
  rm -f "$work/add.db"*
  unset REP_DB
done

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$REP" --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1)."
echo "Imports, exports and the shell's load: medians of ${IMPORT_RUNS:-5} runs (IMPORT_RUNS_N where given: $(env | grep '^IMPORT_RUNS_' | tr '\n' ' ')) (bench/measure.py); quick commands: hyperfine medians of $runs runs for wall time, medians of 5 for CPU, the peak of 5 for memory."
echo
[ -z "${SCALE_RESULTS:-}" ] || cp "$results" "$SCALE_RESULTS"
python3 bench/scale_table.py "$results"
