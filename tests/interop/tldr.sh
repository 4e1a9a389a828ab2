#!/usr/bin/env bash
# tldr, cheat and Markdown against the real clients: tealdeer (a tldr client, from crates.io)
# renders every page rep exports, and tldr-lint (the tldr project's linter, from npm) checks it.
#
# On the fixtures under tests/fixtures/foreign (translated tldr pages, pages whose file name is
# not their `# name`, cheat sheets in sub-folders and with CRLF, zk-style Markdown notes) it
# checks: every item imported, a second import changes nothing, an upstream edit updates the
# entry instead of adding one, every exported page passes tldr-lint, and `tldr --render` shows
# every command of every exported page. It prints, per format: items in / imported / skipped
# (with reasons) / shown by the client, and exits non-zero on any failure, including a client
# that cannot be installed: it never skips.
#
#   REP_BIN=target/debug/rep tests/interop/tldr.sh
#
# The clients are installed once into $REP_INTEROP_CACHE (default ~/.cache/rep-interop).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${REP_INTEROP_CACHE:-$HOME/.cache/rep-interop}
rep_bin=${REP_BIN:-target/debug/rep}
case $rep_bin in /*) ;; *) rep_bin=$root/$rep_bin ;; esac
fixtures=$root/tests/fixtures/foreign
# 1.9.1 pins (Cargo.lock) a webpki-roots release the registry no longer serves; 1.9.0 builds
# with --locked.
tealdeer_version=1.9.0

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
die() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ -x $rep_bin ]] || die "no rep binary at $rep_bin (build it, or set REP_BIN)"

tldr=$cache/tealdeer/bin/tldr
if [[ ! -x $tldr ]]; then
    echo "installing tealdeer $tealdeer_version into $cache/tealdeer" >&2
    cargo install --locked --root "$cache/tealdeer" tealdeer --version "$tealdeer_version" >&2 ||
        die "cannot install tealdeer from crates.io"
fi
lint=$cache/npm/node_modules/.bin/tldr-lint
if [[ ! -x $lint ]]; then
    echo "installing tldr-lint into $cache/npm" >&2
    mkdir -p "$cache/npm"
    npm install --prefix "$cache/npm" tldr-lint >&2 || die "cannot install tldr-lint from npm"
fi
[[ -x $tldr && -x $lint ]] || die "the clients are not where they were installed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
export HOME=$work/home NO_COLOR=1 REP_USER=interop REP_NOW=2026-12-01T12:00:00Z
unset REP_DB REP_CONFIG

# rep on the repertoire named by $db.
rep() { REP_DB=$work/$db.db REP_CONFIG=$work/config.toml "$rep_bin" "$@"; }
# A top-level number of a pretty-printed JSON report on stdin.
num() { sed -n "s/^  \"$1\": \([0-9]*\),\{0,1\}\$/\1/p" | head -n 1; }
# The skip reasons of a report, one per line.
reasons() { grep -o '"reason": "[^"]*"' | sed 's/^"reason": //' | sort | uniq -c || true; }

# What tealdeer prints for a command: `{{[-s|--long]}}` as `--long`, `{{x}}` as `x`.
rendered_form() {
    sed -E 's/\{\{\[[^]|]*\|([^]]*)\]\}\}/\1/g; s/\{\{([^}]*)\}\}/\1/g'
}

# Lint every page under $1 and render each with tealdeer; count pages and commands shown.
# Pages in scripts without letter case (Chinese, Japanese, Korean) are linted without the
# rules about capital letters and ASCII end punctuation, which cannot hold there.
pages=0
commands=0
shown=0
check_pages() {
    local dir=$1 page ignore out rendered line want
    pages=0 commands=0 shown=0
    while IFS= read -r -d '' page; do
        pages=$((pages + 1))
        ignore=()
        case $page in
            */pages.zh*/* | */pages.ja/* | */pages.ko/*) ignore=(--ignore "TLDR003,TLDR004,TLDR005,TLDR015,TLDR104") ;;
        esac
        if ! out=$("$lint" "${ignore[@]}" "$page" 2>&1); then
            fail "tldr-lint on ${page#"$dir"/}: $out"
        fi
        if ! rendered=$("$tldr" --render "$page" 2>&1); then
            fail "tldr --render ${page#"$dir"/}: $rendered"
            continue
        fi
        while IFS= read -r line; do
            commands=$((commands + 1))
            want=$(printf '%s\n' "$line" | rendered_form)
            if grep -qF -- "$want" <<<"$rendered"; then
                shown=$((shown + 1))
            else
                fail "tldr --render ${page#"$dir"/} does not show: $want"
            fi
        done < <(sed -n 's/^`\(.*\)`$/\1/p' "$page")
    done < <(find "$dir" -name '*.md' -print0 | sort -z)
}

# One format: import $2 with --from $1 into a fresh repertoire, again, after an edit of
# $3 (a file inside a copy of $2) by the sed expression $4, then export as tldr pages.
report_format() {
    local format=$1 source=$2 edit_file=$3 edit=$4 items=$5
    local copy=$work/$format-source first again edited entries_before entries_after
    db=$format
    rm -rf "$copy"
    cp -R "$source" "$copy"
    first=$(rep import --from "$format" "$copy" --json)
    local files added skipped
    files=$(num files <<<"$first")
    added=$(num added <<<"$first")
    skipped=$(num skipped <<<"$first")
    [[ $added == "$items" ]] || fail "$format: $items items in, $added imported"
    again=$(rep import --from "$format" "$copy" --json)
    [[ $(num added <<<"$again") == 0 && $(num updated <<<"$again") == 0 ]] ||
        fail "$format: a second import changed something: $again"
    entries_before=$(rep list --limit 0 --json | grep -c '"id":' || true)
    sed -i -E "$edit" "$copy/$edit_file"
    edited=$(rep import --from "$format" "$copy" --json)
    entries_after=$(rep list --limit 0 --json | grep -c '"id":' || true)
    [[ $(num updated <<<"$edited") == 1 && $(num added <<<"$edited") == 0 ]] ||
        fail "$format: an upstream edit of $edit_file did not update one entry: $edited"
    [[ $entries_before == "$entries_after" ]] ||
        fail "$format: the edit changed the number of entries ($entries_before, then $entries_after)"
    local out=$work/$format-pages
    rep export "$out" --format tldr -q
    check_pages "$out"
    printf '%-9s items in %3d | imported %3d | skipped %2d | exported pages %3d, commands shown by tldr --render %3d of %3d\n' \
        "$format" "$items" "$added" "$skipped" "$pages" "$shown" "$commands"
    if [[ $skipped != 0 ]]; then
        reasons <<<"$first" | sed 's/^/            skipped: /'
    fi
    : "$files"
}

count_files() { find "$1" -type f "${@:2}" | wc -l | tr -d ' '; }

# tldr: the English pages, four translations and the pages named unlike their `# name`.
mkdir -p "$work/tldr-all"
cp -R "$fixtures/tldr/." "$work/tldr-all/"
cp -R "$fixtures/tldr-names/." "$work/tldr-all/pages/"
rm -f "$work/tldr-all/README.txt" "$work/tldr-all/pages/README.txt"
tldr_items=$(count_files "$work/tldr-all" -name '*.md')
report_format tldr "$work/tldr-all" pages/common/jc.json.md 's/jc --dig`$/jc --dig --pretty`/' "$tldr_items"
# The exported pages are the imported ones, byte for byte, under their own names.
for page in common/jc.md common/jc.json.md common/colon.md 'common/$.md' linux/st.term.md; do
    cmp -s "$work/tldr-source/pages/$page" "$work/tldr-pages/$page" ||
        fail "tldr: $page is not exported as it was imported"
done
for page in pages.de/common/tar.md pages.fr/common/tar.md pages.zh/common/tar.md pages.pt_BR/linux/ss.md; do
    cmp -s "$work/tldr-source/$page" "$work/tldr-pages/$page" ||
        fail "tldr: the translation $page is not exported as it was imported"
done

# cheat: sheets at the top and in a sub-folder, one with CRLF; README.md and an image are not
# sheets (cheat passes over files with an extension).
cheat_items=$(find "$fixtures/cheat-tree" -type f ! -name '*.*' | wc -l | tr -d ' ')
report_format cheat "$fixtures/cheat-tree" git 's/git shortlog -sn/git shortlog -sne/' "$cheat_items"
# A command starts on a line that is not a comment, blank, front matter or a continuation.
sheet_commands=$(grep -hv '^#\|^---\|^syntax:\|^tags:' "$fixtures/cheat-tree/git" "$fixtures/cheat-tree/ss" \
    "$fixtures/cheat-tree/vim-plugins/vim-fzf" | grep -c '^[^[:space:]]' || true)
[[ $commands == "$sheet_commands" ]] ||
    fail "cheat: the sheets hold $sheet_commands commands, the exported pages $commands"

# Markdown: zk-style front matter and plain notes. Notes carry no commands; their pages must
# still pass tldr-lint and render.
md_items=$(count_files "$fixtures/markdown-zk" -name '*.md')
report_format markdown "$fixtures/markdown-zk" case.md 's/when the table has grown/when the table has grown twice/' "$md_items"
# rep's own Markdown export, read back: the same entries, index pages skipped.
db=markdown
rep export "$work/site" --format markdown -q
back=$(rep import --from markdown "$work/site" --json)
[[ $(num added <<<"$back") == 0 && $(num updated <<<"$back") == 0 && $(num unchanged <<<"$back") == "$md_items" ]] ||
    fail "markdown: rep's own export did not read back as the same entries: $back"

if ((failures > 0)); then
    echo "tldr interop: $failures failures" >&2
    exit 1
fi
echo "tldr interop: every check passed"
