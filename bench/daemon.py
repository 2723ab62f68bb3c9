"""Benchmark the daemon: memory over many scheduled cycles, and how soon a new article is alerted.

    .venv/bin/python bench/daemon.py                # 50 sources, 200 cycles (about 20 minutes)
    .venv/bin/python bench/daemon.py --cycles 20    # a quick look

A replay site on 127.0.0.1 serves 50 feeds (3 articles each to start with). `mediawatch run`
polls them in --jobs crawl jobs every --interval seconds (time compressed: the shipped schedules
poll every 10-30 minutes). A cycle is one run of every crawl job. Every --inject-every cycles an
article naming the BLA appears in a random feed; an immediate subscription sends it to a webhook
receiver here. Figures:
  - resident memory of the daemon after its first cycle and at the end (target: growth < 10%);
  - peak memory of the crawl subprocesses (ru_maxrss from wait4, logged by the daemon);
  - delay from the article appearing in the feed to its webhook alert (target: p95 under the
    poll interval plus 10 s);
  - time to stop on SIGTERM.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.replay import ReplaySite  # noqa: E402

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{{{{ago:2m:iso}}}}">
</head><body><main><article><h1>{title}</h1>
<time datetime="{{{{ago:2m:iso}}}}">{{{{ago:2m:iso}}}}</time>
<div class="story-body">
<p>{lead}</p>
<p>Officials in district {n} said on {day} that {count} people had been affected and that a
committee would report within {weeks} weeks. Residents asked for the report to be made public.</p>
<p>The provincial government said it had released {count} million rupees for the work, and
opposition members of the assembly asked why the money had taken {weeks} months to arrive.</p>
<p>Local traders said prices of flour and fuel had risen by {pct} per cent since the start of
the month, and that the roads to the market towns had been closed for {weeks} days.</p>
</div></article></main></body></html>
"""
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WATCHLIST = """topics:
  bla:
    keywords: ["Balochistan Liberation Army", "BLA"]
  balochistan:
    keywords: [Balochistan]
"""


class Site:
    """The benchmark's feeds and pages, rewritten while the daemon runs."""

    def __init__(self, folder: Path, sources: int):
        self.folder = folder
        self.items: dict[int, list[tuple[str, str]]] = {}
        self.serial = 0
        for i in range(sources):
            self.items[i] = []
            for _ in range(3):
                self.add(i, bla=False, write_feed=False)
            self.write_feed(i)

    def add(self, source: int, bla: bool, write_feed: bool = True) -> str:
        self.serial += 1
        n = self.serial
        if bla:
            title = f"BLA claims attack on checkpoint in district {n}"
            lead = (
                f"The Balochistan Liberation Army said its fighters attacked a checkpoint in "
                f"district {n} of Balochistan, and police said {n % 7 + 1} guards were wounded."
            )
        else:
            title = f"Council approves water scheme number {n}"
            lead = f"The council of town {n} approved a new water scheme after a long debate."
        path = f"/bench/s{source:02d}/a{n}"
        page = PAGE.format(
            title=title,
            lead=lead,
            n=n,
            day=DAYS[n % 7],
            count=n * 13 % 997,
            weeks=n % 11 + 2,
            pct=n % 40 + 5,
        )
        self._write(path + ".html", page)
        self.items[source].insert(0, (path, title))
        del self.items[source][10:]
        if write_feed:
            self.write_feed(source)
        return path

    def write_feed(self, source: int) -> None:
        entries = "".join(
            f"<item><title>{t}</title><link>{{{{base}}}}{p}</link><guid>{p}</guid>"
            f"<pubDate>{{{{ago:{k + 1}m}}}}</pubDate></item>\n"
            for k, (p, t) in enumerate(self.items[source])
        )
        self._write(
            f"/bench/s{source:02d}/feed.xml",
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Bench {source}</title><link>{{{{base}}}}/</link><description>b</description>\n"
            f"{entries}</channel></rss>\n",
        )

    def _write(self, path: str, text: str) -> None:
        target = self.folder / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)


class Receiver:
    """Webhook receiver: remembers when each body arrived."""

    def __init__(self):
        self.hits: list[tuple[float, str]] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hits.append((time.time(), body.decode("utf-8", "replace")))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def write_config(folder: Path, base: str, args) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "crawler:",
        "  allow_loopback: true",
        "  download_delay: 0",
        "  autothrottle: false",
        "sources:",
    ]
    for i in range(args.sources):
        lines.append(
            f"  - {{name: bench-{i:02d}, kind: feed, outlet: Bench {i}, "
            f'url: "{base}/bench/s{i:02d}/feed.xml", tags: [job-{i % args.jobs}]}}'
        )
    (folder / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "watchlist.yaml").write_text(WATCHLIST, encoding="utf-8")
    jobs = "".join(
        f"  - {{name: job-{k}, sources: [job-{k}], every: {args.interval}s, timeout: 120s}}\n"
        for k in range(args.jobs)
    )
    (folder / "schedules.yaml").write_text(
        f"max_concurrent_crawls: {args.jobs}\n"
        f"crawls:\n{jobs}"
        "channels:\n"
        f"  hook: {{type: webhook, url: '{args.hook}'}}\n"
        "digests:\n"
        "  - {name: bla-now, topics: [bla], immediate: true, lookback: 1d, channels: [hook]}\n"
        "delivery: {retry_first: 1s}\n",
        encoding="utf-8",
    )


