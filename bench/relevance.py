"""Precision and recall per topic on a labelled passage set: the matcher beside a naive keyword list.

    .venv/bin/python bench/relevance.py [--set PATH] [--watchlist DIR] [--errors] [--lang en|ur|fa]

The default set is ../shared/corpus/relevance-dev/passages.jsonl (300 real passages, labelled by
the topic definitions in the watchlist); tests/matcher_labelled.jsonl works too (its rows carry a
`topics` list instead of `labels`). Each passage goes through `Matcher.match(title, text)` exactly
as `mediawatch match --batch` sends it. The naive list is what a keyword alert would use: a few
names per topic, case-insensitive, whole words. --errors lists every miss and false flag with the
passage's tags, so failures can be grouped by class rather than fixed one by one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.config import load_watchlist  # noqa: E402

# ../shared beside the checkout (or beside the folder of worktrees)
DEV = next(
    (
        p / "shared" / "corpus" / "relevance-dev" / "passages.jsonl"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "corpus" / "relevance-dev").is_dir()
    ),
    ROOT.parent / "shared" / "corpus" / "relevance-dev" / "passages.jsonl",
)
TOPICS = ["balochistan", "cpec", "bla", "sistan-baluchestan"]

NAIVE = {
    "balochistan": [
        "Balochistan",
        "Baluchistan",
        "Quetta",
        "Gwadar",
        "Baloch",
        "بلوچستان",
        "کوئٹہ",
    ],
    "cpec": ["CPEC", "China-Pakistan Economic Corridor", "سی پیک"],
    "bla": ["BLA", "Balochistan Liberation Army", "Baloch Liberation Army", "بی ایل اے"],
    "sistan-baluchestan": ["Sistan", "Zahedan", "Chabahar", "سیستان", "زاهدان"],
}


def naive_matcher():
    patterns = {
        topic: re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
        )
        for topic, words in NAIVE.items()
    }
    return lambda title, text: {t for t, p in patterns.items() if p.search(f"{title}\n{text}")}


def load(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if "labels" in row:
            row["gold"] = {t for t, v in row["labels"].items() if v}
        else:
            row["gold"] = set(row.get("topics") or [])
        row.setdefault("title", "")
        rows.append(row)
    return rows


def score(rows: list[dict], flag) -> tuple[dict, list]:
    counts = {t: [0, 0, 0] for t in TOPICS}  # tp, fp, fn
    errors = []
    for row in rows:
        got = flag(row["title"], row["text"])
        for topic in TOPICS:
            if topic in got and topic in row["gold"]:
                counts[topic][0] += 1
            elif topic in got:
                counts[topic][1] += 1
                errors.append(("FP", topic, row))
            elif topic in row["gold"]:
                counts[topic][2] += 1
                errors.append(("FN", topic, row))
    return counts, errors


def pr(c: list[int]) -> tuple[float, float]:
    tp, fp, fn = c
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEV)
    parser.add_argument("--watchlist", type=Path, default=ROOT, help="folder of watchlist.yaml")
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--lang", help="only passages of this language")
    parser.add_argument(
        "--half",
        choices=["odd", "even"],
        help="only passages whose id ends in an odd/even number (develop on one, confirm on the other)",
    )
    args = parser.parse_args()
    rows = load(args.set)
    if args.lang:
        rows = [r for r in rows if r.get("lang") == args.lang]
    if args.half:
        parity = 1 if args.half == "odd" else 0
        rows = [r for r in rows if int(re.sub(r"\D", "", r.get("id", "0")) or 0) % 2 == parity]
    compiled = load_watchlist(args.watchlist)
    ours, errors = score(rows, lambda title, text: {m.topic for m in compiled.match(title, text)})
    naive, _ = score(rows, naive_matcher())
    print(f"{args.set} ({len(rows)} passages)")
    print(f"{'topic':20} {'P':>5} {'R':>5}   {'naive P':>7} {'naive R':>7}   tp/fp/fn")
    for topic in TOPICS:
        p, r = pr(ours[topic])
        np_, nr = pr(naive[topic])
        tp, fp, fn = ours[topic]
        print(f"{topic:20} {p:5.2f} {r:5.2f}   {np_:7.2f} {nr:7.2f}   {tp}/{fp}/{fn}")
    if args.errors:
        for kind, topic, row in sorted(errors, key=lambda e: (e[1], e[0])):
            tags = ",".join(row.get("tags") or [])
            print(f"\n{kind} {topic} {row['id']} [{row.get('lang', '')}] {tags}")
            if row.get("rationale"):
                print(f"   why: {row['rationale']}")
            print("   " + " ".join(row["text"].split())[:600])


if __name__ == "__main__":
    main()
