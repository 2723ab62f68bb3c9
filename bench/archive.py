"""Benchmark the archive at scale: size, search latency, canned queries, export rate.

    .venv/bin/python bench/archive.py                     # 1,000,000 articles (long build)
    .venv/bin/python bench/archive.py --articles 50000    # a quick look

The archive is built once per size under --dir and reused by later runs (--rebuild to start over).
Articles are generated (2-6 KB of text from a Zipf vocabulary plus the watched names), about 15% of
them flagged for balochistan / cpec / bla, dated over the last two years. Search runs as
`mediawatch search` does (bm25 among the --window newest matches, snippets for the top 20).
Targets: search p95 under 100 ms, canned queries under 1 s. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.db.queries import Reader, canned_queries, export_flagged, named_parameters  # noqa: E402
from mediawatch.db.search import search  # noqa: E402

from mediawatch import db  # noqa: E402

OUTLETS = [
    ("dawn", "Dawn"),
    ("tribune", "The Express Tribune"),
    ("thenews", "The News International"),
    ("geo", "Geo News"),
    ("tbp", "The Balochistan Post"),
    ("diplomat", "The Diplomat"),
    ("aljazeera", "Al Jazeera"),
    ("cgtn", "CGTN"),
    ("bbc-urdu", "BBC Urdu"),
    ("express-urdu", "Express"),
    ("brecorder", "Business Recorder"),
    ("myind", "Myind"),
    ("gnews-balochistan", None),
    ("gdelt", None),
]
PLACES = ["Gwadar", "Quetta", "Turbat", "Panjgur", "Khuzdar", "Mastung", "Kech", "Chagai", "Hub"]
GROUPS = ["Balochistan Liberation Army", "BLA", "Majeed Brigade", "Baloch Yakjehti Committee"]
PROJECTS = ["China-Pakistan Economic Corridor", "CPEC", "Gwadar port", "Reko Diq", "Saindak"]
TOPIC_WORDS = {
    "balochistan": ["Balochistan", "Baloch", "Quetta", "province", "provincial"] + PLACES,
    "cpec": ["CPEC", "corridor", "Chinese", "China", "Beijing", "investment"] + PROJECTS,
    "bla": ["BLA", "militants", "attack", "insurgents", "separatist"] + GROUPS,
}
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "as",
    "by",
    "at",
    "from",
    "it",
    "his",
    "an",
    "were",
    "are",
    "which",
    "this",
    "be",
    "has",
    "had",
    "not",
    "but",
    "they",
    "have",
    "their",
    "been",
    "also",
    "its",
    "after",
    "said",
    "who",
    "more",
    "one",
    "new",
    "government",
    "minister",
    "police",
    "security",
    "officials",
    "people",
    "year",
    "two",
    "first",
    "over",
    "last",
    "against",
    "city",
    "country",
    "said",
    "report",
    "week",
    "federal",
    "court",
    "party",
    "forces",
    "area",
    "killed",
    "economy",
    "prices",
    "talks",
    "leaders",
]
URDU = [
    "بلوچستان",
    "کوئٹہ",
    "گوادر",
    "پاکستان",
    "چین",
    "حکومت",
    "سیکیورٹی",
    "حملہ",
    "فورسز",
    "صوبائی",
    "وزیر",
    "اعلیٰ",
]


def vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    syllables = [c + v for c in "bdfghjklmnprstvwz" for v in "aeiou"] + ["ar", "el", "on", "is"]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    return COMMON + sorted(words)


def sentence_pool(rng: random.Random, vocab: list[str], count: int) -> list[str]:
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(vocab))]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    pool = []
    for _ in range(count):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(8, 28))
        words[0] = words[0].capitalize()
        pool.append(" ".join(words) + ".")
    return pool


def topic_sentence(rng: random.Random, topic: str, pool: list[str]) -> str:
    base = rng.choice(pool).rstrip(".").split()
    for _ in range(rng.randint(1, 3)):
        base.insert(rng.randrange(len(base) + 1), rng.choice(TOPIC_WORDS[topic]))
    return " ".join(base) + "."


def generate(
    rng: random.Random, pool: list[str], start: int, count: int, now: datetime, total: int
):
    """(article rows, match rows) for ids start .. start+count-1."""
    articles, matches = [], []
    span = 730 * 86400
    for article_id in range(start, start + count):
        source, outlet = OUTLETS[article_id % len(OUTLETS)]
        flagged = rng.random() < 0.15
        topics = []
        if flagged:
            topics = [
                t
                for t, p in (("balochistan", 0.7), ("cpec", 0.35), ("bla", 0.2))
                if rng.random() < p
            ]
            topics = topics or ["balochistan"]
        target = rng.randint(2000, 6000)
        parts, size = [], 0
        while size < target:
            piece = (
                topic_sentence(rng, rng.choice(topics), pool)
                if topics and rng.random() < 0.2
                else rng.choice(pool)
            )
            parts.append(piece)
            size += len(piece) + 1
        text = " ".join(parts)
        title_words = rng.choice(pool).rstrip(".").split()[:12]
        if topics:
            title_words.insert(
                rng.randrange(len(title_words) + 1), rng.choice(TOPIC_WORDS[topics[0]])
            )
        # roughly in id order, as a crawler stores them, with a little jitter
        published = now - timedelta(
            seconds=int(span * (1 - article_id / total)) + rng.randint(0, 172_800)
        )
        language = "ur" if source in ("bbc-urdu", "express-urdu") else "en"
        if language == "ur":
            text = " ".join(rng.choices(URDU, k=20)) + " " + text
        stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        articles.append(
            {
                "id": article_id,
                "url": f"https://{source}.example/{published:%Y/%m/%d}/article-{article_id}",
                "source": source,
                "outlet": outlet,
                "title": " ".join(title_words).capitalize(),
                "text": text,
                "published_at": stamp,
                "fetched_at": stamp,
                "language": language,
                "authors": json.dumps(["Staff Reporter"]),
                "content_hash": f"{article_id:032x}",
            }
        )
        for topic in topics:
            names = [w for w in TOPIC_WORDS[topic] if w[0].isupper()]
            found = rng.sample(names, k=min(len(names), rng.randint(1, 3)))
            matches.append(
                {
                    "article_id": article_id,
                    "topic": topic,
                    "score": round(rng.uniform(0.3, 1.0), 3),
                    "entities": json.dumps(
                        [
                            {
                                "name": n,
                                "type": "place" if n in PLACES else "org",
                                "count": rng.randint(1, 5),
                                "offsets": [[0, len(n)]],
                            }
                            for n in found
                        ]
                    ),
                    "terms": json.dumps([{"term": n.lower(), "count": 1} for n in found]),
                    "snippets": json.dumps([{"text": parts[0][:200], "highlights": []}]),
                    "matched_at": stamp,
                }
            )
    return articles, matches


def build(path: Path, total: int, batch: int = 20_000) -> None:
    rng = random.Random(20241121)
    vocab = vocabulary(rng)
    pool = sentence_pool(rng, vocab, 60_000)
    archive = db.connect(path)
    archive.conn.execute("PRAGMA cache_size = -1000000")
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    done = 0
    while done < total:
        count = min(batch, total - done)
        articles, matches = generate(rng, pool, done + 1, count, now, total)
        with db.write(archive):
            archive["articles"].insert_all(articles, batch_size=1000)
            archive["matches"].insert_all(matches, batch_size=1000)
        done += count
        rate = done / (time.perf_counter() - started)
        print(f"  built {done:,}/{total:,} articles ({rate:,.0f}/s)", flush=True)
    sources = [
        {"name": s, "kind": "feed", "url": f"https://{s}.example/feed", "outlet": o, "enabled": 1}
        for s, o in OUTLETS
    ]
    db.sync_sources(archive, sources)
    print("  optimizing the full-text index ...", flush=True)
    with db.write(archive):
        archive["articles"].optimize()
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.conn.close()
    print(f"  build took {time.perf_counter() - started:,.0f} s", flush=True)


SEARCHES = [
    ("Balochistan", {}),
    ("Gwadar port", {}),
    ('"Gwadar port"', {}),
    ("CPEC OR corridor", {}),
    ("Balo*", {}),
    ("militants NOT police", {}),
    ("China-Pakistan Economic Corridor", {}),
    ("Quetta attack", {"topic": "bla"}),
    ("Reko Diq", {"since": "30d"}),
    ("Turbat", {"source": "dawn"}),
    ("Majeed Brigade", {}),
    ("Chinese investment", {"topic": "cpec"}),
    ("security officials", {}),
    ("Panjgur OR Kech OR Khuzdar", {}),
    ("insurgents", {"since": "7d"}),
    ("Mastung", {}),
    ("Saindak", {}),
    ("baka*", {}),
    ("government", {}),
    ("minister talks", {}),
]


def measure_search(path: Path, runs: int, window: int) -> None:
    from mediawatch.db.queries import parse_when

    times = []
    with Reader(path, timeout=60) as reader:
        for i in range(runs):
            words, opts = SEARCHES[i % len(SEARCHES)]
            opts = dict(opts)
            if "since" in opts:
                opts["since"] = parse_when(opts["since"])
            started = time.perf_counter()
            hits = search(reader, words, limit=20, window=window, **opts)
            times.append((time.perf_counter() - started) * 1000)
            if i < len(SEARCHES):
                print(f"    {times[-1]:7.1f} ms  {len(hits):2d} hits  {words!r} {opts or ''}")
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(
        f"search (window {window or 'all'}) over {runs} queries: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms (target p95 < 100 ms)"
    )


CANNED_PARAMS = {
    "entity": "Gwadar",
    "subscription": "security-desk",
    "since": "",
}


def measure_canned(path: Path) -> None:
    with Reader(path, timeout=120) as reader:
        for name, query in canned_queries().items():
            params = {p: CANNED_PARAMS.get(p, "") for p in named_parameters(query["sql"])}
            if name == "coverage_per_topic_per_day":
                params["since"] = "2000-01-01"  # the whole archive, the worst case
            best = []
            rows = 0
            error = ""
            for _ in range(3):
                started = time.perf_counter()
                try:
                    rows = sum(1 for _ in reader.fetch(reader.execute(query["sql"], params)))
                except db.ArchiveError as exc:
                    error = str(exc)
                    break
                best.append(time.perf_counter() - started)
            if error:
                print(f"  canned {name:28s} error: {error}")
            else:
                print(
                    f"  canned {name:28s} median {statistics.median(best) * 1000:8.1f} ms  {rows:6d} rows"
                )


def anon_mb() -> float:
    """Anonymous memory (heap) of this process: mmap'ed archive pages are not counted."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_export(path: Path) -> None:
    before = anon_mb()
    started = time.perf_counter()
    count = size = 0
    highest = before
    with Reader(path, timeout=None) as reader, open(os.devnull, "w", encoding="utf-8") as sink:
        for item in export_flagged(reader):
            line = json.dumps(item, ensure_ascii=False)
            sink.write(line + "\n")
            count += 1
            size += len(line) + 1
            if count % 10_000 == 0:
                highest = max(highest, anon_mb())
    elapsed = time.perf_counter() - started
    print(
        f"export (jsonl) {count:,} flagged articles, {size / 1e6:,.0f} MB in {elapsed:.1f} s: "
        f"{count / elapsed:,.0f} articles/s, {size / 1e6 / elapsed:.1f} MB/s; heap "
        f"{before:.0f} MB before, at most {highest:.0f} MB during"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument(
        "--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "mediawatch-bench"
    )
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--window", type=int, default=10_000, help="search window (0: rank all)")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    path = args.dir / f"archive-{args.articles}.db"
    if args.rebuild and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        print(f"building {path} with {args.articles:,} articles", flush=True)
        build(path, args.articles)
    else:
        archive = db.connect(path)  # applies migrations added since the build (new indexes)
        archive.conn.close()
    size = path.stat().st_size
    with Reader(path) as reader:
        articles = reader.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        flagged = reader.conn.execute("SELECT count(DISTINCT article_id) FROM matches").fetchone()[
            0
        ]
    print(
        f"archive {path}: {articles:,} articles, {flagged:,} flagged, {size / 1e9:.2f} GB "
        f"({size / max(articles, 1) / 1024:.1f} KB per article)"
    )
    measure_search(path, args.queries, args.window)
    measure_canned(path)
    if not args.skip_export:
        measure_export(path)


if __name__ == "__main__":
    main()
