#!/usr/bin/env python3
"""bench/cpu_runs.py DB RUNS -- REP args... [--- REP2 args...]: per command, the medians over RUNS
interleaved
whole-process runs of CPU time (user+sys, from wait4) and wall time. DB "-" leaves REP_DB as it
is. The max RSS it prints includes the Python parent at fork: use /usr/bin/time -v for memory.

    python3 bench/cpu_runs.py /tmp/rep.db 7 -- rep gaps --- rep gaps --limit 1
"""
import os, sys, time, statistics as st, subprocess
db, runs = sys.argv[1], int(sys.argv[2])
rest = sys.argv[4:]
cmds, cur = [], []
for a in rest:
    if a == '---':
        cmds.append(cur); cur = []
    else:
        cur.append(a)
cmds.append(cur)
env = dict(os.environ, REP_USER='bench', NO_COLOR='1',
           REP_NOW='2026-11-27T00:00:00Z')
env.setdefault('REP_CONFIG', '/nonexistent/rep-bench.toml')
if db != '-':
    env['REP_DB'] = db
res = [[] for _ in cmds]
for _ in range(runs):
    for i, c in enumerate(cmds):
        t = time.monotonic()
        p = subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        w = time.monotonic() - t
        res[i].append((ru.ru_utime + ru.ru_stime, w, ru.ru_maxrss, status))
for c, r in zip(cmds, res):
    print("%-45s cpu %7.1f ms  wall %7.1f ms  maxrss %5.1f MB  rc %s  (n=%d)" % (
        ' '.join(os.path.basename(c[0]) if j == 0 else x for j, x in enumerate(c))[:45],
        st.median(x[0] for x in r) * 1000, st.median(x[1] for x in r) * 1000,
        max(x[2] for x in r) / 1024, sorted(set(x[3] >> 8 for x in r)), len(r)))
