#!/usr/bin/env bash
# Benchmark `rep map`, `rep gaps`, `rep who` (and members, stats) at 100,000 entries written by
# 1,000 members, with replies, occurrences and endorsements. Not a test and not run by CI: see
# docs/performance.md for the targets.
#
#   bench/analysis.sh            # N=100000 MEMBERS=1000 RUNS=20
#   REP=path/to/rep BENCH_DIR=dir ...  # see bench/common.sh
. "$(dirname "$0")/common.sh"
n=${N:-100000}
members=${MEMBERS:-1000}
runs=${RUNS:-20}
need hyperfine jq python3
bench_rep
bench_work
export REP_NOW=2026-11-27T00:00:00Z REP_DB=$work/rep.db

echo "== building $n entries by $members members" >&2
python3 "$make_entries" "${pages_args[@]}" -n "$n" --community --members "$members" -o "$work/entries.jsonl"
python3 "$repo/bench/make_export.py" "$work/entries.jsonl" -o "$work/in.jsonl" --practice
"$rep" import "$work/in.jsonl" -q >/dev/null

median() { jq -r '.results[0].median * 1000 | . * 10 | round / 10' "$work/h.json"; }
# CPU time (user+sys) of the process, hyperfine's mean: steadier than wall time on a loaded machine.
cpu() { jq -r '(.results[0].user + .results[0].system) * 1000 | . * 10 | round / 10' "$work/h.json"; }
row() { # label, then the command words
  local label=$1
  shift
  hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/h.json" "$*" >/dev/null
  echo "| \`$label\` | $(median) | $(cpu) |"
}

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$rep" --version)."
echo "$n entries, $(grep -c '"type":"reply"' "$work/in.jsonl") replies, $members members; hyperfine medians of $runs runs (wall) and means of user+sys (CPU), ms."
echo
echo "| command | ms | CPU ms |"
echo "|---|---:|---:|"
row "rep gaps" "$rep" gaps
row "rep map" "$rep" map
row "rep who tar archive" "$rep" who tar archive
row "rep who kubernetes" "$rep" who kubernetes
row "rep members" "$rep" members
row "rep stats" "$rep" stats
