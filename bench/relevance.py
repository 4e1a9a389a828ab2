#!/usr/bin/env python3
"""Relevance benchmark of `rep search` over the tldr pages (issue 14). Run by hand, not by CI.

A fixed random sample of pages (fixed seed), four queries generated from each page:

  name     the page's name as written                                expected first
  half     the name with its last word cut to max(4, len-2) letters   expected in the top 5
  typo     the name with one typo (swap, drop or double a letter) in   expected in the top 5
           a word of six letters or more (pages without one: skipped)
  task     the words of one of ITS example descriptions: one that no    expected in the top 10
           other page has word for word (tldr's bracket marks taken
           out), picked from the seed; the command's name left out

A hit counts when its name (the title before ` — `, as `rep import --from tldr` writes it) is the
page's name: tldr has pages of one name on several platforms (`common/ip`, `linux/ip`), and a
search cannot tell them apart by name. Many descriptions are the same on many pages ("Display
help", "View documentation for the original command" on every alias page): such a task is not
the page's own, and no ranking can put the one page in the top 10 of a task that 50 pages
describe word for word. So the task is drawn from the page's descriptions that no other page
has (the same seed, the same pick); only a page all of whose descriptions other pages share
falls back to the old draw, any of its descriptions. The old definition ("task, any
description": one of all its descriptions, as drawn before) is still measured, for comparison,
with its rate over the tasks whose description is on at most 10 pages, and for every page with
its most specific description (the one fewest pages share). For both definitions the most any
ranking could find is given: the n names that share one query share its ten results, so each
task counts min(1, 10/n). `--disjoint-from SEED` draws a second sample from the pages outside
the first, to check a change on pages it was not studied on. Prints the rates; `--failures
FILE` writes every query that missed, with what came first, for study.

    bench/relevance.py --rep target/release/rep --db /tmp/rel.db --pages ../shared/corpus/tldr/pages
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys

SEPARATOR = " — "
KINDS = [("name", 1), ("half", 5), ("typo", 5), ("task", 10)]
OWN = "task, pages with a description of their own"
TARGETS = {"name": 0.95, "half": 0.95, "typo": 0.80, "task": 0.95}


def read_page(path):
    name, examples = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if name is None and line.startswith("# "):
                name = line[2:].strip()
            elif line.startswith("- "):
                examples.append(line[2:].strip())
    return name, examples


def half_typed(name):
    words = name.split()
    last = words[-1]
    words[-1] = last[: max(4, len(last) - 2)]
    return " ".join(words)


def with_typo(name, rng):
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long_words:
        return None
    i = rng.choice(long_words)
    word = words[i]
    for _ in range(20):
        kind = rng.choice(["swap", "drop", "double"])
        if kind == "swap":
            p = rng.randrange(len(word) - 1)
            typo = word[:p] + word[p + 1] + word[p] + word[p + 2 :]
        elif kind == "drop":
            p = rng.randrange(len(word))
            typo = word[:p] + word[p + 1 :]
        else:
            p = rng.randrange(len(word))
            typo = word[: p + 1] + word[p:]
        if typo != word:
            words[i] = typo
            return " ".join(words)
    return None


def unmarked(description):
    """An example's description as a person would type it: E[x]tract -> Extract."""
    return re.sub(r"\[([^\]]*)\]", r"\1", description)


def task(name, examples, rng):
    """The old definition's task (any description), with the description, to tell how many
    pages share it. It draws from the sample's generator, as it always did, so the typos of the
    pages after it are the ones measured before."""
    if not examples:
        return None, None
    description = unmarked(rng.choice(examples))
    return task_words(name, description), description


def own_task(name, examples, pages_with, seed, page, fallback):
    """The task in the words of one of the page's own descriptions: of those no other page has
    word for word, one drawn by a generator of the seed and the page alone (so the draw is
    the same whatever else changes), else the old definition's `fallback`."""
    own = sorted({d for d in map(unmarked, examples)
                  if pages_with.get(d, 0) == 1 and task_words(name, d)})
    if not own:
        return fallback
    return task_words(name, random.Random(f"{seed}:{page}").choice(own))


def specific_task(name, examples, pages_with):
    """The task of the page's most specific description: the one fewest pages share (the first
    of those), as a person describes what this page does and no other."""
    if not examples:
        return None
    description = min((unmarked(e) for e in examples), key=lambda d: pages_with.get(d, 0))
    return task_words(name, description)


def task_words(name, description):
    text = description
    text = re.sub(r"\{\{|\}\}", " ", text)
    name_words = {w.lower() for w in re.split(r"[^\w]+", name) if w}
    words = []
    for word in re.split(r"[^\w'.-]+", text):
        word = word.strip(".'-")
        if word and word.lower() not in name_words:
            words.append(word)
    return " ".join(words) or None


def name_of(hit):
    return hit["title"].split(SEPARATOR, 1)[0].strip()


