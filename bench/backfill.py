"""Backfill benchmark: a month of a 50-articles-a-day outlet on a generated replay site.

The outlet keeps a sitemap index of daily sitemaps over three months (the backfill must pick
the month's 30 by their names) and the Internet Archive holds the same month (one CDX listing,
then the raw captures). Each is backfilled into a fresh archive by the real CLI, and the site's
request log says what was fetched.

Prints, per way in: articles stored, articles/s, requests per stored article (sitemaps, CDX
calls and robots.txt included; target <= 1.2) and pages requested twice (target 0).
Usage: .venv/bin/python bench/backfill.py [--per-day 50] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.replay import ReplaySite, render_placeholders  # noqa: E402

MONTH = date(2024, 11, 1)
WORDS = [
    "Quetta",
    "Gwadar",
    "Turbat",
    "Kalat",
    "Mastung",
    "Noshki",
    "Pasni",
    "Hub",
    "Khuzdar",
    "Sibi",
    "convoy",
    "port",
    "highway",
    "council",
    "farmers",
    "fishermen",
    "traders",
    "students",
    "court",
    "budget",
    "water",
    "power",
]


def article(day: date, n: int) -> str:
    w = [WORDS[(n * 7 + k * 3 + day.day) % len(WORDS)] for k in range(12)]
    title = f"{w[0]} {w[1]} report {day.isoformat()} number {n}"
    paras = "".join(
        f"<p>{w[k]} officials said on {day.isoformat()} that the {w[k + 1]} plan for {w[k + 2]} "
        f"would be reviewed, item {n}-{k}, after talks with the {w[k + 3]} council of the province.</p>"
        for k in range(6)
    )
    stamp = f"{day.isoformat()}T{n % 24:02d}:{n % 60:02d}:00Z"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{stamp}"></head><body><main><article>'
        f"<h1>{title}</h1>{paras}</article></main></body></html>"
    )


def build_site(folder: Path, per_day: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    days = [MONTH - timedelta(days=30) + timedelta(days=i) for i in range(91)]  # Oct-Dec
    children, cdx = [], ['["timestamp","original","mimetype","statuscode"]']
    for day in days:
        urls = []
        for n in range(per_day):
            path = f"news/{day:%Y/%m/%d}/story-{n}.html"
            page = folder / "outlet" / path
            page.parent.mkdir(parents=True, exist_ok=True)
            body = article(day, n)
            page.write_text(body)
            urls.append(
                f"<url><loc>{{{{base}}}}/outlet/{path}</loc>"
                f"<lastmod>{day.isoformat()}T{n % 24:02d}:{n % 60:02d}:00Z</lastmod></url>"
            )
            if day.month == MONTH.month:
                stamp = f"{day:%Y%m%d}{n % 24:02d}{n % 60:02d}00"
                original = f"https://outlet.example/{path}"
                copy = (
                    folder / "wayback" / "web" / f"{stamp}id_" / "https:" / "outlet.example" / path
                )
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_text(body)
                cdx.append(f'["{stamp}","{original}","text/html","200"]')
        name = f"sitemap-{day.isoformat()}.xml"
        (folder / "outlet" / name).write_text(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(urls)
            + "</urlset>"
        )
        children.append(f"<sitemap><loc>{{{{base}}}}/outlet/{name}</loc></sitemap>")
    (folder / "outlet" / "sitemap_index.xml").write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(children)
        + "</sitemapindex>"
    )
    (folder / "wayback" / "cdx.json").write_text("[" + ",\n".join(cdx) + "]")


SOURCES = """crawler:
  allow_loopback: true
  download_delay: 0
  autothrottle: false
  concurrent_per_host: {concurrency}
sources:
  - {{name: outlet-sitemap, kind: sitemap, outlet: Outlet, url: "{{{{base}}}}/outlet/sitemap_index.xml"}}
  - {{name: outlet-wayback, kind: wayback, outlet: Outlet, url: "https://outlet.example/", endpoint: "{{{{base}}}}/wayback/cdx.json"}}
"""


def run(site: ReplaySite, config: Path, source: str, work: Path) -> dict:
    db_path = work / f"{source}.db"
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config), "MEDIAWATCH_DB": str(db_path)}
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    site.log.clear()
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mediawatch.cli",
            "backfill",
            source,
            "--from",
            "2024-11-01",
            "--to",
            "2024-11-30",
        ],
        env=env,
        check=True,
        cwd=config,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    stored = sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0]
    paths = site.log.paths()
    twice = sum(1 for _, n in Counter(paths).items() if n > 1)
    return {"stored": stored, "seconds": seconds, "requests": len(paths), "twice": twice}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8, help="crawler.concurrent_per_host")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_site(work / "site", args.per_day)
        config = work / "config"
        config.mkdir()
        with ReplaySite([work / "site"]) as site:
            text = render_placeholders(SOURCES.format(concurrency=args.concurrency), site.base)
            (config / "sources.yaml").write_text(text)
            (config / "watchlist.yaml").write_text((ROOT / "watchlist.yaml").read_text())
            print(
                f"a month of {args.per_day} articles a day ({args.per_day * 30} articles), "
                f"concurrent_per_host {args.concurrency}, matching on"
            )
            for source in ("outlet-sitemap", "outlet-wayback"):
                r = run(site, config, source, work)
                print(
                    f"{source:<16} stored {r['stored']:>5}  {r['stored'] / r['seconds']:6.1f} articles/s  "
                    f"requests/article {r['requests'] / max(1, r['stored']):.3f}  "
                    f"requested twice {r['twice']}  ({r['requests']} requests, {r['seconds']:.1f} s)"
                )


if __name__ == "__main__":
    main()
