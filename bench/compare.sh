#!/usr/bin/env bash
# Two rep binaries side by side on the same data, in one run: hyperfine medians of whole-process
# runs (both binaries in one hyperfine call per command) and callgrind instruction counts,
# which a loaded machine does not change. The commands are those of bench/run.sh,
# bench/sharing.sh and bench/analysis.sh. Not a test and not run by CI.
#
#   bench/compare.sh BEFORE_REP AFTER_REP > table.md
#   N=10000 RUNS=5 CALLGRIND_N=10000 bench/compare.sh old/rep new/rep
#
# Environment (and those of bench/common.sh: MAKE_ENTRIES, BENCH_PAGES, BENCH_DIR):
#   N            entries of the timed repertoire               [default: 100000]
#   RUNS         hyperfine runs per command and binary         [default: 7]
#   CALLGRIND_N  entries of the repertoire callgrind counts on [default: 10000]
#   CALLGRIND    0 to skip the instruction counts              [default: 1]
#   TIMED        0 to skip the timed runs (counts only)        [default: 1]
. "$(dirname "$0")/common.sh"
if [ $# -ne 2 ]; then
  echo "usage: bench/compare.sh BEFORE_REP AFTER_REP" >&2
  exit 2
fi
before=$(realpath "$1")
after=$(realpath "$2")
n=${N:-100000}
runs=${RUNS:-7}
cg_n=${CALLGRIND_N:-10000}
need hyperfine jq python3 git
[ "${CALLGRIND:-1}" = 0 ] || need valgrind
bench_work
export REP_NOW=2026-11-27T00:00:00Z

data() { # size: an exchange file of that many entries, made once
  local size=$1
  if [ ! -f "$work/in-$size.jsonl" ]; then
    echo "== generating $size entries" >&2
    python3 "$make_entries" "${pages_args[@]}" -n "$size" --community --members 1000 \
      -o "$work/entries-$size.jsonl"
    python3 "$repo/bench/make_export.py" "$work/entries-$size.jsonl" -o "$work/in-$size.jsonl" --practice
  fi
}

# One repertoire per binary and size: the two schemas may differ, and neither binary migrates
# the other's file.
setup() { # size
  local size=$1 side bin
  data "$size"
  for side in before after; do
    bin=${!side}
    mkdir -p "$work/$side-$size"
    if [ ! -f "$work/$side-$size/rep.db" ]; then
      "$bin" --db "$work/$side-$size/rep.db" import "$work/in-$size.jsonl" -q
      git init -q --bare "$work/$side-$size/remote.git"
      "$bin" --db "$work/$side-$size/rep.db" remote set "$work/$side-$size/remote.git" -q
      "$bin" --db "$work/$side-$size/rep.db" sync -q
    fi
  done
}

# The rep arguments with @DB@ (the side's repertoire) and @FRESH@ (a new one) filled in.
fill() { # side, size, then the words
  local dir=$work/$1-$2 word
  shift 2
  for word in "$@"; do
    word=${word//@FRESH@/$dir/fresh.db}
    printf '%s\n' "${word//@DB@/$dir/rep.db}"
  done
}

# hyperfine -N splits a command on spaces (no shell): every word here is free of them.
timed() { # label, prepare ("" for none), then the rep arguments
  local label=$1 prepare=$2
  shift 2
  local cmds=() preps=() side bin
  for side in before after; do
    bin=${!side}
    cmds+=("$bin $(fill "$side" "$n" "$@" | paste -sd' ')")
    [ -z "$prepare" ] || preps+=(--prepare "$(fill "$side" "$n" "$prepare")")
  done
  if [ -n "$prepare" ]; then
    # A --prepare applies to every command; run each side on its own, one after the other.
    hyperfine -N --style none --runs "$runs" --prepare "${preps[1]}" --export-json "$work/b.json" "${cmds[0]}" >/dev/null 2>&1
    hyperfine -N --style none --runs "$runs" --prepare "${preps[3]}" --export-json "$work/a.json" "${cmds[1]}" >/dev/null 2>&1
    b=$(jq '.results[0].median * 1000' "$work/b.json")
    a=$(jq '.results[0].median * 1000' "$work/a.json")
  else
    hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$work/h.json" "${cmds[@]}" >/dev/null 2>&1
    b=$(jq '.results[0].median * 1000' "$work/h.json")
    a=$(jq '.results[1].median * 1000' "$work/h.json")
  fi
  printf '| `%s` | %.1f | %.1f | %+.1f%% |\n' "$label" "$b" "$a" "$(echo "($a / $b - 1) * 100" | bc -l)"
}

instructions() { # binary, then its arguments: the total instructions (every thread)
  local out=$work/cg.out
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>"$work/cg.err"
  awk '/^summary:/ { print $2 }' "$out"
}

counted() { # label, prepare ("" for none), then the rep arguments (see fill)
  local label=$1 prepare=$2
  shift 2
  local side bin args count=()
  for side in before after; do
    bin=${!side}
    mapfile -t args < <(fill "$side" "$cg_n" "$@")
    [ -z "$prepare" ] || sh -c "$(fill "$side" "$cg_n" "$prepare")"
    count+=("$(instructions "$bin" "${args[@]}")")
  done
  printf '| `%s` | %s | %s | %+.2f%% |\n' "$label" "${count[0]}" "${count[1]}" \
    "$(echo "(${count[1]} / ${count[0]} - 1) * 100" | bc -l)"
}

fresh="rm -f @FRESH@ @FRESH@-wal @FRESH@-shm"
echo "before: $("$before" --version | head -1); after: $("$after" --version | head -1)."
if [ "${TIMED:-1}" != 0 ]; then
setup "$n"
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "Whole process, hyperfine medians of $runs runs, ms, $n entries ($(grep -c '"type":"reply"' "$work/in-$n.jsonl") replies, 1,000 members):"
echo
echo "| command | before | after | after / before |"
echo "|---|---:|---:|---:|"
timed "rep import (into an empty repertoire)" "$fresh" --db @FRESH@ import "$work/in-$n.jsonl" -q
timed "rep import (the same file again)" "" --db @DB@ import "$work/in-$n.jsonl" -q
timed "rep export" "" --db @DB@ export "$work/out.jsonl" -q
timed "rep sync (nothing to do)" "" --db @DB@ sync -q
timed "rep --version" "" --version
timed "rep add" "" --db @DB@ add tool A-new-trick -d bench -t bench --cmd true -q
timed "rep search shaded relief" "" --db @DB@ search shaded relief
timed "rep search file" "" --db @DB@ search file
timed "rep search rsycn" "" --db @DB@ search rsycn
timed "rep list --limit 20" "" --db @DB@ list --limit 20
timed "rep gaps" "" --db @DB@ gaps
timed "rep map" "" --db @DB@ map
timed "rep who tar archive" "" --db @DB@ who tar archive
timed "rep members" "" --db @DB@ members
timed "rep stats" "" --db @DB@ stats
fi

[ "${CALLGRIND:-1}" = 0 ] && exit 0
setup "$cg_n"
echo
echo "Instructions (callgrind, every thread), $cg_n entries:"
echo
echo "| command | before | after | after / before |"
echo "|---|---:|---:|---:|"
counted "rep import (into an empty repertoire)" "$fresh" --db @FRESH@ import "$work/in-$cg_n.jsonl" -q
counted "rep import (the same file again)" "" --db @DB@ import "$work/in-$cg_n.jsonl" -q
counted "rep export" "" --db @DB@ export "$work/out-cg.jsonl" -q
counted "rep search file" "" --db @DB@ search file
counted "rep search shaded relief" "" --db @DB@ search shaded relief
counted "rep list --limit 20" "" --db @DB@ list --limit 20
counted "rep gaps" "" --db @DB@ gaps
counted "rep map" "" --db @DB@ map
counted "rep stats" "" --db @DB@ stats
