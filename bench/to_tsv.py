#!/usr/bin/env python3
"""The entries of an exchange file as TSV (title, tags, body, command), for the sqlite3 shell's
reference load of the same data into a plain FTS5 table (bench/sharing.sh)."""
import json, sys

out = open(sys.argv[2], "w", encoding="utf-8")
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    if i == 0:
        continue
    r = json.loads(line)
    if r["type"] != "entry":
        continue
    cells = [r["title"]["value"], " ".join(r["tags"]), r["body"]["value"], r["command"]["value"] or ""]
    out.write("\t".join(c.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n") for c in cells) + "\n")
