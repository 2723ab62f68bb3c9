"""Extraction quality and speed: mediawatch's extract() against plain trafilatura on the same pages.

Usage: .venv/bin/python bench/extract.py [CORPUS_DIR ...] [--show N] [--only NAME] [--no-default]
       [--half even|odd]

CORPUS_DIR (html/*.html.gz + ground_truth.json) defaults to both ../shared/corpus/news-pages and
../shared/corpus/wcxb-dev; each gets its own table. Scoring follows the corpus README: body tokens
re.findall(r"\\w+"), 4-token shingles as multisets, precision and recall averaged over pages, F1 the
harmonic mean of the two averages; title exact after whitespace folding; date the same calendar day,
over the pages that have an expected date; author the first expected author's name found in the
extracted author string, case-insensitive, over the pages that have an expected author.

The baseline ("trafilatura") is the call the product makes: the same bytes (decoded by trafilatura's
own load_html, as extract() does), the same URL, favor_recall=True, include_comments=False,
include_tables=True, plus with_metadata=True (without it trafilatura returns no title, date or
author at all). "traf-default" is trafilatura's default (balanced) mode, for reference.

Dates: "date" compares the calendar day as each side writes it (mediawatch's `published`, which keeps
the page's UTC offset, as `mediawatch extract` prints it); "date (UTC day)" compares both in UTC when
both carry a zone (mediawatch's `published_at`, as stored). Pages without an expected date are left
out of both, as the corpus README scores; "no date kept" is the share of them for which the
extractor gives no date either (a date there is either one the labels missed or an invented one,
such as a copyright year or a site-wide stamp). pages/s times extraction only (pages are
read and gunzipped first), each page through every extractor in turn so machine load hits all alike,
in an order that turns page by page so that no extractor pays alone for the caches they share.

--show N prints, per corpus and field, up to N of mediawatch's misses with the rule that produced the
value (title_source / date_source / author_source), and a count of misses by rule.
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

SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()),
    ROOT.parent / "shared",
)  # beside the checkout (a worktree one level deeper finds it one level up)
DEFAULT_CORPORA = [SHARED / "corpus" / name for name in ("news-pages", "wcxb-dev")]
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
    from mediawatch.scrapers.extract import ExtractionError, extract

    try:
        got = extract(html, url=url)
    except ExtractionError as exc:
        return {"error": str(exc)}
    return {
        "title": got.title,
        "text": got.text,
        "date": got.published_local or got.published_at,
        "date_utc": got.published_at,
        "author": "; ".join(got.authors),
        "rule": {
            "title": got.title_source,
            "date": got.date_source,
            "author": got.author_source,
            "body": got.body_source,
        },
    }


def _trafilatura(html: bytes, url: str, **options) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
    if doc is None:
        return {}
    return {
        "title": doc.title,
        "text": doc.text,
        "date": doc.date,
        "date_utc": doc.date,
        "author": doc.author or "",
    }


def run_trafilatura(html: bytes, url: str) -> dict:
    """The product's call (scrapers/extract.py _trafilatura_text), with metadata."""
    return _trafilatura(html, url, favor_recall=True, include_comments=False, include_tables=True)


def run_trafilatura_default(html: bytes, url: str) -> dict:
    return _trafilatura(html, url)


def warm_mediawatch() -> None:
    from mediawatch.scrapers.language import detect_language

    detect_language("load the language model once, as a long-running crawl does")


RUNNERS = {
    "mediawatch": run_mediawatch,
    "trafilatura": run_trafilatura,
    "traf-default": run_trafilatura_default,
}
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
    for number, (page_id, truth, html) in enumerate(pages):
        # the order turns page by page: whoever goes first on a page pays for caches both share
        # (htmldate's date parser compiles each language's patterns on first use)
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            got = RUNNERS[name](html, truth["url"])
            elapsed[name] += time.perf_counter() - start
            results[name].append((page_id, truth, got))
    return {name: (results[name], elapsed[name]) for name in names}


