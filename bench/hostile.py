"""Hostile XML: time to make a feed safe (decode + DTD removal) grows linearly with its size.

Prints, for documents that end in a run of never-closed declarations (the shapes that made the old
regex quadratic), the seconds taken by scrapers.xmlsafe.safe_xml and by parse_feed at 0.5 to 4 MiB,
with the ratio to the 0.5 MiB time (linear: about 2, 4, 8), then the old byte regex on small inputs
for comparison (quadratic: x4 per doubling), then a UTF-16 entity feed: refused, and the peak RSS.
Usage: .venv/bin/python bench/hostile.py
"""

from __future__ import annotations

import contextlib
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.scrapers.feeds import FeedError, parse_feed  # noqa: E402
from mediawatch.scrapers.xmlsafe import safe_xml  # noqa: E402

MIB = 1024 * 1024
HEAD = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
UNITS = ["<!DOCTYPE ", "<!ENTITY ", '<!DOCTYPE ["', "<!DOCTYPE [<!--", '<!ENTITY x "']
OLD_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.IGNORECASE | re.DOTALL)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    with contextlib.suppress(FeedError):
        fn(*args)
    return time.perf_counter() - start


def document(unit: str, size: int) -> bytes:
    return (HEAD + unit * (size // len(unit))).encode()


def main() -> None:
    sizes = [MIB // 2, MIB, 2 * MIB, 4 * MIB]
    print(f"{'unit':<18} {'size':>8} {'safe_xml s':>11} {'x':>5} {'parse_feed s':>13} {'x':>5}")
    for unit in UNITS:
        base_safe = base_feed = None
        for size in sizes:
            body = document(unit, size)
            t_safe = timed(safe_xml, body)
            t_feed = timed(parse_feed, body)
            base_safe, base_feed = base_safe or t_safe, base_feed or t_feed
            print(
                f"{unit!r:<18} {size / MIB:>6.1f}Mi {t_safe:>11.3f} {t_safe / base_safe:>5.1f}"
                f" {t_feed:>13.3f} {t_feed / base_feed:>5.1f}"
            )
    print("\nold byte regex (before), '<!DOCTYPE ' repeated:")
    first = None
    for size in (25_000, 50_000, 100_000):
        body = document("<!DOCTYPE ", size)
        start = time.perf_counter()
        OLD_DOCTYPE.sub(b"", body, count=1)
        took = time.perf_counter() - start
        first = first or took
        print(f"  {size / 1000:>5.0f} KB  {took:7.3f} s  x{took / first:.1f}")
    entity = "A" * 10_000
    feed = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
        + entity
        + '">\n]>\n<rss version="2.0"><channel><item><title>'
        + "&a;" * 40_000
        + "</title><link>https://e.org/1</link></item></channel></rss>"
    ).encode("utf-16")
    took = timed(parse_feed, feed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    try:
        parse_feed(feed)
        verdict = "READ (entities expanded?)"
    except FeedError as exc:
        verdict = str(exc)
    print(f"\nUTF-16 entity feed of {len(feed) // 1024} KB (400 MB if expanded): {verdict}")
    print(f"  {took:.3f} s; peak RSS of this whole bench {peak} MB")


if __name__ == "__main__":
    main()
