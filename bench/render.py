"""What `render: browser` costs: the same pages fetched plainly and in headless Chromium, in one run.

A generated replay site of N article pages (real news pages from ../shared/corpus/news-pages/ when
present, else a generated page), each with a small script that writes one more paragraph, behind
one feed (their third-party resources taken out: no internet here). Two crawls of the same pages, each in its own `mediawatch crawl` process and archive:
  - plain:    the feed source as it is;
  - rendered: the same source with `render: article` (scrapy-playwright + /usr/bin/chromium).
Prints pages/s, peak memory of the crawl process plus every process it started (the browser's
included, sampled every 50 ms: RSS summed, which counts shared pages once per process, and PSS,
which splits them), browser launches, and the browser processes still alive once the
crawl has exited (target 0).

Usage: .venv/bin/python bench/render.py [--pages 30] [--max-open 2]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.replay import ReplaySite  # noqa: E402

CORPUS = next(
    (
        d / "shared" / "corpus" / "news-pages" / "html"
        for d in (ROOT.parent, ROOT.parent.parent)
        if (d / "shared" / "corpus" / "news-pages" / "html").is_dir()
    ),
    ROOT.parent / "shared" / "corpus" / "news-pages" / "html",
)
SCRIPT = (
    b"<script>var p=document.createElement('p');p.textContent='Written by a script: the rest "
    b"of this report was loaded after the page.';var ps=document.querySelectorAll('article p, p');"
    b"(ps.length?ps[ps.length>1?1:0]:document.body).after(p);</script></body>"
)
FALLBACK = (
    "<html><head><title>Report {i}</title></head><body><article><h1>Report {i}</h1>"
    + "<p>Quetta: officials said the convoy reached Gwadar after a long delay on the coastal "
    "highway, and traders in Turbat reopened their shops.</p>" * 12 + "</article></body></html>"
)


def offline(page: bytes) -> bytes:
    """No internet here: external scripts, frames, images and style sheets are taken out, so both
    modes measure the page itself rather than DNS failures for the publisher's third parties."""
    page = re.sub(rb"\ssrc=([\"'])(?:https?:)?//", rb" data-src=\1//", page)
    return re.sub(rb"<link[^>]+stylesheet[^>]*>", b"", page, flags=re.I)


def build_site(folder: Path, pages: int) -> None:
    bodies = [gzip.decompress(p.read_bytes()) for p in sorted(CORPUS.glob("*.html.gz"))]
    bodies = bodies or [FALLBACK.format(i=i).encode() for i in range(10)]
    (folder / "a").mkdir(parents=True)
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    items = []
    for i in range(pages):
        body = offline(bodies[i % len(bodies)]).replace(b"</body>", SCRIPT, 1)
        (folder / "a" / f"{i}.html").write_bytes(body)
        items.append(
            f"<item><title>Article {i}</title><link>{{{{base}}}}/a/{i}</link>"
            f"<pubDate>{{{{ago:{1 + i % 20}h}}}}</pubDate></item>"
        )
    (folder / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
        + "".join(items)
        + "</channel></rss>"
    )


def config(folder: Path, base: str, pages: int, max_open: int, render: bool) -> Path:
    folder.mkdir(parents=True)
    extra = ", render: article" if render else ""
    (folder / "sources.yaml").write_text(
        "crawler:\n  allow_loopback: true\n  download_delay: 0\n  autothrottle: false\n"
        f"  concurrent_per_host: {max_open}\n  max_pages: {pages}\n  browser_max_open: {max_open}\n"
        "sources:\n"
        f'  - {{name: bench, kind: feed, url: "{base}/feed.xml", outlet: Bench{extra}}}\n'
    )
    return folder


def _pss(pid: int) -> int:
    """Proportional set size: shared pages split between the processes that share them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def crawl(config_dir: Path, db_path: Path) -> dict:
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config_dir), "MEDIAWATCH_DB": str(db_path)}
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    # the log goes to a file: a rendered crawl logs about 64 KB (each refused browser request),
    # and a pipe that nobody reads while the crawl runs would stall it once full
    log = db_path.with_suffix(".log")
    start = time.perf_counter()
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mediawatch.cli", "crawl", "bench", "--no-match", "-v"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    root = psutil.Process(proc.pid)
    seen: dict[int, psutil.Process] = {}
    peak = peak_pss = 0
    while proc.poll() is None:
        total = pss = 0
        try:
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        for p in family:
            seen.setdefault(p.pid, p)
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
                pss += _pss(p.pid)
        peak = max(peak, total)
        peak_pss = max(peak_pss, pss)
        time.sleep(0.05)
    proc.wait()
    err = log.read_text(errors="replace")
    elapsed = time.perf_counter() - start
    time.sleep(2)  # let anything the crawl started finish exiting
    left = []
    for pid, p in seen.items():
        if pid == proc.pid:
            continue
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{pid} {p.name()}")
        except psutil.NoSuchProcess:
            pass
    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    scripted = conn.execute(
        "SELECT count(*) FROM articles WHERE text LIKE '%Written by a script%'"
    ).fetchone()[0]
    conn.close()
    return {
        "rc": proc.returncode,
        "seconds": elapsed,
        "stored": stored,
        "scripted": scripted,
        "peak_mb": peak / 2**20,
        "peak_pss_mb": peak_pss / 2**20,
        "launches": err.count("Launching browser"),
        "left": left,
        "tail": err[-2000:] if proc.returncode else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--max-open", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("/usr/bin/chromium"):
        sys.exit("/usr/bin/chromium missing: run .ci/install-chromium")
    work = Path(tempfile.mkdtemp(prefix="mediawatch-bench-render-"))
    try:
        build_site(work / "site", args.pages)
        with ReplaySite([work / "site"]) as site:
            results = {}
            for mode in ("plain", "rendered"):
                cfg = config(work / mode, site.base, args.pages, args.max_open, mode == "rendered")
                results[mode] = crawl(cfg, work / f"{mode}.db")
        print(f"{args.pages} pages, {args.max_open} at a time, one feed, on 127.0.0.1")
        print(
            f"{'MODE':<9} {'PAGES/S':>8} {'SECONDS':>8} {'STORED':>7} {'SCRIPT TEXT':>11} "
            f"{'PEAK RSS':>9} {'PEAK PSS':>9} {'LAUNCHES':>8}  LEFT AFTER CRAWL"
        )
        for mode, r in results.items():
            rate = r["stored"] / r["seconds"] if r["seconds"] else 0.0
            print(
                f"{mode:<9} {rate:>8.2f} {r['seconds']:>8.1f} {r['stored']:>7} "
                f"{r['scripted']:>11} {r['peak_mb']:>7.0f}MB {r['peak_pss_mb']:>7.0f}MB "
                f"{r['launches']:>8}  "
                f"{len(r['left'])} {' '.join(r['left'])}"
            )
            if r["rc"]:
                print(f"  crawl exited {r['rc']}:\n{r['tail']}")
        plain, rendered = results["plain"], results["rendered"]
        if plain["seconds"] and rendered["stored"]:
            slower = (rendered["seconds"] / rendered["stored"]) / (
                plain["seconds"] / max(plain["stored"], 1)
            )
            print(
                f"rendering costs {slower:.1f}x the time per page and "
                f"{rendered['peak_pss_mb'] - plain['peak_pss_mb']:.0f} MB more peak memory (PSS)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
