"""Chaos benchmark: crawls killed with SIGKILL at random moments, and crawls into a full disk.

Each round is a fresh archive and a generated outlet of N articles (a feed, each page slowed a
little so a kill lands mid-crawl) on a replay site on 127.0.0.1:
  - kill:  a crawl is SIGKILLed at a random moment (a random 0..0.5 s after a random number of
           articles, 0..N-1, is in the archive), then the outlet is crawled once more;
  - full:  the archive's disk is made full at a random point (a shrunken tmpfs as root, else a
           file size limit), the outlet is crawled, the disk is given room, and crawled once more.
Prints, per mode, the articles lost (target 0), stored twice (target 0), and for the full disk
how many of the crawls that could not store everything said so (failed run, non-zero exit).

Usage: .venv/bin/python bench/chaos.py [--rounds 20] [--articles 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from chaos_helpers import (  # noqa: E402
    OUTLET,
    SmallDisk,
    article_path,
    cli_env,
    serve,
    stored_count,
    write_outlet,
    write_sources,
)

from mediawatch import db  # noqa: E402

PAGE_DELAY = 0.1


def crawl(config: Path, archive: Path, preexec=None, kill_at: tuple[int, float] | None = None):
    """One `mediawatch crawl`. With kill_at=(k, s) it is SIGKILLed s seconds after k articles are
    in the archive (k=0: s seconds after it started). Returns the exit status (negative: killed)
    and the JSON summary, if any."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--json", "--no-match", OUTLET],
        env=cli_env(config, archive),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=config,
        preexec_fn=preexec,
    )
    if kill_at is not None:
        articles, seconds = kill_at
        while proc.poll() is None and articles and stored_count(archive) < articles:
            time.sleep(0.02)
        time.sleep(seconds)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=600)
    try:
        summary = json.loads(out or "[]")
    except ValueError:
        summary = []
    return proc.returncode, summary


def count(archive: Path, wanted: list[str]) -> tuple[int, int]:
    """(lost, stored twice) among the outlet's articles: by URL, and by title for duplicates."""
    conn = sqlite3.connect(archive)
    try:
        urls = [r[0] for r in conn.execute("SELECT url FROM articles")]
        titles = [r[0] for r in conn.execute("SELECT title FROM articles")]
    except sqlite3.OperationalError:  # killed before the archive had its tables
        return len(wanted), 0
    finally:
        conn.close()
    lost = sum(1 for u in wanted if u not in urls)
    twice = (len(urls) - len(set(urls))) + (len(titles) - len(set(titles)))
    return lost, twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n = args.articles

    with tempfile.TemporaryDirectory(prefix="mediawatch-chaos-") as tmp:
        tmp = Path(tmp)
        site_dir = tmp / "site"
        site_dir.mkdir()
        site = serve(site_dir)
        slow = {article_path(i): {"delay": PAGE_DELAY} for i in range(n)}
        paths = write_outlet(site_dir, n, slow)
        wanted = [site.url(p) for p in paths]
        config = write_sources(tmp / "config", site.base)
        try:
            started = time.monotonic()
            crawl(config, tmp / "calibrate.db")
            length = time.monotonic() - started
            print(f"an uninterrupted crawl of {n} articles takes {length:.1f}s")

            lost_total = twice_total = killed = stored_at_kill = 0
            for r in range(args.rounds * 3):  # a crawl that ends before its kill is not a round
                if killed == args.rounds:
                    break
                archive = tmp / f"kill-{r}.db"
                moment = (rng.randrange(n), rng.uniform(0, 0.5))  # anywhere in the crawl
                status, _ = crawl(config, archive, kill_at=moment)
                if status != -signal.SIGKILL:
                    continue
                killed += 1
                stored_at_kill += n - count(archive, wanted)[0]
                crawl(config, archive)
                lost, twice = count(archive, wanted)
                lost_total += lost
                twice_total += twice
            print(
                f"kill: {killed} crawls SIGKILLed at random moments x {n} articles "
                f"({stored_at_kill} of {killed * n} stored when killed): "
                f"lost {lost_total}, stored twice {twice_total}"
            )

            lost_total = twice_total = short = said = stored_full = 0
            disk = SmallDisk(tmp / "disk")
            print(f"full disk: {'tmpfs' if disk.mounted else 'file size limit (not root)'}")
            try:
                for r in range(args.rounds):
                    archive = disk.folder / f"full-{r}.db"
                    db.connect(archive).conn.close()
                    disk.fill(room=rng.randint(40, 800) * 1024)
                    status, summary = crawl(config, archive, preexec=disk.preexec)
                    disk.lift()
                    lost_before, _ = count(archive, wanted)
                    stored_full += n - lost_before
                    if lost_before:
                        short += 1
                        failed = [s for s in summary if s.get("status") == "failed"]
                        said += bool(status != 0 and (failed or not summary))
                    crawl(config, archive)
                    lost, twice = count(archive, wanted)
                    lost_total += lost
                    twice_total += twice
                    for extra in ("-wal", "-shm", ""):
                        Path(str(archive) + extra).unlink(missing_ok=True)
            finally:
                disk.close()
            print(
                f"full disk: {args.rounds} rounds x {n} articles: lost {lost_total}, "
                f"stored twice {twice_total}; {stored_full} of {args.rounds * n} stored before the "
                f"disk was full; crawls that could not store everything: {short}, "
                f"of which reported failed with a non-zero exit: {said}"
            )
        finally:
            site.stop()


if __name__ == "__main__":
    main()