def search(rep, env, query, limit):
    out = subprocess.run(
        [rep, "search", "--json", "-n", str(limit), "--", query],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"rep search failed for {query!r}: {out.stderr}")
    return [name_of(h) for h in json.loads(out.stdout)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rep", required=True)
    ap.add_argument("--db", required=True, help="a database with the pages imported")
    ap.add_argument("--pages", required=True)
    ap.add_argument("--sample", type=int, default=400)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--disjoint-from", type=int, metavar="SEED",
                    help="draw the sample from the pages outside the sample of this seed (of the same size)")
    ap.add_argument("--failures", help="write the misses here")
    args = ap.parse_args()

    paths = sorted(
        os.path.join(root, f)
        for root, _, files in os.walk(args.pages)
        for f in files
        if f.endswith(".md")
    )
    if args.disjoint_from is not None:
        taken = set(random.Random(args.disjoint_from).sample(paths, args.sample))
        population = [p for p in paths if p not in taken]
    else:
        population = paths
    rng = random.Random(args.seed)
    sample = rng.sample(population, args.sample)
    env = dict(os.environ, REP_DB=args.db, NO_COLOR="1")
    env.pop("REP_NOW", None)

    # How many pages have each description, to tell the tasks that name one page from those
    # that name many.
    pages_with = {}
    for path in paths:
        for description in set(map(unmarked, read_page(path)[1])):
            pages_with[description] = pages_with.get(description, 0) + 1

    # The distinct names whose pages give each task query: one query has one list of results,
    # so of the n names that share a query at most 10 can be in its top 10, and a sampled task
    # can be found at best with odds min(1, 10/n), whatever the ranking.
    names_with = {}
    for path in paths:
        name, examples = read_page(path)
        for description in set(map(unmarked, examples)):
            query = task_words(name, description)
            if query:
                names_with.setdefault(query.lower(), set()).add(name.lower())
    ceiling = 0.0

    any_ceiling = 0.0
    fallbacks = 0

    old = [("task, any description", 10), ("task, any description on <= 10 pages", 10),
           ("task, specific", 10)]
    measured = KINDS + [old[0], old[2]]
    tally = {k: [0, 0] for k, _ in KINDS + old + [(OWN, 10)]}
    misses = []
    for path in sample:
        name, examples = read_page(path)
        typo = with_typo(name, rng)
        any_query, description = task(name, examples, rng)
        page = os.path.relpath(path, args.pages)
        task_query = own_task(name, examples, pages_with, args.seed, page, any_query)
        fell_back = task_query is any_query
        fallbacks += fell_back and any_query is not None
        queries = {"name": name, "half": half_typed(name), "typo": typo, "task": task_query,
                   "task, any description": any_query,
                   "task, specific": specific_task(name, examples, pages_with)}
        results = {}
        for kind, top in measured:
            query = queries[kind]
            if query is None:
                continue
            # One query, one list of results: the old and the new task are often the same.
            if (query, top) not in results:
                results[query, top] = search(args.rep, env, query, top)
            names = results[query, top]
            found = name.lower() in (n.lower() for n in names)
            tally[kind][0] += found
            tally[kind][1] += 1
            if kind == "task":
                ceiling += min(1.0, 10 / len(names_with[query.lower()]))
                if not fell_back:
                    tally[OWN][0] += found
                    tally[OWN][1] += 1
            if kind == "task, any description":
                any_ceiling += min(1.0, 10 / len(names_with[query.lower()]))
                if pages_with.get(description, 0) <= 10:
                    tally[old[1][0]][0] += found
                    tally[old[1][0]][1] += 1
            if not found:
                misses.append({"kind": kind, "page": os.path.relpath(path, args.pages), "query": query, "got": names})

    disjoint = "" if args.disjoint_from is None else f", none of seed {args.disjoint_from}'s"
    print(f"{len(sample)} pages, seed {args.seed}{disjoint}")
    print("| query | expected | found | rate | target |")
    print("|---|---|---:|---:|---:|")
    def row(kind, top):
        found, total = tally[kind]
        where = "first" if top == 1 else f"top {top}"
        target = f"{100 * TARGETS[kind]:.0f}%" if kind in TARGETS else ""
        print(f"| {kind} | {where} | {found}/{total} | {100 * found / total:.1f}% | {target} |")

    def most(kind, value):
        total = tally[kind][1]
        print(f"| {kind}, the most any ranking can find | top 10 | {value:.1f}/{total} | {100 * value / total:.1f}% | |")

    for kind, top in KINDS:
        row(kind, top)
    most("task", ceiling)
    print(f"| task: pages whose every description another page has (the old draw) | | {fallbacks} | | |")
    row(OWN, 10)
    for kind, top in old:
        row(kind, top)
    most("task, any description", any_ceiling)
    if args.failures:
        with open(args.failures, "w", encoding="utf-8") as f:
            for m in misses:
                f.write(json.dumps(m, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
