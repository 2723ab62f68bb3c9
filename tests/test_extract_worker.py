"""The crawl's extract worker (scrapers/extract_worker.py): a worker that dies loses no article, and
a worker never outlives its crawl process, even one killed with SIGKILL.

Each test serves the generated outlet of tests/chaos_helpers.py on its own replay site and runs the
real CLI against a real SQLite file. Kills wait on what the processes did (bytes the worker read,
articles in the archive), never on a time; waits for processes to end have generous margins.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chaos_helpers import (
    OUTLET,
    backlog,
    cli_env,
    runs,
    stored_count,
    stored_urls,
    write_outlet,
    write_sources,
)
from mediawatch.scrapers.extract import ExtractionError, extract
from mediawatch.scrapers.extract_worker import ExtractWorker

pytestmark = pytest.mark.slow

BIG = f"/{OUTLET}/big-report"


def write_big_page(folder: Path) -> None:
    """An article of about 2 MB that takes the extractor about 4 s of CPU (20 small pages take
    0.2 s); added to the outlet's feed."""
    paras = "".join(
        f"<div class='p{i}'><p>Paragraph {i} of the long report from Quetta about water, power "
        f"and roads in the district, with <a href='/l{i}'>a link</a>.</p></div>"
        for i in range(12000)
    )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>The long report</title></head>"
        f"<body><main><article><h1>The long report</h1>{paras}</article></main></body></html>"
    ).encode()
    (folder / f"{BIG.lstrip('/')}.html").write_bytes(page)
    feed = folder / OUTLET / "feed.xml"
    item = f"<item><title>The long report</title><link>{{{{base}}}}{BIG}</link></item>\n"
    text = feed.read_text(encoding="utf-8")
    feed.write_text(text.replace("</channel>", item + "</channel>"), encoding="utf-8")


def start_crawl(config, archive) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--json", OUTLET],
        env=cli_env(config, archive),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=config,
    )


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def extract_worker_of(pid: int) -> list[int]:
    """The crawl's forked children that stay: its extract worker. A crawl also runs a short
    command at start (`uname -p`, for the versions Scrapy logs), which shows as a second child
    for a moment, first with the crawl's own command line: 0.3 s later it is gone."""
    own = _cmdline(pid)
    first = {c for c in children(pid) if _cmdline(c) == own}
    time.sleep(0.3)
    return sorted(c for c in first if c in children(pid) and _cmdline(c) == own)


def wait_for(what, timeout: float = 120.0, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(message or "timed out")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # ended, waiting to be reaped by whoever adopted it


def tries(archive, url: str) -> int:
    conn = sqlite3.connect(archive)
    try:
        return conn.execute("SELECT attempts FROM crawl_backlog WHERE url = ?", [url]).fetchone()[0]
    finally:
        conn.close()


def test_a_worker_killed_mid_page_fails_the_run_and_the_next_crawl_stores_the_page(outlet):
    folder, site, config, archive = outlet
    paths = write_outlet(folder, 12, {BIG: {"delay": 1.0}})  # the long page comes last
    write_big_page(folder)
    write_sources(config, site.base)

    proc = start_crawl(config, archive)
    try:
        (worker,) = wait_for(
            lambda: extract_worker_of(proc.pid), message="no extract worker started"
        )
        wait_for(lambda: BIG in [p for _, p, _ in site.log.entries], message="not served")
        start = cpu_seconds(worker)
        # a second of CPU after the long page was sent: more than the worker's warm-up and the
        # small pages take, much less than the long page's 4 s: it is extracting the long page
        wait_for(lambda: cpu_seconds(worker) - start >= 1.0, message="the worker idles")
        os.kill(worker, signal.SIGKILL)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, (out, err)  # the run failed: a page could not be extracted
    (summary,) = json.loads(out)
    assert summary["status"] == "failed"
    assert any(
        e.startswith(f"{site.url(BIG)}: could not extract: the extract worker ended")
        for e in summary["errors"]
    ), summary["errors"]
    # the other pages were stored by the same crawl; the long one waits in the backlog
    assert stored_urls(archive) == sorted(site.url(p) for p in paths)
    assert backlog(archive) == [site.url(BIG)]
    assert tries(archive, site.url(BIG)) == 1  # counted: a page that kills it is given up after 5

    again = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--json", OUTLET],
        env=cli_env(config, archive),
        capture_output=True,
        text=True,
        cwd=config,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert stored_urls(archive) == sorted(site.url(p) for p in [*paths, BIG])
    assert backlog(archive) == []
    assert [r["status"] for r in runs(archive)] == ["failed", "ok"]


def test_the_worker_ends_when_its_crawl_is_killed_with_sigkill(outlet):
    folder, site, config, archive = outlet
    write_outlet(folder, 30, {f"/{OUTLET}/story-{n:03d}": {"delay": 0.15} for n in range(30)})
    write_sources(config, site.base)
    proc = start_crawl(config, archive)
    try:
        (worker,) = wait_for(
            lambda: extract_worker_of(proc.pid), message="no extract worker started"
        )
        wait_for(lambda: stored_count(archive) >= 3, message="nothing stored")
        proc.send_signal(signal.SIGKILL)  # the crawl process alone, not its group
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    wait_for(lambda: gone(worker), message="the extract worker outlived its crawl")


def test_the_worker_answers_what_extract_answers():
    pages = sorted((Path(__file__).parent / "site").rglob("*.html"))[:12]
    corpus = sorted(Path(__file__).parent.glob("**/*.html.gz"))[:4]
    bodies = [p.read_bytes() for p in pages] + [gzip.decompress(p.read_bytes()) for p in corpus]
    bodies += [b"", b"%PDF-1.4 not a page"]
    assert len(bodies) >= 6
    worker = ExtractWorker()

    async def both(body: bytes, n: int):
        url = f"http://127.0.0.1/page-{n}"
        try:
            here = extract(body, url=url)
        except ExtractionError as exc:
            here = ("error", str(exc))
        try:
            there = await worker.extract(html=body, url=url)
        except ExtractionError as exc:
            there = ("error", str(exc))
        return here, there

    async def run():
        # many at once: answers come back to the page that asked, in any interleaving
        return await asyncio.gather(*(both(b, n) for n, b in enumerate(bodies)))

    try:
        for here, there in asyncio.run(run()):
            assert there == here
    finally:
        worker.close()
    assert worker.process.exitcode == 0
