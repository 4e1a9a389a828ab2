#!/usr/bin/env bash
# Load a small starter repertoire (15 entries from a made-up platform team) and search it.
#
#   examples/starter.sh                     # into your default database (what the README runs)
#   REP_DB=/tmp/try.db examples/starter.sh  # into another database
#
# The entries carry the tag `starter`; a second run finds them and only searches. To remove them
# later: rep list --tag starter --limit 0 --json | jq -r '.[].id' | xargs -n1 rep rm
# Exits non-zero if a search does not rank the expected entry first.
set -euo pipefail

if ! command -v rep >/dev/null 2>&1; then
  echo "starter: rep is not on PATH; run \`cargo install --locked --path .\` first" >&2
  exit 1
fi
where=${REP_DB:-your default database}
echo "== starter repertoire in $where"

# One entry, as a member of the team; prints the new entry's full id.
log() { # member kind domain title tags [rep add options...]
  local member=$1 kind=$2 domain=$3 title=$4 tags=$5
  shift 5
  rep --as "$member" -q add "$kind" "$title" -d "$domain" -t "starter,$tags" "$@"
}

# The full id of the first entry in `rep ... --json` output (no jq needed on a fresh machine).
first_id() { sed -n 's/^    "id": "\(.*\)",$/\1/p' | head -n 1; }

expect_first() { # expected-id query...
  local expected=$1 got
  shift
  got=$(rep -q search "$@" --limit 1 --json | first_id)
  if [ "$got" != "$expected" ]; then
    echo "starter: \`rep search $*\` ranked $got first, expected $expected" >&2
    exit 1
  fi
}

if [ -n "$(rep -q list --tag starter --limit 1)" ]; then
  echo "(already loaded: searching only)"
  locks=$(rep -q list --tag starter --tag locks --limit 1 --json | first_id)
  wal=$(rep -q list --tag starter --tag wal --limit 1 --json | first_id)
  dns=$(rep -q list --tag starter --tag dns --limit 1 --json | first_id)
else
  locks=$(log ana tool postgres "Show which sessions hold or wait for locks" locks,debugging \
    --cmd "SELECT a.pid, a.state, l.mode, l.granted, a.query FROM pg_locks l JOIN pg_stat_activity a USING (pid) ORDER BY l.granted, a.query_start;" \
    -m "Sessions with granted = false are waiting. The oldest granted lock on the same relation is usually the culprit; look at its query before reaching for pg_terminate_backend.")
  log ana tool postgres "Tables where autovacuum is falling behind" vacuum,bloat \
    --cmd "SELECT relname, n_dead_tup, last_autovacuum FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10;" \
    -m "A table with millions of dead tuples and an old last_autovacuum needs a lower autovacuum_vacuum_scale_factor." >/dev/null
  wal=$(log bruno story postgres "The night the WAL filled the disk" wal,replication,incident \
    -m "A replica was decommissioned but its replication slot stayed. The primary kept every WAL segment for it until the disk filled at 03:00.

What we changed: drop slots together with replicas, and alert when pg_replication_slots shows a slot that is not active.")
  log chen problem postgres "Queries are slow every Monday morning" planner,analyze \
    -m "The weekend import replaces most rows of the orders table and the planner keeps the old statistics until autovacuum gets to ANALYZE. Running ANALYZE orders at the end of the import fixed it." >/dev/null
  dns=$(log dara tool k8s/networking "Test DNS resolution from inside the cluster" dns,debugging \
    --cmd "kubectl run dnscheck --rm -it --image=busybox:1.36 --restart=Never -- nslookup kubernetes.default" \
    -m "If this fails, look at the CoreDNS pods in kube-system before blaming the application.")
  log dara problem k8s/networking "A service has no endpoints after a deploy" services,labels \
    --cmd "kubectl get endpoints my-service -o wide" \
    -m "The service selector no longer matches the pod labels, usually after a label was renamed in the deployment template. Compare kubectl describe service with the labels of the running pods." >/dev/null
  log bruno story k8s/networking "Why the ingress returned 502s for ten minutes" ingress,graceful-shutdown \
    -m "Pods were killed before the ingress controller had removed them from its upstreams. A preStop hook that sleeps a few seconds gives the endpoints time to update." >/dev/null
  log chen tool k8s "Follow the logs of every pod of an app" logs \
    --cmd "kubectl logs -f -l app=api --all-containers --prefix --max-log-requests=10" >/dev/null
  log ana tool git "Find the commit that broke a test" bisect,debugging \
    --cmd "git bisect start HEAD v1.4.0 && git bisect run cargo test --quiet broken_test" \
    -m "bisect run marks each commit good or bad from the exit code of the command, so the search needs no attention." >/dev/null
  log bruno tool git "Undo the last commit but keep its changes" undo \
    --cmd "git reset --soft HEAD~1" >/dev/null
  log ana tool git "Read the history of one file, change by change" history \
    --cmd "git log -p --follow -- path/to/file" >/dev/null
  log eli question git "How do we sign commits on the shared build machine?" signing \
    -m "The release job needs signed tags. Who holds the key, and is there an SSH signing key we can use instead of GPG?" >/dev/null
  log eli story onboarding "What new people asked about most in their first week" access,vpn \
    -m "VPN access, the staging database and where the runbooks are. Each now has an entry here." >/dev/null
  log dara tool onboarding "Get read access to the staging database" access \
    --link "https://wiki.example.org/platform/staging-access" \
    -m "Open a request with the template on the wiki page; a member of the platform team approves it within a day." >/dev/null
  log chen question onboarding "Where do the on-call runbooks live?" on-call >/dev/null
  echo "(loaded 15 entries)"
fi

echo
echo "== rep search lock"
rep search lock
echo
echo "== rep search wal disk"
rep search wal disk
echo
echo "== rep search dns --domain k8s   (k8s includes k8s/networking)"
rep search dns --domain k8s
echo
echo "== rep domains"
rep domains

expect_first "$locks" lock
expect_first "$wal" wal disk
expect_first "$dns" dns --domain k8s

echo
echo "Next: rep show ID, rep list --domain postgres, rep search --help"
