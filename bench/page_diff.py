#!/usr/bin/env python3
"""Which B-trees a write changed: compare two copies of one SQLite file page by page and count
the pages that differ (or are new) by the table or index that owns them in the second copy.

    python3 bench/page_diff.py BEFORE.db AFTER.db

Both files must be checkpointed (no write-ahead log beside them). Needs an SQLite with the
dbstat table (Debian's has it). Used for issue 18's import of 10,000 entries into 1,000,000
(docs/performance.md).
"""
import collections
import sqlite3
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    before, after = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(f"file:{after}?mode=ro", uri=True)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    owner = dict((pageno, name) for name, pageno in db.execute("SELECT name, pageno FROM dbstat"))
    changed = []
    with open(before, "rb") as a, open(after, "rb") as b:
        number = 0
        while True:
            new = b.read(page_size)
            if not new:
                break
            number += 1
            if a.read(page_size) != new:
                changed.append(number)
    print(f"{len(changed)} pages of {page_size} bytes changed or new")
    counts = collections.Counter(owner.get(p, "(free list)") for p in changed)
    for name, n in counts.most_common():
        print(f"{n:8d} {n * page_size / 1048576:8.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
