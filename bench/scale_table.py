#!/usr/bin/env python3
"""Print bench/scale.sh's figures (TSV files of size, key, what, rep, shell, target) as its
two Markdown tables: every figure, then each figure's growth from one size to the next, with
the per-entry and per-hit costs taken from the two largest sizes (the fixed costs cancel).

    python3 bench/scale_table.py results.tsv [more.tsv ...]
"""
import sys
from collections import OrderedDict

rows = []
for path in sys.argv[1:]:
    rows += [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8") if line.strip()]
rows.sort(key=lambda r: int(r[0]))  # stable: each size keeps its order of figures
print("| entries | figure | rep | sqlite3 shell | target |")
print("|---:|---|---:|---:|---|")
for n, key, what, rep, shell, target in rows:
    print(f"| {int(n):,} | {what} | {rep} | {shell} | {target} |")

# Growth of each number of a figure ("wall; CPU; memory" for the quick commands), size over
# the size before.
def numbers(value):
    out = []
    for part in value.split(";"):
        try:
            out.append(float(part.strip().split(" ")[0].split(",")[0]))
        except ValueError:
            out.append(None)
    return out

PARTS = ["wall", "CPU", "memory"]
by = OrderedDict()
sizes = []
for n, key, what, rep, shell, target in rows:
    n = int(n)
    if n not in sizes:
        sizes.append(n)
    values = numbers(rep)
    for i, v in enumerate(values):
        label = what.split(" (")[0] + (f", {PARTS[i]}" if len(values) > 1 else "")
        by.setdefault((key, i), [label, {}])[1][n] = v
if len(sizes) > 1:
    print()
    head = " | ".join(f"{s:,}" for s in sizes)
    growth = " | ".join(f"{b:,} → {a:,}" for b, a in zip(sizes, sizes[1:]))
    print(f"| figure | {head} | {growth} |")
    print("|---|" + "---:|" * (2 * len(sizes) - 1))
    for (key, i), (label, values) in by.items():
        if key in ("size", "hits") and i > 0:
            continue
        cells = [values.get(s) for s in sizes]
        shown = " | ".join("" if c is None else f"{c:g}" for c in cells)
        factors = " | ".join(
            f"{a / b:.1f}×" if a is not None and b else "" for b, a in zip(cells, cells[1:]))
        print(f"| {label} | {shown} | {factors} |")
    big, small = sizes[-1], sizes[-2]
    print()
    print(f"Per-entry and per-hit costs, from {small:,} to {big:,} entries (fixed costs cancel):")
    for key, label in (("import_cpu", "import, CPU"), ("import_wall", "import, wall"),
                       ("export_cpu", "export, CPU"), ("export_wall", "export, wall")):
        v = by.get((key, 0), [None, {}])[1]
        if v.get(big) and v.get(small):
            print(f"- {label}: {(v[big] - v[small]) * 1000 / (big - small):.1f} µs per entry")
    hits, search = by.get(("hits", 0), [None, {}])[1], by.get(("search", 1), [None, {}])[1]
    if hits.get(big) and hits.get(small) and search.get(big) and search.get(small) and hits[big] != hits[small]:
        per_hit = (search[big] - search[small]) * 1000 / (hits[big] - hits[small])
        print(f"- `rep search` of a common word, CPU: {per_hit:.2f} µs per entry holding it")
