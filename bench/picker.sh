#!/usr/bin/env bash
# How quickly the pickers answer at 100,000 entries (issue 17): the first frame of `rep show`'s
# list and of `rep pick` (Ctrl-G), and each keystroke's refill of the list while "rsync" is
# typed. Not a test and not run by CI: see docs/performance.md, "Pickers".
#
#   bench/picker.sh                      # build the release binary, measure, print a table
#   REP_BEFORE=/tmp/old-rep bench/picker.sh   # also an older binary, by the screen only
#
# Two clocks. rep's own, asked for with REP_PICKER_TIMINGS=FILE: milliseconds from the start
# of main to the first frame written, and the time of each refill (the database query and the
# lines). And the screen's: from just before tmux starts the command to the first capture of
# the pane that shows the list (tmux's start and the polling, ~10 ms, included), which also
# measures binaries without REP_PICKER_TIMINGS.
#
# Environment:
#   REP          rep binary to measure       [default: target/release/rep, built here]
#   REP_BEFORE   another binary, screen clock only (e.g. one before the database-filtered lists)
#   BENCH_SIZE   entries in the repertoire   [default: 100000]
#   BENCH_DIR    where databases are kept    [default: a new temp dir, removed at the end;
#                                             bench/run.sh's rep-N.db there is reused]
#   BENCH_PAGES  tldr pages for the corpus   [see bench/make_entries.py --help]
#   RUNS         launches per picker         [default: 10; medians are reported]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
size=${BENCH_SIZE:-100000}
runs=${RUNS:-10}
pages_args=()
[ -z "${BENCH_PAGES:-}" ] || pages_args=(--pages "$BENCH_PAGES")

missing=()
for tool in tmux python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
  exit 3
fi
if [ -z "${REP:-}" ]; then
  cargo build --release --locked --quiet
  REP=$repo/target/release/rep
fi
REP=$(realpath "$REP")

if [ -n "${BENCH_DIR:-}" ]; then
  work=$BENCH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'tmux -S "$work/tmux.sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
fi
db=$work/rep-$size.db
if [ ! -f "$db" ]; then
  echo "== building a repertoire of $size entries (as bench/run.sh does)" >&2
  [ -f "$work/entries-$size.jsonl" ] ||
    python3 bench/make_entries.py "${pages_args[@]}" -n "$size" -o "$work/entries-$size.jsonl"
  [ -f "$work/import-$size.jsonl" ] ||
    python3 bench/make_export.py "$work/entries-$size.jsonl" -o "$work/import-$size.jsonl"
  REP_DB=$db REP_CONFIG=$work/config.toml REP_USER=bench "$REP" import "$work/import-$size.jsonl" -q
fi

# A copy with what the other pickers offer: 20 questions (`rep resolve`) and 20 deleted tools
# (`rep history` lists live and deleted ones).
picker_db=$work/picker-$size.db
if [ ! -f "$picker_db" ]; then
  cp "$db" "$picker_db"
  export_env=(env REP_DB="$picker_db" REP_CONFIG="$work/config.toml" REP_USER=bench)
  for n in $(seq 20); do
    "${export_env[@]}" "$REP" add question "Why does rsync skip files, case $n?" -d bench -q >/dev/null
  done
  "${export_env[@]}" "$REP" list --kind tool --limit 20 --json |
    python3 -c 'import json, sys; print("\n".join(e["id"] for e in json.load(sys.stdin)))' |
    while read -r id; do "${export_env[@]}" "$REP" rm "$id" -q >/dev/null; done
fi
db=$picker_db

tmux_() { tmux -S "$work/tmux.sock" -f /dev/null "$@"; }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { sort -n | tail -1; }

# One launch of `$1 $2` in a fresh 120x30 terminal: prints the screen clock's milliseconds;
# with $3 = type, also types "rsync" one key at a time, waiting for each refill.
launch() {
  local bin=$1 args=$2 typing=${3:-} timings=$work/timings
  rm -f "$timings"
  tmux_ kill-server 2>/dev/null || true
  local start
  start=$(now_ms)
  tmux_ new-session -d -x 120 -y 30 -s b \
    "env -i HOME=$work TERM=xterm-256color NO_COLOR=1 REP_DB=$db REP_CONFIG=$work/config.toml \
     REP_USER=bench REP_PICKER_TIMINGS=$timings $bin $args; sleep 30"
  local waited=0
  until tmux_ capture-pane -p -t b 2>/dev/null | grep -q "type to filter"; do
    sleep 0.002
    waited=$((waited + 1))
    [ "$waited" -lt 5000 ] || { echo "bench: $bin $args never showed its list" >&2; exit 1; }
  done
  echo $(($(now_ms) - start))
  if [ "$typing" = type ]; then
    local n=0 key
    for key in r s y n c; do
      n=$((n + 1))
      tmux_ send-keys -t b -l "$key"
      until [ "$(grep -c '^refill' "$timings" 2>/dev/null || true)" -ge "$n" ]; do sleep 0.002; done
    done
  fi
  tmux_ kill-server 2>/dev/null || true
}

rows=()
measure() { # name, binary, arguments, then "type" to type (a binary with REP_PICKER_TIMINGS)
  local name=$1 bin=$2 args=$3 typing=${4:-} screen=() own=() refills=()
  for _ in $(seq "$runs"); do
    screen+=("$(launch "$bin" "$args" "$typing")")
    if [ -f "$work/timings" ]; then
      own+=("$(awk '$1 == "first_frame" { print $2; exit }' "$work/timings")")
      while read -r ms; do refills+=("$ms"); done < <(awk '$1 == "refill" { print $2 }' "$work/timings")
    fi
  done
  local own_median="-" refill_median="-" refill_max="-"
  if [ "${#own[@]}" -gt 0 ]; then
    own_median=$(printf '%s\n' "${own[@]}" | median)
    refill_median=$(printf '%s\n' "${refills[@]}" | median)
    refill_max=$(printf '%s\n' "${refills[@]}" | maximum)
  fi
  rows+=("| $name | $own_median | $(printf '%s\n' "${screen[@]}" | median) | $refill_median | $refill_max |")
}

echo "== $size entries ($(du -h "$db" | cut -f1)), $runs launches each" >&2
measure "rep show (list of entries)" "$REP" "show --no-pager" type
measure "rep pick (Ctrl-G, tools)" "$REP" "pick" type
measure "rep resolve (problems, questions)" "$REP" "resolve" type
measure "rep history (live and deleted)" "$REP" "history --no-pager" type
if [ -n "${REP_BEFORE:-}" ]; then
  before=$(realpath "$REP_BEFORE")
  measure "before: rep show" "$before" "show --no-pager"
  measure "before: rep pick" "$before" "pick"
fi

echo "| picker, $size entries | first frame, rep's clock (ms) | first frame, on screen (ms) | refill per key, median (ms) | refill per key, max (ms) |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
