"""Feed robustness: every file of ../shared/corpus/feeds/ is read or rejected cleanly, never a crash.

Prints files read, rejected (FeedError), crashed (any other exception: target 0), the slowest file,
the largest parsed title and the peak memory of the run.
Usage: .venv/bin/python bench/feeds.py
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.scrapers.feeds import FeedError, parse_feed  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"


def main() -> None:
    read = rejected = 0
    crashed: list[tuple[str, str]] = []
    slowest = (0.0, "")
    longest_title = 0
    start = time.perf_counter()
    files = sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".xml", ".rdf", ".json", ".atom", ".rss")
    )
    for path in files:
        body = path.read_bytes()
        t0 = time.perf_counter()
        try:
            feed = parse_feed(body, "application/json" if path.suffix == ".json" else "")
            read += 1
            longest_title = max([longest_title, *(len(e.title or "") for e in feed.entries)])
        except FeedError:
            rejected += 1
        except Exception as exc:  # noqa: BLE001 - the point is to count them
            crashed.append((str(path.relative_to(CORPUS)), repr(exc)[:120]))
        took = time.perf_counter() - t0
        if took > slowest[0]:
            slowest = (took, str(path.relative_to(CORPUS)))
    total = time.perf_counter() - start
    print(f"feed files        {len(files)} in {total:.2f} s")
    print(f"read              {read}")
    print(f"rejected cleanly  {rejected}")
    print(f"crashed           {len(crashed)}   (target 0)")
    for name, err in crashed[:10]:
        print(f"    {name}: {err}")
    print(f"slowest file      {slowest[0] * 1000:.1f} ms  {slowest[1]}")
    print(f"longest title     {longest_title} characters")
    print(f"peak RSS          {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