def events(log_path: Path) -> list[dict]:
    out = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if isinstance(e, dict):
            out.append(e)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def rss_mb(proc: psutil.Process) -> float:
    return proc.memory_info().rss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2, help="crawl jobs sharing the sources")
    parser.add_argument("--interval", type=int, default=5, help="poll interval, seconds")
    parser.add_argument("--inject-every", type=int, default=2, help="cycles between articles")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mediawatch-bench-daemon-"))
    site_files = Site(tmp / "site", args.sources)
    receiver = Receiver()
    args.hook = receiver.url
    daemon = None
    with ReplaySite([tmp / "site"]) as site:
        config = tmp / "config"
        write_config(config, site.base, args)
        log_path = tmp / "daemon.log"
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        print(
            f"{args.sources} sources in {args.jobs} crawl jobs every {args.interval}s, "
            f"{args.cycles} cycles, an article every {args.inject_every} cycles; folder {tmp}"
        )
        with open(log_path, "ab") as log_file:
            daemon = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "mediawatch.cli",
                    "--config-dir",
                    str(config),
                    "--db",
                    str(tmp / "archive.db"),
                    "run",
                    "--log-format",
                    "json",
                ],
                stderr=log_file,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        proc = psutil.Process(daemon.pid)
        time.sleep(1.0)
        rss_launch = rss_mb(proc)
        rss_first = None
        rss_samples: list[float] = []
        injected: dict[str, float] = {}
        last_inject_cycle = 0
        started = time.monotonic()
        cycles = 0
        rng = random.Random(7)
        try:
            while cycles < args.cycles:
                time.sleep(0.5)
                if daemon.poll() is not None:
                    raise SystemExit(f"the daemon exited ({daemon.returncode}); see {log_path}")
                rss_samples.append(rss_mb(proc))
                finished = [e for e in events(log_path) if e.get("what") == "crawl finished"]
                per_job = [
                    sum(1 for e in finished if e.get("source") == f"job-{k}")
                    for k in range(args.jobs)
                ]
                now_cycles = min(per_job)
                if now_cycles != cycles:
                    cycles = now_cycles
                    if cycles == 1:
                        rss_first = rss_mb(proc)
                    if cycles % 10 == 0:
                        print(
                            f"  cycle {cycles:4d}  {time.monotonic() - started:7.0f}s  "
                            f"daemon {rss_samples[-1]:6.1f} MB  alerts {len(receiver.hits)}",
                            flush=True,
                        )
                if cycles >= 1 and cycles - last_inject_cycle >= args.inject_every:
                    last_inject_cycle = cycles
                    path = site_files.add(rng.randrange(args.sources), bla=True)
                    injected[site.base + path] = time.time()
            rss_end = rss_mb(proc)
            # the last articles get one more poll to arrive
            deadline = time.monotonic() + 3 * args.interval + 60
            while time.monotonic() < deadline and not all(
                any(url in body for _, body in receiver.hits) for url in injected
            ):
                time.sleep(0.5)
            stop_started = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            stop_seconds = time.monotonic() - stop_started
        finally:
            if daemon.poll() is None:
                daemon.kill()
    elapsed = time.monotonic() - started

    all_events = events(log_path)
    crawls = [e for e in all_events if e.get("what") == "crawl finished"]
    peaks = [e["peak_rss_mb"] for e in crawls if "peak_rss_mb" in e]
    durations = [e["seconds"] for e in crawls if "seconds" in e]
    problems = [e for e in all_events if e.get("level") in ("ERROR", "CRITICAL")]
    delays, missing = [], 0
    for url, t0 in injected.items():
        arrived = [t for t, body in receiver.hits if url in body and t >= t0]
        if arrived:
            delays.append(min(arrived) - t0)
        else:
            missing += 1

    base = rss_first or rss_launch
    print()
    print(f"cycles              {cycles} in {elapsed:.0f}s ({len(crawls)} crawl runs)")
    print(
        f"crawl duration      median {statistics.median(durations):.1f}s  p95 {pct(durations, 95):.1f}s"
    )
    print(
        f"daemon RSS          launch {rss_launch:.1f} MB  after cycle 1 {base:.1f} MB  "
        f"end {rss_end:.1f} MB  max {max(rss_samples):.1f} MB"
    )
    print(
        f"daemon RSS growth   {100 * (rss_end - base) / base:+.1f}% from cycle 1 to the end "
        "(target < 10%)"
    )
    print(f"crawl peak RSS      max {max(peaks):.1f} MB  median {statistics.median(peaks):.1f} MB")
    if delays:
        print(
            f"alert delay         n={len(delays)}  median {statistics.median(delays):.1f}s  "
            f"p95 {pct(delays, 95):.1f}s  max {max(delays):.1f}s  "
            f"(target p95 < {args.interval + 10}s)  missing {missing}"
        )
    else:
        print(f"alert delay         no alert arrived (missing {missing})")
    print(f"stop on SIGTERM     {stop_seconds:.1f}s (exit {daemon.returncode})")
    print(f"errors in the log   {len(problems)}")
    for e in problems[:5]:
        print(f"    {e.get('source')}: {e.get('what')}")
    if args.keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
