#!/usr/bin/env python3
"""Benchmark data from any folder of tldr-format pages: repertoire-shaped entries, as JSON Lines.

    python3 bench/make_entries.py --pages DIR -n 100000 -o /tmp/entries-100k.jsonl
    python3 bench/make_entries.py --pages DIR -n 100000 --community --members 1000 -o out.jsonl

DIR is any folder of tldr pages (`# name`, `> description` lines, `- what it does:` and
`` `command` `` pairs), walked recursively; a page's domain is the name of the folder that holds
it (the tldr platform). Without --pages: $REP_CORPUS/tldr/pages when REP_CORPUS is set, else
../shared/corpus/tldr/pages beside the repository when it exists, else the pages in
tests/fixtures/foreign/tldr/pages that ship with the repository (13 pages: enough to check the
scripts, too few for figures).

Each line is {"kind", "title", "body", "domain", "tags", "command", "author"}. With -n N the pages
are shuffled (seeded) and cycled; the k-th repeat of a page gets " ~k" on its title and a
"copy-k" tag so that every entry is distinct. With --community about a quarter of the entries
become questions, problems and stories, by a member population in which a few members write
most. The same pages, -n, --seed and flags always give the same bytes: on the shared corpus this
is the data every figure of docs/performance.md was measured on.
"""
import argparse
import itertools
import json
import os
import random
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_pages():
    corpus = os.environ.get("REP_CORPUS")
    if corpus:
        return os.path.join(corpus, "tldr", "pages")
    beside = os.path.join(os.path.dirname(REPO), "shared", "corpus", "tldr", "pages")
    if os.path.isdir(beside):
        return beside
    return os.path.join(REPO, "tests", "fixtures", "foreign", "tldr", "pages")


def page_files(root):
    """(domain, command name, path) of every page under root, in a stable order."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        domain = os.path.basename(folder) if folder != root else os.path.basename(root)
        for name in sorted(files):
            if name.endswith(".md"):
                found.append((os.path.relpath(folder, root), name, domain, os.path.join(folder, name)))
    # By folder, then by file name as it sorts with its ".md" (so "a-b.md" before "a-bc.md").
    found.sort()
    return [(domain, name[:-3], path) for _, name, domain, path in found]


def entry_of_page(domain, command, text):
    lines = text.splitlines()
    name = lines[0][2:].strip() if lines and lines[0].startswith("# ") else command
    summary = ""
    for line in lines:
        if line.startswith("> "):
            summary = line[2:].strip().rstrip(".")
            break
    first_command = next((line.strip("`") for line in lines if line.startswith("`")), "")
    tags = [command]
    if "-" in command:
        tags.append(command.split("-")[0])
    return {
        "kind": "tool",
        "title": f"{name}: {summary}" if summary else name,
        "body": "\n".join(lines[1:]).strip() + "\n",
        "domain": domain,
        "tags": tags,
        "command": first_command,
    }


def load_pages(root):
    pages = []
    for domain, command, path in page_files(root):
        with open(path, encoding="utf-8") as f:
            pages.append(entry_of_page(domain, command, f.read()))
    return pages


def community_shape(entry, roll):
    """Turn about a quarter of the tools into the other kinds, as a community writes them."""
    what = entry["title"].split(": ", 1)[-1].lower()
    if roll < 0.15:
        entry["kind"] = "question"
        entry["title"] = f"How do I use {entry['tags'][0]} to {what}?"
        entry["command"] = ""
    elif roll < 0.22:
        entry["kind"] = "problem"
        entry["title"] = f"{entry['tags'][0]} fails: {what}"
    elif roll < 0.27:
        entry["kind"] = "story"
        entry["command"] = ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=None, help="a folder of tldr-format pages")
    ap.add_argument("-n", type=int, default=0, help="entries (0 = every page once)")
    ap.add_argument("-o", "--out", default="-", help="output file (- = stdout)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--community", action="store_true", help="mix in questions, problems, stories")
    ap.add_argument("--members", type=int, default=50, help="size of the member population")
    args = ap.parse_args()
    if args.n < 0 or args.members < 1:
        ap.error("-n must be 0 or more and --members 1 or more")
    root = args.pages or default_pages()
    if not os.path.isdir(root):
        ap.error(f"no folder of tldr pages at {root}")
    pages = load_pages(root)
    if not pages:
        ap.error(f"no .md pages under {root}")

    rng = random.Random(args.seed)
    order = list(pages)
    rng.shuffle(order)
    members = [f"member{i:04d}" for i in range(args.members)]
    # Cumulative once: `choices(weights=...)` accumulates them on every call, which made a
    # million entries by 10,000 members take most of an hour. Same draws, same bytes.
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(members))))
    n = args.n or len(order)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    try:
        for i in range(n):
            entry = dict(order[i % len(order)])
            repeat = i // len(order)
            if repeat:
                entry["title"] = f"{entry['title']} ~{repeat}"
                entry["tags"] = entry["tags"] + [f"copy-{repeat}"]
            entry["author"] = rng.choices(members, cum_weights=cum_weights)[0]
            if args.community:
                community_shape(entry, rng.random())
            out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{len(pages)} pages from {root} -> {n} entries", file=sys.stderr)


if __name__ == "__main__":
    main()
