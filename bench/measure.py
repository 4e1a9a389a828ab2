#!/usr/bin/env python3
"""Run one command several times and print the medians of what it cost, as one JSON object:
wall time, CPU time (user + system, of the process and its threads), peak memory, and, with
--watch DIR, the peak of the extra disk space the files in DIR took while it ran.

    python3 bench/measure.py --runs 5 --prepare 'rm -f db db-wal db-shm' --watch DIR -- rep import f
    -> {"runs": 5, "wall_ms": ..., "cpu_ms": ..., "user_ms": ..., "sys_ms": ..., "rss_mb": ...,
        "disk_peak_mb": ..., "disk_final_mb": ...}

hyperfine gives better wall times for commands of a few milliseconds (bench/scale.sh uses it for
those); this gives the CPU time and memory per run, from the kernel's own accounting of the
child (wait4), which a busy machine does not inflate the way it does wall time. The disk is
polled every 10 ms (allocated blocks of every file in DIR, recursively), so a peak shorter than
that can be missed; a database's write-ahead log and scratch files live for seconds.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def disk_bytes(root):
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except FileNotFoundError:
                pass  # a scratch file removed while we looked
    return total


def one_run(command, watch, stdin):
    peak = [0]
    stop = threading.Event()
    before = disk_bytes(watch) if watch else 0

    def poll():
        while not stop.is_set():
            peak[0] = max(peak[0], disk_bytes(watch))
            stop.wait(0.01)

    poller = threading.Thread(target=poll) if watch else None
    if poller:
        poller.start()
    source = open(stdin, "rb") if stdin else subprocess.DEVNULL
    start = time.perf_counter()
    # Started by /usr/bin/time, a small process, which reports the peak memory: for a child
    # forked straight from this Python the kernel reports Python's own (about 15 MB) whenever
    # the command needs less. wait4 counts the command's time with its starter's.
    peak_file = os.path.join(tempfile.gettempdir(), f"measure-{os.getpid()}.rss")
    child = subprocess.Popen(["/usr/bin/time", "-o", peak_file, "-f", "%M"] + command,
                             stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if stdin:
        source.close()
    if poller:
        stop.set()
        poller.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"measure: {' '.join(command)} exited with {code}")
    after = disk_bytes(watch) if watch else 0
    with open(peak_file, encoding="utf-8") as f:
        peak_kib = int(f.read().split()[-1])
    os.remove(peak_file)
    return {
        "wall_ms": wall * 1000,
        "user_ms": usage.ru_utime * 1000,
        "sys_ms": usage.ru_stime * 1000,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "rss_mb": peak_kib / 1024,
        "disk_peak_mb": max(0, max(peak[0], after) - before) / 2**20,
        "disk_final_mb": max(0, after - before) / 2**20,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--prepare", help="shell command run before each run, not timed")
    ap.add_argument("--watch", help="folder whose disk use is followed")
    ap.add_argument("--stdin", help="file given as the command's standard input")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command or a.runs < 1:
        ap.error("give --runs 1 or more and a command after --")
    runs = []
    for _ in range(a.runs):
        if a.prepare:
            subprocess.run(a.prepare, shell=True, check=True)
        runs.append(one_run(command, a.watch, a.stdin))
    out = {"runs": a.runs}
    for key in runs[0]:
        out[key] = round(statistics.median(r[key] for r in runs), 2)
    out["rss_mb"] = round(max(r["rss_mb"] for r in runs), 1)  # the peak, not the median
    out["cpu_ms_all"] = [round(r["cpu_ms"]) for r in runs]
    out["wall_ms_all"] = [round(r["wall_ms"]) for r in runs]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
