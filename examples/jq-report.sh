#!/usr/bin/env bash
# Script over `rep --json` with jq: a small team report, and checks that fail loudly.
# Runs on a throwaway database; needs rep and jq on PATH.
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export REP_DB=$tmp/rep.db REP_CONFIG=$tmp/config.toml REP_USER=ana
export REP_NOW=2026-03-02T09:00:00Z # a fixed clock makes the report reproducible

fail() { echo "jq-report: $*" >&2; exit 1; }

# Scripts should check the schema they were written against (docs/json.md).
schema=$(rep version --json | jq .json_schema)
[ "$schema" = 1 ] || fail "written for JSON schema 1, rep speaks $schema"

# Every `rep add --json` prints the whole entry; keep the ids we need later.
add() { rep add --json "$@" | jq -r .id; }
REP_NOW=2026-02-02T10:00:00Z REP_USER=bruno add tool "Count open files per process" -d linux -t shell \
  --cmd "lsof -n | awk '{ print \$2 }' | sort | uniq -c | sort -rn | head" >/dev/null
add tool "Retry a flaky command until it succeeds" -d linux -t shell \
  --cmd "until curl -fsS http://localhost:8080/health; do sleep 2; done" >/dev/null
add tool "Pretty-print JSON from the clipboard" -d linux -t shell,json --cmd "xclip -o | jq ." >/dev/null
vacuum=$(add tool "Vacuum one table and show what it did" -d postgres -t vacuum \
  --cmd "VACUUM (VERBOSE, ANALYZE) orders;")
REP_USER=chen add problem "Autovacuum never finishes on the events table" -d postgres -t vacuum \
  -m "Long-running transactions hold back the xmin horizon, so dead rows cannot be removed." >/dev/null
REP_USER=chen add question "Which pods may talk to the payments namespace?" -d k8s/networking \
  -t network-policy >/dev/null
REP_USER=dara add story "A NetworkPolicy that blocked DNS" -d k8s/networking -t network-policy,dns \
  -m "Default-deny egress also denied port 53; every lookup timed out." >/dev/null

all=$(rep list --limit 0 --json)

echo "== entries per domain"
echo "$all" | jq -r 'group_by(.domain)[] | "\(length)\t\(.[0].domain)"'
# The same figures straight from `rep domains`: they must agree.
from_list=$(echo "$all" | jq -c 'group_by(.domain) | map({name: .[0].domain, entries: length})')
from_domains=$(rep domains --json | jq -c .)
[ "$from_list" = "$from_domains" ] || fail "rep domains says $from_domains, rep list says $from_list"

echo
echo "== entries per member, most active first"
echo "$all" | jq -r 'group_by(.author) | sort_by(-length)[] | "\(length)\t\(.[0].author)"'

echo
echo "== commands of every tool tagged shell"
commands=$(rep list --kind tool --tag shell --limit 0 --json | jq -r '.[].command')
echo "$commands"
[ "$(echo "$commands" | wc -l)" = 3 ] || fail "expected 3 shell commands"

echo
echo "== added in the last 7 days (REP_NOW is $REP_NOW)"
recent=$(rep list --since 7d --limit 0 --json | jq -r '.[] | "\(.created_at)  \(.title)"')
echo "$recent"
[ "$(echo "$recent" | wc -l)" = 6 ] || fail "expected 6 entries in the last 7 days"

echo
echo "== best match for 'vacuum': the tool with vacuum in its title and tags"
top=$(rep search vacuum --json | jq -r '.[0] | "\(.id) \(.snippet)"')
echo "$top"
[ "${top%% *}" = "$vacuum" ] || fail "search ranked ${top%% *} first, expected $vacuum"

echo
echo "== open questions, as Markdown"
rep list --kind question --limit 0 --json |
  jq -r '.[] | "- [\(.short_id)] \(.title) (\(.domain), asked by \(.author))"'

echo
echo "== tags used more than once"
rep tags --json | jq -r '.[] | select(.entries > 1) | "\(.entries)\t\(.name)"'
[ "$(rep tags --json | jq -r '.[0].name')" = shell ] || fail "shell should be the most used tag"
