#!/usr/bin/env bash
# Time `rep import --from tldr` of a folder of tldr pages into a fresh database, with a release
# build: by default every page of the shared corpus (7,425 pages; $REP_CORPUS/tldr/pages, else
# ../shared/corpus/tldr/pages), or the folder given. The figure goes to docs/performance.md,
# "Importing from other tools". Needs hyperfine (apt-get install -y hyperfine).
#
#   bench/import_tldr.sh [PAGES]   # e.g. tests/fixtures/foreign/tldr/pages on a fresh clone
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${REP_CORPUS:-}" ]; then default_pages=$REP_CORPUS/tldr/pages; else default_pages=../shared/corpus/tldr/pages; fi
pages="${1:-$default_pages}"
[ -d "$pages" ] || { echo "no tldr pages at $pages: give a folder of tldr pages, e.g. tests/fixtures/foreign/tldr/pages" >&2; exit 1; }
cargo build --release --locked --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export REP_DB="$work/rep.db" REP_CONFIG="$work/config.toml" REP_USER=bench REP_NOW=2026-03-01T12:00:00Z
hyperfine --warmup 1 --runs "${RUNS:-10}" \
  --prepare "rm -f '$work'/rep.db '$work'/rep.db-wal '$work'/rep.db-shm" \
  --export-json "$work/first.json" \
  -n "first import of all pages" "target/release/rep import --from tldr '$pages' --quiet --json >/dev/null"
# A second import of the same pages: everything is compared, nothing written.
target/release/rep import --from tldr "$pages" --quiet --json >/dev/null
hyperfine --warmup 1 --runs "${RUNS:-10}" \
  --export-json "$work/again.json" \
  -n "re-import, all unchanged" "target/release/rep import --from tldr '$pages' --quiet --json >/dev/null"
for run in first again; do
  jq -r '.results[] | "\(.command): median \(.median * 1000 | round) ms"' "$work/$run.json"
done
