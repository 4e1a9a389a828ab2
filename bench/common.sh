# The preamble the bench scripts share; sourced, not run: `. "$(dirname "$0")/common.sh"`.
#
# It sets: `repo` (the checkout, also the working directory), `make_entries` (the corpus
# generator, MAKE_ENTRIES), `pages_args` (--pages from BENCH_PAGES, else the generator's
# default), `rep` (REP, else the release binary built here), `work` (BENCH_DIR, else a new temp
# dir removed at exit), and the environment every run of rep gets (REP_CONFIG, REP_USER,
# NO_COLOR). `need TOOL...` stops with exit 3 and the apt-get line when a tool is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

make_entries=${MAKE_ENTRIES:-$repo/bench/make_entries.py}
# The tldr pages it reads (bench/make_entries.py --help for the default).
pages_args=()
[ -z "${BENCH_PAGES:-}" ] || pages_args=(--pages "$BENCH_PAGES")

need() { # the tools a script needs; `time` is /usr/bin/time, not the shell's keyword
  local tool missing=()
  for tool in "$@"; do
    if [ "$tool" = time ]; then
      [ -x /usr/bin/time ] || missing+=(time)
    else
      command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "bench: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
}

# The binary measured: REP, else this checkout's release build.
bench_rep() {
  if [ -z "${REP:-}" ]; then
    cargo build --release --locked --quiet
    REP=$repo/target/release/rep
  fi
  rep=$(realpath "$REP")
  REP=$rep
}

# Where databases and files are kept: BENCH_DIR (kept, so two binaries can be compared on the
# same data), else a new temp dir removed at exit.
bench_work() {
  if [ -n "${BENCH_DIR:-}" ]; then
    work=$BENCH_DIR
    mkdir -p "$work"
  else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
  fi
  export REP_CONFIG=$work/config.toml REP_USER=bench NO_COLOR=1
}
