"""Everything the matcher outputs, for a speed change to prove it changed nothing.

    .venv/bin/python bench/match_golden.py OUT_DIR [--explain-every N]

Writes one JSON-lines file per (watchlist, text set): for each text, `Matcher.match()` in full
(scores, entities, terms, snippets) and `Matcher.explain()` (of every Nth text with
--explain-every N; all by default, about 15 s in all).
Watchlists: the checkout's default and the two 5,000-term watchlists bench/match.py builds
(generated and real names). Text sets: ../shared/corpus/news-pages, the relevance dev set and
tests/matcher_labelled.jsonl. Run it before and after a change and `diff -r` the two folders.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import match as bench_match  # noqa: E402
import relevance  # noqa: E402

from mediawatch import matcher  # noqa: E402
from mediawatch.config import load_watchlist  # noqa: E402


def text_sets() -> dict[str, list[tuple[str, str]]]:
    news, _source = bench_match.load_texts()
    sets = {"news-pages": news}
    for name, path in (("dev", relevance.DEV), ("labelled", ROOT / "tests/matcher_labelled.jsonl")):
        if path.exists():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            sets[name] = [(r.get("title") or "", r.get("text") or "") for r in rows if r]
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--explain-every", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sets = text_sets()
    news = sets["news-pages"]
    watchlists = {
        "default": load_watchlist(ROOT),
        "generated": matcher.compile(
            bench_match.watchlist_of(bench_match.generated_terms(news, 5000))
        ),
        "real": matcher.compile(bench_match.watchlist_of(bench_match.real_terms(5000))),
    }
    for wname, m in watchlists.items():
        for sname, texts in sets.items():
            with open(args.out / f"{wname}-{sname}.jsonl", "w", encoding="utf-8") as out:
                for i, (title, text) in enumerate(texts):
                    row: dict = {"i": i, "match": [t.to_dict() for t in m.match(title, text)]}
                    if i % args.explain_every == 0:
                        row["explain"] = m.explain(title, text)
                    out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            print(f"{wname}-{sname}: {len(texts)} texts", flush=True)


if __name__ == "__main__":
    main()
