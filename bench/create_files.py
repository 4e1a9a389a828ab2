"""The floor under a static export: create the files of a site again (the same names and
sizes, in a fresh folder), one open, write and close each, as plain C would, and print the wall,
user and system seconds that took. bench/serve.sh runs it beside each export, so that the
export's time can be read against what this machine's file system needs for the same files.

    python3 bench/create_files.py SITE FRESH_FOLDER
"""
import os, sys, time
src, dst = sys.argv[1], sys.argv[2]
files = []
for root, _dirs, names in os.walk(src):
    for n in names:
        p = os.path.join(root, n)
        files.append((os.path.relpath(p, src), os.stat(p).st_size))
dirs = sorted({os.path.dirname(p) for p, _ in files})
buf = b"x" * max(s for _, s in files)
t0, w0 = os.times(), time.monotonic()
for d in dirs:
    os.makedirs(os.path.join(dst, d), exist_ok=True)
for p, size in files:
    fd = os.open(os.path.join(dst, p), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, buf[:size])
    os.close(fd)
t1, w1 = os.times(), time.monotonic()
print(f"{len(files)} files: wall {w1 - w0:.2f} s, user {t1.user - t0.user:.2f} s, sys {t1.system - t0.system:.2f} s")
