#!/usr/bin/env bash
# Benchmark sharing at 100,000 entries: export, import into an empty repertoire, re-import of
# the same file, and `rep sync` with nothing to do, next to the sqlite3 shell loading the same
# entries into a plain FTS5 table. Not a test and not run by CI: see docs/performance.md.
#
#   bench/sharing.sh              # N=100000 by default
#   N=10000 RUNS=3 bench/sharing.sh
#   REP=path/to/rep BENCH_DIR=dir ...  # see bench/common.sh
. "$(dirname "$0")/common.sh"
n=${N:-100000}
runs=${RUNS:-5}
need hyperfine sqlite3 jq python3 git time
bench_rep
bench_work

echo "== generating $n entries (with replies, occurrences, endorsements)" >&2
python3 "$make_entries" "${pages_args[@]}" -n "$n" --community --members 1000 -o "$work/entries.jsonl"
python3 "$repo/bench/make_export.py" "$work/entries.jsonl" -o "$work/in.jsonl" --practice
python3 "$repo/bench/to_tsv.py" "$work/in.jsonl" "$work/in.tsv"

median() { jq -r '.results[0].median | . * 1000 | round / 1000' "$work/h.json"; }
# CPU time (user+sys) of the process, hyperfine's mean: steadier than wall time on a loaded machine.
cpu() { jq -r '(.results[0].user + .results[0].system) | . * 1000 | round / 1000' "$work/h.json"; }
# "wall | cpu", two cells of the table.
h() { hyperfine -N --style none --runs "$runs" --export-json "$work/h.json" "$@" >/dev/null; echo "$(median) | $(cpu)"; }

cat > "$work/plain.sql" <<SQL
CREATE VIRTUAL TABLE t USING fts5(title, tags, body, command, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TEMP TABLE s(title, tags, body, command);
.mode tabs
.import $work/in.tsv s
INSERT INTO t SELECT * FROM s;
SQL
plain=$(hyperfine --style none --runs "$runs" --prepare "rm -f $work/plain.db" --export-json "$work/h.json" \
  "sqlite3 $work/plain.db < $work/plain.sql" >/dev/null; echo "$(median) | $(cpu)")
import=$(hyperfine -N --style none --runs "$runs" --prepare "rm -f $work/rep.db $work/rep.db-wal $work/rep.db-shm" \
  --export-json "$work/h.json" "$rep --db $work/rep.db import $work/in.jsonl -q" >/dev/null; echo "$(median) | $(cpu)")
import_rss=$(/usr/bin/time -f %M "$rep" --db "$work/rss.db" import "$work/in.jsonl" -q 2>&1 >/dev/null | tail -1)
reimport=$(h "$rep --db $work/rep.db import $work/in.jsonl -q")
export=$(h "$rep --db $work/rep.db export $work/out.jsonl -q")
# Records only: the header names the format version each writer writes (the generator 1.0, rep
# the current one).
cmp -s <(tail -n +2 "$work/in.jsonl") <(tail -n +2 "$work/out.jsonl") && same=yes || same=no

git init -q --bare "$work/remote.git"
"$rep" --db "$work/rep.db" remote set "$work/remote.git" -q
"$rep" --db "$work/rep.db" sync -q
sync=$(h "$rep --db $work/rep.db sync -q")
git_status=$(h "git -C $work/rep.db.sync fetch -q origin")

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$rep" --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1)."
echo "$n entries, $(grep -c '"type":"reply"' "$work/in.jsonl") replies, file $(du -h "$work/in.jsonl" | cut -f1); hyperfine medians of $runs runs (wall) and means of user+sys (CPU), seconds."
echo
echo "| operation | seconds | CPU seconds | target |"
echo "|---|---:|---:|---:|"
echo "| sqlite3 shell: load the entries into a plain FTS5 table (reference) | $plain | |"
echo "| \`rep import\` into an empty repertoire | $import | ≤ 4 |"
echo "| peak memory of that import | $((import_rss / 1024)) MB | | ≤ 100 MB |"
echo "| \`rep import\` of the same file again (nothing changes) | $reimport | ≤ 2 |"
echo "| \`rep export\` | $export | ≤ 1 |"
echo "| \`rep sync\` with nothing to do | $sync | ≤ 1 + git |"
echo "| of which git's own \`fetch\` | $git_status | |"
echo
echo "export after import reproduces the imported records byte for byte: $same"
