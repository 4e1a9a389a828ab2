#!/usr/bin/env python3
"""Turn bench/make_entries.py output into a repertoire exchange file (docs/format.md) that
`rep import` loads: the benchmarks build their repertoires through the real import path.

    python3 bench/make_entries.py -n 100000 --community --members 1000 -o entries.jsonl
    python3 bench/make_export.py entries.jsonl -o repertoire.jsonl [--practice]

Deterministic for a seed. Entries are spread over the year before 2026-11-27. With --practice,
questions and problems also get replies (some accepted), occurrences and endorsements from the
same skewed member population, so that `rep map`, `rep gaps` and `rep who` have work to do.
"""
import argparse, itertools, json, random, sys, uuid

END_MS = 1795737600000  # 2026-11-27T00:00:00Z
YEAR_MS = 365 * 24 * 3600 * 1000


def stamp(ms, replica):
    return f"{ms:013d}.{0:06d}.{replica}"


def iso(ms):
    import datetime
    t = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def versioned(value, ms, replica, by):
    return {"value": value, "at": stamp(ms, replica), "by": by}


def clean_tag(tag):
    tag = "-".join(tag.strip().lstrip("#").lower().split())
    if not tag or "," in tag or len(tag) > 64 or any(ord(c) < 32 for c in tag):
        return None
    return tag


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--out", default="-")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--practice", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    replica = "%032x" % rng.getrandbits(128)
    entries, replies = [], []
    members = set()
    with open(a.input, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    for row in rows:
        members.add(row["author"])
    members = sorted(members)
    # Cumulative once (`choices(weights=...)` accumulates them on every call): same draws.
    cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(members))))
    for row in rows:
        eid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        ms = END_MS - rng.randrange(YEAR_MS)
        by = row["author"]
        title = " ".join(row["title"].split())[:300].strip()
        tags = {}
        for t in row.get("tags", []):
            t = clean_tag(t)
            if t:
                tags[t] = {"present": True, "at": stamp(ms, replica)}
        command = row.get("command") or None
        if command is not None and len(command.encode()) > 8192:
            command = None
        e = {
            "type": "entry", "id": eid, "created_at": iso(ms), "author": by,
            "kind": versioned(row["kind"], ms, replica, by),
            "title": versioned(title, ms, replica, by),
            "body": versioned(row.get("body", ""), ms, replica, by),
            "domain": versioned(row["domain"], ms, replica, by),
            "command": versioned(command, ms, replica, by),
            "link": versioned(None, ms, replica, by),
            "deleted": versioned(False, ms, replica, by),
            "tags": dict(sorted(tags.items())),
        }
        occurrences = []
        if a.practice and row["kind"] in ("question", "problem"):
            for _ in range(rng.choice([0, 0, 0, 1, 2, 4])):
                at = min(END_MS, ms + rng.randrange(30 * 24 * 3600 * 1000))
                occurrences.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                    "member": rng.choices(members, cum_weights=cum)[0], "at": iso(at)})
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                at = min(END_MS, ms + rng.randrange(7 * 24 * 3600 * 1000))
                who = rng.choices(members, cum_weights=cum)[0]
                accepted = rng.random() < 0.4
                r = {"type": "reply", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                     "entry": eid, "created_at": iso(at), "author": who,
                     "body": f"Answer to {title[:60]}: try {row.get('command') or 'the docs'}",
                     "accepted": versioned(accepted, at, replica, by),
                     "deleted": versioned(False, at, replica, who)}
                replies.append(r)
                if accepted:
                    e["resolved"] = versioned(True, at, replica, by)
        if a.practice and rng.random() < 0.1:
            e["helped"] = {m: stamp(ms + 1, replica) for m in sorted(set(rng.choices(members, cum_weights=cum, k=3)))}
        if occurrences:
            # after `helped`: the exchange format's fixed key order
            e["occurrences"] = sorted(occurrences, key=lambda o: o["id"])
        entries.append(e)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    out.write(json.dumps({"format": "repertoire", "version": "1.0"}, separators=(",", ":")) + "\n")
    for rec in sorted(entries, key=lambda r: r["id"]) + sorted(replies, key=lambda r: r["id"]):
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    if out is not sys.stdout:
        out.close()
    print(f"{len(entries)} entries, {len(replies)} replies", file=sys.stderr)


if __name__ == "__main__":
    main()
