"""Benchmark: select, group and render one digest from a big archive.

An archive of 100,000 generated articles over 60 days, about 20,000 of them flagged, of which
5,000 recent ones are not yet delivered to the subscription (in syndicated clusters, so story
grouping has work to do). Prints the time to build (select + group) and render one digest, and
the peak memory of the process doing it. Target: under 2 s and under 200 MB.

    .venv/bin/python bench/digest.py [--articles 100000] [--undelivered 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2024, 11, 21, 12, 0, tzinfo=UTC)
TOPICS = ("balochistan", "cpec", "bla", "sistan-baluchestan")
OUTLETS = [f"Outlet {i}" for i in range(180)]
BATCH = 5000


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(path: Path, articles: int, undelivered: int, seed: int = 7) -> None:
    from mediawatch.db import deliveries
    from mediawatch.db.articles import content_hash

    from mediawatch import db

    rng = random.Random(seed)
    vocab = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 10)))
        for _ in range(3000)
    ]
    keywords = {
        "balochistan": "Balochistan",
        "cpec": "CPEC",
        "bla": "BLA",
        "sistan-baluchestan": "Sistan",
    }
    archive = db.connect(path)

    # the recent, undelivered matches come in clusters of 1-5 copies of one story
    recent: list[tuple[str, str, str]] = []  # (title, text, topic) per copy
    while len(recent) < undelivered:
        words = rng.choices(vocab, k=rng.randint(7, 13))
        topic = rng.choice(TOPICS)
        title = " ".join([keywords[topic], *words]).capitalize()
        text = " ".join(rng.choices(vocab, k=110))
        for copy in range(rng.choice((1, 1, 1, 2, 3, 5))):
            variant = title if copy % 2 == 0 else f"{title} - {rng.choice(OUTLETS)}"
            recent.append((variant, text if copy < 3 else "Reprinted. " + text, topic))
    recent = recent[:undelivered]
    clusters = len({t.rsplit(" - ", 1)[0] for t, _, _ in recent})
    path.with_suffix(".json").write_text(json.dumps({"clusters": clusters}))
    older_flagged = 15_000

    started = time.perf_counter()
    rows, matches = [], []
    delivered_ids: list[tuple[int, list[str], bool]] = []
    for i in range(1, articles + 1):
        if i <= len(recent):
            title, text, topic = recent[i - 1]
            published = NOW - timedelta(minutes=rng.randint(1, 47 * 60))
        else:
            title = " ".join(rng.choices(vocab, k=rng.randint(6, 12))).capitalize()
            text = " ".join(rng.choices(vocab, k=110))
            topic = None
            published = NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
            if i <= len(recent) + older_flagged:
                topic = rng.choice(TOPICS)
        outlet = rng.choice(OUTLETS)
        rows.append(
            {
                "id": i,
                "url": f"https://example{outlet[7:]}.org/news/{i}",
                "source": outlet.lower().replace(" ", "-"),
                "outlet": outlet,
                "title": title,
                "text": text,
                "published_at": iso(published),
                "fetched_at": iso(published + timedelta(minutes=5)),
                "language": "en",
                "authors": "[]",
                "content_hash": content_hash(title, text),
            }
        )
        if topic:
            word = keywords[topic]
            snippet = f"{word} {text[:160]}"
            matches.append(
                {
                    "article_id": i,
                    "topic": topic,
                    "score": round(rng.uniform(0.5, 5.0), 2),
                    "entities": "[]",
                    "terms": json.dumps([{"term": word, "count": 2}]),
                    "snippets": json.dumps([{"text": snippet, "highlights": [[0, len(word)]]}]),
                    "matched_at": iso(published + timedelta(minutes=6)),
                }
            )
            recent_enough = published >= NOW - timedelta(hours=48)
            if i > len(recent) and recent_enough:
                delivered_ids.append((i, [topic], True))  # already sent: must be skipped
        if len(rows) >= BATCH:
            with db.write(archive):
                archive["articles"].insert_all(rows, batch_size=1000)
                archive["matches"].insert_all(matches, batch_size=1000)
            rows, matches = [], []
    with db.write(archive):
        archive["articles"].insert_all(rows, batch_size=1000)
        archive["matches"].insert_all(matches, batch_size=1000)
    deliveries.record_digest(
        archive,
        subscription="bench",
        kind="digest",
        key="bench-earlier",
        created_at=iso(NOW - timedelta(hours=30)),
        since=None,
        items=delivered_ids,
        stories=0,
        subject="earlier",
        message={},
        deliveries=[],
        next_attempt_at=iso(NOW),
    )
    archive.conn.execute("ANALYZE")
    print(
        f"generated {clusters:,} distinct stories among the undelivered articles\n"
        f"built {articles:,} articles, {older_flagged + len(recent):,} flagged, "
        f"{len(recent):,} undelivered recent + {len(delivered_ids):,} recent already delivered "
        f"in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
    )


def measure(path: Path, max_items: int) -> dict:
    """Runs in a fresh process, so its peak RSS is the digest's, not the generator's."""
    import tracemalloc

    from mediawatch.alerts.config import FileChannel, Subscription

    from mediawatch import alerts, db

    sub = Subscription(
        name="bench",
        topics=TOPICS,
        channels=(FileChannel(name="outbox"),),
        max_items=max_items,
        timezone="Asia/Karachi",
    )
    archive = db.connect(path)
    figures = {}
    for label in ("first", "second"):
        t0 = time.perf_counter()
        digest = alerts.build_digest(archive, sub, NOW)
        t1 = time.perf_counter()
        message = alerts.render_digest(digest)
        t2 = time.perf_counter()
        figures[label] = (t1 - t0, t2 - t1, t2 - t0)
    tracemalloc.start()
    digest = alerts.build_digest(archive, sub, NOW)
    message = alerts.render_digest(digest)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "max_items": max_items,
        "articles_covered": len(digest.items),
        "stories_listed": sum(len(s.stories) for s in digest.sections),
        "copies_grouped": sum(len(st.also) for s in digest.sections for st in s.stories),
        "not_listed": sum(s.more for s in digest.sections),
        "html_kb": len(message.html.encode()) / 1024,
        "times": figures,
        "python_peak_mb": python_peak / 1e6,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--undelivered", type=int, default=5_000)
    parser.add_argument("--keep", help="build the archive in this folder and keep it")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--max-items", type=int, default=50, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.max_items)))
        return

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mw-bench-"))
    path = folder / "bench.db"
    if not path.exists():
        build(path, args.articles, args.undelivered)
    clusters = json.loads(path.with_suffix(".json").read_text())["clusters"]
    for max_items in (50, args.undelivered):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--max-items", str(max_items)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout)
        first, second = r["times"]["first"], r["times"]["second"]
        print(
            f"\nmax_items={r['max_items']}: {r['articles_covered']:,} articles covered, "
            f"{r['stories_listed']:,} stories listed (of {clusters:,} generated), {r['copies_grouped']:,} copies grouped "
            f"under them, {r['not_listed']:,} counted as not listed; HTML {r['html_kb']:.0f} KB"
        )
        for label, (select_group, render, total) in (("first", first), ("second", second)):
            print(
                f"  {label:<6} run: select+group {select_group:.2f} s, render {render:.2f} s, "
                f"total {total:.2f} s (target < 2 s)"
            )
        print(
            f"  peak memory: process max RSS {r['max_rss_mb']:.0f} MB (target < 200 MB), "
            f"Python allocations peak {r['python_peak_mb']:.0f} MB"
        )
    if not args.keep:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
