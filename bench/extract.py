"""Extraction quality and speed: mediawatch's extract() against plain trafilatura on the same pages.

Usage: .venv/bin/python bench/extract.py [CORPUS_DIR] [--show N] [--only mediawatch|trafilatura]

CORPUS_DIR defaults to ../shared/corpus/news-pages (html/*.html.gz + ground_truth.json).
Scoring follows the corpus README: body tokens re.findall(r"\\w+"), 4-token shingles as multisets,
precision and recall averaged over pages, F1 the harmonic mean of the two averages; title exact after
whitespace folding; date the same calendar day; author the first expected author's name found in the
extracted author string, case-insensitive (pages without an expected author are left out of it).
Plain trafilatura is bare_extraction with its defaults, the url, and with_metadata=True (without it,
trafilatura returns no title, date or author at all).

Dates: "date" compares the calendar day as each side writes it (mediawatch's `published`, which keeps
the page's UTC offset, as `mediawatch extract` prints it); "date (UTC day)" compares both in UTC when
both carry a zone (mediawatch's `published_at`, as stored). pages/s times extraction only (pages are
read and gunzipped first), each page through both extractors in turn so machine load hits both alike.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "news-pages"
WORD = re.compile(r"\w+")


def shingles(text: str | None) -> Counter:
    tokens = WORD.findall(text or "")
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def body_pr(got: str | None, expected: str | None) -> tuple[float, float]:
    g, e = shingles(got), shingles(expected)
    common = sum((g & e).values())
    precision = common / sum(g.values()) if g else 0.0
    recall = common / sum(e.values()) if e else 0.0
    return precision, recall


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


def parse_moment(value) -> tuple[datetime | None, bool]:
    """(moment, has_time_zone); date-only and naive values count as UTC without a zone."""
    if not value or str(value) == "None":
        return None, False
    text = str(value).strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text[:10])
        except ValueError:
            return None, False
    return moment, moment.tzinfo is not None


def same_day(got, expected) -> tuple[bool, bool]:
    """(same day as written, same day in UTC): written = both dates as they stand on the page;
    UTC = both converted to UTC when both carry a time zone, else as written."""
    g, g_tz = parse_moment(got)
    e, e_tz = parse_moment(expected)
    if g is None or e is None:
        return False, False
    written = g.date() == e.date()
    if g_tz and e_tz:
        return written, g.astimezone(UTC).date() == e.astimezone(UTC).date()
    return written, written


def expected_authors(raw) -> list[str]:
    if raw in (None, "", "None"):
        return []
    if isinstance(raw, list):
        return [str(a) for a in raw]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return [raw]
    return [str(a) for a in value] if isinstance(value, list | tuple) else [str(value)]


def run_mediawatch(html: bytes, url: str) -> dict:
    from scrapers.extract import ExtractionError, extract

    try:
        got = extract(html, url=url)
    except ExtractionError:
        return {}
    return {
        "title": got.title,
        "text": got.text,
        "date": got.published_local or got.published_at,
        "date_utc": got.published_at,
        "author": "; ".join(got.authors),
    }


def run_trafilatura(html: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {}
    return {
        "title": doc.title,
        "text": doc.text,
        "date": doc.date,
        "date_utc": doc.date,
        "author": doc.author or "",
    }


def warm_mediawatch() -> None:
    from scrapers.language import detect_language

    detect_language("load the language model once, as a long-running crawl does")


RUNNERS = {"mediawatch": run_mediawatch, "trafilatura": run_trafilatura}
WARMUPS = {"mediawatch": warm_mediawatch}


def load(corpus: Path) -> list[tuple[str, dict, bytes]]:
    truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        path = corpus / "html" / f"{page_id}.html.gz"
        if path.exists():
            pages.append((page_id, truth[page_id], gzip.decompress(path.read_bytes())))
    return pages


def run_all(names: list[str], pages) -> dict[str, tuple[list, float]]:
    """Each page through every extractor in turn, so load from other processes hits all alike."""
    for name in names:
        RUNNERS[name](pages[0][2], pages[0][1]["url"])  # warm-up: imports and lazy loading
        if name in WARMUPS:
            WARMUPS[name]()
    results: dict[str, list] = {name: [] for name in names}
    elapsed = dict.fromkeys(names, 0.0)
    for page_id, truth, html in pages:
        for name in names:
            start = time.perf_counter()
            got = RUNNERS[name](html, truth["url"])
            elapsed[name] += time.perf_counter() - start
            results[name].append((page_id, truth, got))
    return {name: (results[name], elapsed[name]) for name in names}


def score(name: str, results: list, elapsed: float, show: int) -> dict:
    ps, rs, titles, dates, dates_utc, authors, n_authors = [], [], 0, 0, 0, 0, 0
    misses: dict[str, list[str]] = {"title": [], "date": [], "author": [], "body": []}
    for page_id, truth, got in results:
        p, r = body_pr(got.get("text"), truth.get("articleBody"))
        ps.append(p)
        rs.append(r)
        if p < 0.8 or r < 0.8:
            misses["body"].append(f"{page_id}: P={p:.2f} R={r:.2f}")
        if fold(got.get("title")) == fold(truth.get("title")):
            titles += 1
        else:
            misses["title"].append(f"{page_id}: {got.get('title')!r} != {truth.get('title')!r}")
        written, _ = same_day(got.get("date"), truth.get("datePublished"))
        _, in_utc = same_day(got.get("date_utc"), truth.get("datePublished"))
        dates += written
        dates_utc += in_utc
        if not written:
            misses["date"].append(
                f"{page_id}: {got.get('date')!r} != {truth.get('datePublished')!r}"
            )
        names = expected_authors(truth.get("author"))
        if names:
            n_authors += 1
            if names[0].lower() in (got.get("author") or "").lower():
                authors += 1
            else:
                misses["author"].append(f"{page_id}: {got.get('author')!r} vs {names}")

    n = len(results)
    precision, recall = sum(ps) / n, sum(rs) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if show:
        for field, lines in misses.items():
            print(f"--- {name}: {field} misses ({len(lines)})")
            for line in lines[:show]:
                print("   ", line)
    return {
        "pages": n,
        "body P": precision,
        "body R": recall,
        "body F1": f1,
        "title": titles / n,
        "date": dates / n,
        "date (UTC day)": dates_utc / n,
        "author": authors / n_authors if n_authors else 0.0,
        "pages/s": n / elapsed if elapsed else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show", type=int, default=0, help="list up to N misses per field")
    parser.add_argument("--only", choices=sorted(RUNNERS))
    args = parser.parse_args()
    pages = load(args.corpus)
    if not pages:
        sys.exit(f"no pages under {args.corpus}")
    names = [args.only] if args.only else ["mediawatch", "trafilatura"]
    runs = run_all(names, pages)
    figures = {name: score(name, *runs[name], args.show) for name in names}
    rows = list(next(iter(figures.values())))
    print(f"{'':16}" + "".join(f"{name:>14}" for name in names))
    for row in rows:
        cells = "".join(
            f"{figures[name][row]:>14.0f}"
            if row == "pages"
            else f"{figures[name][row]:>14.1f}"
            if row == "pages/s"
            else f"{figures[name][row]:>14.3f}"
            for name in names
        )
        print(f"{row:16}{cells}")


if __name__ == "__main__":
    main()
