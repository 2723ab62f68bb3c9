"""Ingest benchmark: a generated replay site of N article pages behind feeds, crawled into an archive.

Prints, in one run on the same pages:
  - mediawatch: articles/s stored (two crawl processes, one per half of the feeds, as the daemon runs
    them), peak RSS of a crawl process, article pages downloaded by a second run (target 0), and
    CPU per page, with the part of it spent in the crawls' extract workers (sampled from /proc).
    The compiled watchlist and the unpacked language model are cached before the first round, as
    a daemon's earlier crawls leave them (a crawl after an edit of watchlist.yaml compiles it once,
    about 2 s of CPU, and caches it; the language model is unpacked once per install);
  - the limit: mediawatch's own extract() alone over the same pages and URLs with both cores (a
    2-process pool), measured before and after the crawl. Target: the whole crawl (fetch, extract,
    match, store) at >= 80% of it, median over --rounds. Both rates count the same pages: every
    article page the crawl ran through extract() (stored, a duplicate, or judged no article), as
    the pool counts every page it is given. The replay server runs in this process, on the same
    two cores; its CPU is printed beside the crawl's. It costs ~1 ms of CPU the first time it
    serves a page (hashing the file for its ETag, looking for placeholders) and ~0.3 ms after,
    most of it the socket writes (mediawatch/replay.py keeps each settled file's facts): round 1
    pays the first.
  - the floor: the same crawl with no item pipeline (bench/crawl_no_pipeline.py: Scrapy fetches
    and parses the same feeds and pages, nothing is extracted, flagged or stored), in CPU per
    page, and what it leaves of the target: the CPU ratio can be at most extract()'s CPU over
    extract()'s plus the floor's;
  - for reference, plain trafilatura with both cores: called exactly as extract() calls it (the page's
    bytes decoded by trafilatura itself, the URL, favor_recall=True, include_comments=False,
    include_tables=True), and in its default (balanced) mode. --no-reference leaves them out.

Pages are real news pages from ../shared/corpus/news-pages/ repeated under distinct URLs.
Usage: .venv/bin/python bench/ingest.py [--pages 2000] [--feeds 20] [--rounds 3] [--no-reference]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.replay import ReplaySite  # noqa: E402

SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()),
    ROOT.parent / "shared",
)  # beside the checkout (a worktree one level deeper finds it one level up)
CORPUS = SHARED / "corpus" / "news-pages" / "html"


def build_site(folder: Path, pages: int, feeds: int) -> list[bytes]:
    sources = sorted(CORPUS.glob("*.html.gz"))
    bodies = [gzip.decompress(p.read_bytes()) for p in sources]
    (folder / "a").mkdir(parents=True)
    (folder / "feeds").mkdir()
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    per_feed = -(-pages // feeds)
    html = []
    for i in range(pages):
        body = bodies[i % len(bodies)]
        (folder / "a" / f"{i}.html").write_bytes(body)
        html.append(body)
    for f in range(feeds):
        items = "".join(
            f"<item><title>Article {i}</title><link>{{{{base}}}}/a/{i}</link>"
            f"<pubDate>{{{{ago:{1 + i % 20}h}}}}</pubDate></item>"
            for i in range(f * per_feed, min(pages, (f + 1) * per_feed))
        )
        (folder / "feeds" / f"{f}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>{items}'
            "</channel></rss>"
        )
    return html


def write_config(folder: Path, base: str, feeds: int, per_feed: int) -> None:
    folder.mkdir(parents=True)
    lines = [
        "crawler:",
        "  allow_loopback: true",
        "  download_delay: 0",
        "  autothrottle: false",
        "  concurrent_per_host: 8  # one replay host stands in for many outlets",
        f"  max_pages: {per_feed}",
        "sources:",
    ]
    # One outlet per feed: the site repeats the corpus's pages, and the archive keeps one article
    # per outlet and text (a repeat from the same outlet is an alias), so that the crawl stores
    # every page. Within a feed no page repeats (a feed holds fewer pages than the corpus).
    for f in range(feeds):
        group = "half-a" if f % 2 == 0 else "half-b"
        lines.append(
            f'  - {{name: feed-{f}, kind: feed, outlet: Outlet {f}, url: "{base}/feeds/{f}.xml",'
            f" tags: [{group}]}}"
        )
    (folder / "sources.yaml").write_text("\n".join(lines) + "\n")
    shutil.copy(ROOT / "watchlist.yaml", folder / "watchlist.yaml")


def _extract_one(job: tuple[bytes, str]) -> int:
    from mediawatch.scrapers.extract import ExtractionError, extract

    body, url = job
    try:
        return 1 if extract(body, url=url).text else 0
    except ExtractionError:
        return 0


def _trafilatura_product_one(job: tuple[bytes, str]) -> int:
    """The call scrapers/extract.py makes (_trafilatura_text), on the same bytes and URL."""
    import trafilatura

    body, url = job
    doc = trafilatura.bare_extraction(
        body,
        url=url,
        favor_recall=True,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
    )
    return 1 if doc is not None else 0


def _trafilatura_default_one(job: tuple[bytes, str]) -> int:
    import trafilatura

    body, url = job
    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    return 1 if doc is not None else 0


def _warm(_: int) -> int:
    """Imports and the language model load once per worker, as in a crawl process."""
    from mediawatch.scrapers.extract import extract

    extract(
        b"<html><body><article><p>Warm-up text for the worker process.</p></article></body></html>"
    )
    return 0


def pool_rate(worker, jobs: list[tuple[bytes, str]]) -> tuple[float, float]:
    """(pages/s, CPU seconds) of worker over the pages with two worker processes (start-up and
    imports excluded: each worker is warmed first)."""
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_warm, range(2), chunksize=1)
        cpu = _cpu_seconds(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        pool.map(worker, jobs, chunksize=20)
        elapsed = time.perf_counter() - start
    return len(jobs) / elapsed, _cpu_seconds(resource.RUSAGE_CHILDREN) - cpu


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# What the pipeline says of a page it extracted but did not store (extract.ExtractionError's messages
# and the empty-text check): such pages cost extract() in the crawl as in the pool.
JUDGED = re.compile(
    r"/a/\d+: (?:no article text found|not HTML|unparseable HTML|empty page|extraction failed"
    r"|page too deeply nested)"
)


def pages_extracted(conn: sqlite3.Connection) -> int:
    """Article pages the crawl ran through extract(): stored, duplicates of stored ones, and pages
    judged not to be articles. The pool's rate counts every page it is given, these included, so
    the crawl's rate is taken over the same pages."""
    done = 0
    for new, dup, messages in conn.execute(
        "SELECT new_articles, duplicates, error_messages FROM crawl_runs"
    ):
        done += (new or 0) + (dup or 0)
        done += sum(1 for m in json.loads(messages or "[]") if JUDGED.search(m))
    return done


