#!/usr/bin/env bash
# Relevance of `rep search` on the tldr pages: imports every page into a fresh database, then
# runs bench/relevance.py (a fixed sample of 400 pages, seed 14, four query kinds per page).
# Not a test and not run by CI; the rates go to docs/performance.md.
#
#   bench/relevance.sh                         # release build, rates as a Markdown table
#   REP=/tmp/rep-old bench/relevance.sh        # another binary, for a before/after
#   FAILURES=/tmp/misses.jsonl bench/relevance.sh
#   SEED=41 DISJOINT_FROM=14 bench/relevance.sh  # a second sample, no page of seed 14's
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pages=${PAGES:-$repo/../shared/corpus/tldr/pages}
# A worktree under wt/ has the shared folder one level further up.
[ -d "$pages" ] || [ -n "${PAGES:-}" ] || pages=$repo/../../shared/corpus/tldr/pages
[ -d "$pages" ] || { echo "relevance: no tldr pages at $pages; set PAGES" >&2; exit 3; }
command -v python3 >/dev/null 2>&1 || { echo "relevance: needs python3" >&2; exit 3; }
if [ -z "${REP:-}" ]; then
  cargo build --release --locked --quiet
  REP=$repo/target/release/rep
fi
REP=$(realpath "$REP")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export REP_DB=$work/rep.db REP_CONFIG=$work/config.toml REP_USER=bench NO_COLOR=1
"$REP" import --from tldr "$pages" --quiet --json >/dev/null
echo "database: $(du -k "$REP_DB" | cut -f1) KiB after importing $pages" >&2
args=(--rep "$REP" --db "$REP_DB" --pages "$pages" --sample "${SAMPLE:-400}" --seed "${SEED:-14}")
[ -n "${FAILURES:-}" ] && args+=(--failures "$FAILURES")
[ -n "${DISJOINT_FROM:-}" ] && args+=(--disjoint-from "$DISJOINT_FROM")
python3 "$repo/bench/relevance.py" "${args[@]}"