def _short(value, width: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def score(results: list, elapsed: float) -> tuple[dict, dict[str, list[tuple[str, str]]]]:
    """(figures, misses): misses[field] = [(rule, line)]."""
    ps, rs = [], []
    titles = dates = dates_utc = n_dates = authors = n_authors = undated = undated_none = 0
    misses: dict[str, list[tuple[str, str]]] = {"title": [], "date": [], "author": [], "body": []}
    for page_id, truth, got in results:
        rule = got.get("rule") or {}
        where = f"{page_id} {truth.get('domain') or truth.get('publisher') or ''}".strip()
        p, r = body_pr(got.get("text"), truth.get("articleBody"))
        ps.append(p)
        rs.append(r)
        if p < 0.8 or r < 0.8:
            note = got.get("error") or f"P={p:.2f} R={r:.2f} ({len(got.get('text') or '')} chars)"
            misses["body"].append((rule.get("body") or "-", f"{where}: {note}"))
        if fold(got.get("title")) == fold(truth.get("title")):
            titles += 1
        else:
            misses["title"].append(
                (
                    rule.get("title") or "-",
                    f"{where}: {_short(got.get('title'))} != {_short(truth.get('title'))}",
                )
            )
        if truth.get("datePublished") in (None, "", "None"):
            undated += 1
            undated_none += parse_moment(got.get("date"))[0] is None
        else:
            n_dates += 1
            written, _ = same_day(got.get("date"), truth.get("datePublished"))
            _, in_utc = same_day(got.get("date_utc"), truth.get("datePublished"))
            dates += written
            dates_utc += in_utc
            if not written:
                misses["date"].append(
                    (
                        rule.get("date") or "-",
                        f"{where}: {got.get('date')!r} != {truth.get('datePublished')!r}"
                        f"  {truth.get('url', '')[:80]}",
                    )
                )
        names = expected_authors(truth.get("author"))
        if names:
            n_authors += 1
            if names[0].lower() in (got.get("author") or "").lower():
                authors += 1
            else:
                misses["author"].append(
                    (rule.get("author") or "-", f"{where}: {_short(got.get('author'))} vs {names}")
                )

    n = len(results)
    precision, recall = sum(ps) / n, sum(rs) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures = {
        "pages": n,
        "body P": precision,
        "body R": recall,
        "body F1": f1,
        "title": titles / n,
        "date": dates / n_dates if n_dates else 0.0,
        "date (UTC day)": dates_utc / n_dates if n_dates else 0.0,
        "no date kept": undated_none / undated if undated else float("nan"),  # none undated
        "author": authors / n_authors if n_authors else 0.0,
        "pages/s": n / elapsed if elapsed else 0.0,
    }
    return figures, misses


def report_misses(corpus: str, misses: dict[str, list[tuple[str, str]]], show: int) -> None:
    """Per field: how many misses each rule produced, then up to `show` of them, by rule."""
    for field, found in misses.items():
        by_rule = Counter(rule for rule, _ in found)
        tally = ", ".join(f"{rule} {count}" for rule, count in by_rule.most_common())
        print(f"--- {corpus}: mediawatch {field} misses: {len(found)} ({tally})")
        for rule, line in sorted(found, key=lambda item: (-by_rule[item[0]], item[0]))[:show]:
            print(f"    [{rule}] {line}")


def print_table(corpus: str, figures: dict[str, dict]) -> None:
    names = list(figures)
    print(f"{corpus:16}" + "".join(f"{name:>14}" for name in names))
    for row in next(iter(figures.values())):
        cells = "".join(
            f"{figures[name][row]:>14.0f}"
            if row == "pages"
            else f"{figures[name][row]:>14.1f}"
            if row == "pages/s"
            else f"{figures[name][row]:>14.3f}"
            for name in names
        )
        print(f"{row:16}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--show", type=int, default=0, help="list up to N misses per field")
    parser.add_argument("--only", choices=sorted(RUNNERS), action="append")
    parser.add_argument(
        "--no-default", action="store_true", help="leave out trafilatura's default mode"
    )
    parser.add_argument(
        "--half",
        choices=("even", "odd"),
        help="only the even- or odd-indexed pages (tune on one half, check on the other)",
    )
    args = parser.parse_args()
    names = args.only or [n for n in RUNNERS if not (args.no_default and n == "traf-default")]
    tables = []
    for corpus in args.corpus:
        pages = load(corpus)
        if args.half:
            pages = pages[0 if args.half == "even" else 1 :: 2]
        if not pages:
            sys.exit(f"no pages under {corpus}")
        runs = run_all(names, pages)
        figures = {}
        for name in names:
            figures[name], misses = score(*runs[name])
            if name == "mediawatch" and args.show:
                report_misses(corpus.name, misses, args.show)
        tables.append((corpus.name, figures))
    for corpus_name, figures in tables:
        print_table(corpus_name, figures)
        print()


if __name__ == "__main__":
    main()