def _ticks(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system clock ticks) of a process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


class WorkerCpu:
    """CPU of the crawl processes' children (their extract workers), sampled from /proc while
    they run: a crawl process reaps its worker, so the bench sees only the sum at the end. The
    last sample misses at most one interval of a worker's life (its end, when it is idle)."""

    def __init__(self, parents: list[int], every: float = 0.25) -> None:
        self.parents, self.every = set(parents), every
        self.last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            for child in self._children():
                if (found := _ticks(child)) and found[0] in self.parents:
                    self.last[child] = found[1]

    def _children(self) -> set[int]:
        """The parents' children, from each of their threads' children list (Linux): reading every
        process's stat instead cost this process ~0.4 s of CPU a crawl, on the crawl's cores."""
        found: set[int] = set()
        for parent in self.parents:
            try:
                threads = os.listdir(f"/proc/{parent}/task")
            except OSError:
                continue
            for tid in threads:
                try:
                    found.update(
                        map(int, Path(f"/proc/{parent}/task/{tid}/children").read_text().split())
                    )
                except OSError:
                    continue
        return found

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return sum(self.last.values()) / os.sysconf("SC_CLK_TCK")


CRAWL = [sys.executable, "-m", "mediawatch.cli", "crawl"]
# the same crawl with no item pipeline: nothing extracted, flagged or stored (its floor)
CRAWL_NO_PIPELINE = [sys.executable, str(ROOT / "bench" / "crawl_no_pipeline.py")]


