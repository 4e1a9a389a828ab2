#!/usr/bin/env bash
# Byte-compare the analysis commands of two rep binaries on one repertoire: gaps, map, members,
# stats, `document --candidates`, who and `list --stale`, each as a table and with --json, with
# several --limit and --domain values. Run it before committing a change to how they compute:
# their output must not change. Not a test and not run by CI.
#
#   bench/analysis_diff.sh DB OLD_REP NEW_REP [OUT_DIR]
#
# Both binaries read DB, and reading migrates it: use a copy, at a schema both can read. The
# old binary's outputs are kept in OUT_DIR and reused when it is given again. The domains
# (linux, osx) are those of the corpus-built repertoires of bench/analysis.sh and bench/scale.sh.
set -u
db=$1 old=$2 new=$3 dir=${4:-$(mktemp -d)}
mkdir -p "$dir"
export REP_CONFIG=/nonexistent/rep-bench.toml REP_USER=bench NO_COLOR=1 COLUMNS=200 \
  REP_NOW=2026-11-27T00:00:00Z REP_DB=$db
commands=(
  "gaps" "gaps --limit 1" "gaps --limit 0" "gaps --limit 5 --explain" "gaps --domain linux"
  "gaps --domain osx --limit 3"
  "map" "map --domain linux" "map --since 2026-10-01" "map --format dot"
  "members" "members --domain linux" "members --explain"
  "stats" "stats --domain osx"
  "document --candidates" "who tar archive" "who kubernetes"
  "list --stale" "list --stale --domain osx"
)
runs=0 differ=0
for line in "${commands[@]}"; do
  for json in "" "--json"; do
    runs=$((runs + 1))
    key=$(echo "$line $json" | tr ' /' '__')
    if [ ! -f "$dir/$key.old" ]; then
      # shellcheck disable=SC2086 # the words of a command
      "$old" $json $line >"$dir/$key.old" 2>"$dir/$key.old-err"
      echo "exit $?" >>"$dir/$key.old-err"
    fi
    # shellcheck disable=SC2086
    "$new" $json $line >"$dir/$key.new" 2>"$dir/$key.new-err"
    echo "exit $?" >>"$dir/$key.new-err"
    if ! cmp -s "$dir/$key.old" "$dir/$key.new" || ! cmp -s "$dir/$key.old-err" "$dir/$key.new-err"; then
      echo "differs: rep $json $line"
      differ=$((differ + 1))
    fi
  done
done
echo "$runs commands, $differ differ (outputs in $dir)"
[ "$differ" -eq 0 ]