def crawl_halves(
    config: Path, db_path: Path, command: list[str] = CRAWL
) -> tuple[float, float, float, list[str], float]:
    """Both halves at once: (seconds, CPU seconds, peak RSS in MB of a crawl process, failures,
    CPU seconds of their extract workers, part of the CPU seconds).

    Their logs go to files (a full stderr pipe would stall a crawl)."""
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config), "MEDIAWATCH_DB": str(db_path)}
    logs = [config / f"{half}.log" for half in ("half-a", "half-b")]
    start = time.perf_counter()
    procs = []
    for half, log in zip(("half-a", "half-b"), logs, strict=True):
        with open(log, "w") as out:
            procs.append(
                subprocess.Popen(
                    [*command, half],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    workers = WorkerCpu([p.pid for p in procs])
    failures = []
    cpu = peak_kb = 0.0
    for proc, log in zip(procs, logs, strict=True):
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        peak_kb = max(peak_kb, usage.ru_maxrss)
        if proc.returncode != 0:
            failures.append(log.read_text()[-2000:])
    elapsed = time.perf_counter() - start
    return elapsed, cpu, peak_kb / 1024, failures, workers.stop()


def warm_watchlist_cache(config: Path, db_path: Path) -> None:
    """The compiled watchlist in the cache beside the archives, as any earlier crawl of a daemon
    leaves it: every round's crawls then start as the daemon's second and later crawls do."""
    from mediawatch.scrapers.watchlist_cache import cache_dir_for, cached_matcher

    from mediawatch import config as configuration

    watchlist = config / configuration.WATCHLIST_FILE
    cached_matcher(watchlist, cache_dir_for(db_path), lambda: configuration.load_watchlist(config))


def one_round(
    work: Path, site: ReplaySite, jobs: list[tuple[bytes, str]], number: int, reference: bool
) -> dict:
    """The limit (extract() alone), the crawl into a fresh archive, the limit again, then a second
    crawl. The limit brackets the crawl because load from other jobs on a shared machine drifts
    within a minute; the mean of the two is what the crawl is compared with."""
    before, before_cpu = pool_rate(_extract_one, jobs)
    db_path = work / f"archive-{number}.db"
    server_cpu = _cpu_seconds(resource.RUSAGE_SELF)
    elapsed, crawl_cpu, peak_mb, failures, worker_cpu = crawl_halves(work / "config", db_path)
    server_cpu = _cpu_seconds(resource.RUSAGE_SELF) - server_cpu
    for failure in failures:
        print(failure, file=sys.stderr)
    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    flagged = conn.execute("SELECT count(DISTINCT article_id) FROM matches").fetchone()[0]
    extracted = pages_extracted(conn)
    conn.close()
    after, after_cpu = pool_rate(_extract_one, jobs)
    refs = {}
    if reference:
        refs["trafilatura as extract() calls it"] = pool_rate(_trafilatura_product_one, jobs)[0]
        refs["trafilatura default mode"] = pool_rate(_trafilatura_default_one, jobs)[0]
    site.log.clear()
    crawl_halves(work / "config", db_path)
    second = [p for _, p, _ in site.log.entries if p.startswith("/a/")]
    site.log.clear()
    _, floor_cpu, _, failures, _ = crawl_halves(
        work / "config", work / f"floor-{number}.db", CRAWL_NO_PIPELINE
    )
    for failure in failures:
        print(failure, file=sys.stderr)
    floor_pages = len([p for _, p, _ in site.log.entries if p.startswith("/a/")])
    rate = stored / elapsed
    page_rate = extracted / elapsed
    limit = (before + after) / 2
    return {
        "stored": stored,
        "extracted": extracted,
        "page_rate": page_rate,
        "flagged": flagged,
        "elapsed": elapsed,
        "rate": rate,
        "before": before,
        "after": after,
        "limit": limit,
        "ratio": page_rate / limit,
        "cpu_ms": crawl_cpu / max(extracted, 1) * 1000,
        "worker_ms": worker_cpu / max(extracted, 1) * 1000,
        "limit_cpu_ms": (before_cpu + after_cpu) / 2 / len(jobs) * 1000,
        "server_cpu": server_cpu,
        "peak_mb": peak_mb,
        "refetched": len(second),
        "floor_ms": floor_cpu / max(floor_pages, 1) * 1000,
        "refs": refs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="repeat, and report the median")
    parser.add_argument(
        "--no-reference", action="store_true", help="leave out the plain trafilatura figures"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mediawatch-bench-ingest-"))
    # The unpacked language model, cached per user, is named by the install that made it and
    # drops other installs' copies: on a machine shared by several checkouts a crawl could find
    # it gone and unpack it again (0.4 s of CPU). A daemon's crawls share one install, so the
    # bench's processes get a cache of their own, warmed here as by an earlier crawl.
    os.environ.pop("CACHE_DIRECTORY", None)
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    from mediawatch.scrapers.langid_cache import identifier

    identifier()
    try:
        html = build_site(work / "site", args.pages, args.feeds)
        with ReplaySite([work / "site"]) as site:
            jobs = [(body, f"{site.base}/a/{i}") for i, body in enumerate(html)]
            write_config(work / "config", site.base, args.feeds, -(-args.pages // args.feeds))
            warm_watchlist_cache(work / "config", work / "archive-0.db")
            rounds = [
                one_round(work, site, jobs, n, not args.no_reference) for n in range(args.rounds)
            ]
        print(f"pages on the replay site      {args.pages} behind {args.feeds} feeds")
        for n, r in enumerate(rounds, 1):
            label = f"round {n}" if len(rounds) > 1 else "mediawatch"
            print(
                f"{label:<14}                {r['stored']} stored ({r['flagged']} flagged) in "
                f"{r['elapsed']:.1f} s: {r['rate']:.1f} articles/s (2 crawl processes, start-up "
                f"included); {r['extracted']} pages extracted: {r['page_rate']:.1f} pages/s; "
                f"extract() alone {r['limit']:.1f} pages/s (2 processes; "
                f"{r['before']:.1f} before the crawl, {r['after']:.1f} after): {r['ratio']:.0%}"
            )
            print(
                f"{'':14}                CPU per page: mediawatch {r['cpu_ms']:.1f} ms (fetch, "
                f"extract, flag, store; startup included; {r['worker_ms']:.1f} of it in the "
                f"extract workers), extract() alone {r['limit_cpu_ms']:.1f} ms; "
                f"replay server {r['server_cpu']:.1f} s in all"
            )
            rest = r["cpu_ms"] - r["floor_ms"] - r["limit_cpu_ms"]
            print(
                f"{'':14}                of which the crawl without its pipeline "
                f"{r['floor_ms']:.1f} ms, extract() {r['limit_cpu_ms']:.1f} ms, the rest "
                f"{rest:.1f} ms (flagging, storing, the hand-off to the worker, extract()'s "
                "extra cost there)"
            )
            for name, value in r["refs"].items():
                print(
                    f"{'':14}                for reference: {name} {value:.1f} pages/s (2 processes)"
                )
        ratio = statistics.median(r["ratio"] for r in rounds)
        cpu_ratio = statistics.median(r["limit_cpu_ms"] / r["cpu_ms"] for r in rounds)
        print(
            f"CPU ratio                     {cpu_ratio:.0%}   (median: extract() alone's CPU per page"
            " / the whole crawl's, the replay server not counted; other jobs' load on the machine"
            " moves the ratio above, not this one)"
        )
        print(
            f"ratio                         {ratio:.0%}   (median of {len(rounds)}: pages/s of the "
            "whole crawl / of extract() alone on the same pages; target >= 80%)"
        )
        floor = statistics.median(r["floor_ms"] for r in rounds)
        limit_cpu = statistics.median(r["limit_cpu_ms"] for r in rounds)
        print(
            f"floor                         {floor:.1f} ms CPU a page (median: the same crawl with no"
            " item pipeline: Scrapy, the feeds, start-up, the worker's start); with extract()"
            f" alone's {limit_cpu:.1f} ms the CPU ratio is at most "
            f"{limit_cpu / (limit_cpu + floor):.0%} even if flagging and storing cost nothing"
        )
        print(f"crawl process peak RSS        {max(r['peak_mb'] for r in rounds):.0f} MB")
        refetched = max(r["refetched"] for r in rounds)
        print(f"article pages fetched again   {refetched}   (second run; target 0)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
