"""Cluster benchmark: the ingest replay site (N article pages behind feeds) crawled three ways, in one run.

Prints:
  - single process: `mediawatch crawl` of every feed (one process), articles/s;
  - cluster with 1 and with 2 workers (`mediawatch worker`, one `mediawatch run` as scheduler and
    archive writer, a real redis-server on loopback): articles/s from the daemon's start until every
    article is stored, CPU ms per article in the workers and in the writer, Redis commands per article;
  - the archive writer alone draining a pre-filled stream: articles/s into SQLite.
All processes share this machine's cores, so the worker figures are per-host figures only when the
machine is otherwise idle.

Usage: .venv/bin/python bench/cluster.py [--pages 2000] [--feeds 20] [--writer-only --entries 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ingest  # noqa: E402

from mediawatch.replay import ReplaySite  # noqa: E402

if not ingest.CORPUS.is_dir():  # a worktree beside the main checkout
    ingest.CORPUS = Path("/work/shared/corpus/news-pages/html")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stored(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(db_path)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def cpu_of(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def commands(r) -> int:
    return int(r.info("stats")["total_commands_processed"])


def single(config: Path, db_path: Path) -> tuple[int, float]:
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config), "MEDIAWATCH_DB": str(db_path)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "crawl", "--all", "--no-alerts"],
        env=env,
        check=True,
        capture_output=True,
    )
    return stored(db_path), time.perf_counter() - start


def cluster(config: Path, db_path: Path, url: str, r, workers: int, target: int) -> dict:
    r.flushall()
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(config), "MEDIAWATCH_DB": str(db_path)}
    logs = config.parent / f"cluster-{workers}"
    logs.mkdir(exist_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mediawatch.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(logs / f"w{i}.log", "w"),  # noqa: SIM115
        )
        for i in range(workers)
    ]
    time.sleep(8)  # workers up and polling before the clock starts
    before = commands(r)
    start = time.perf_counter()
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mediawatch.cli", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(logs / "daemon.log", "w"),  # noqa: SIM115
    )
    w_ps = [psutil.Process(p.pid) for p in procs]
    w_cpu0 = sum(cpu_of(p) for p in w_ps)
    d_ps = psutil.Process(daemon.pid)
    deadline = time.monotonic() + 1800
    while stored(db_path) < target and time.monotonic() < deadline:
        time.sleep(0.5)
    elapsed = time.perf_counter() - start
    n = stored(db_path)
    w_cpu = sum(cpu_of(p) for p in w_ps) - w_cpu0
    d_cpu = cpu_of(d_ps)
    cmds = commands(r) - before
    for p in [*procs, daemon]:
        p.send_signal(signal.SIGTERM)
    for p in [*procs, daemon]:
        p.wait(60)
    return {
        "workers": workers,
        "stored": n,
        "elapsed": elapsed,
        "rate": n / elapsed,
        "worker_cpu_ms": w_cpu / max(n, 1) * 1000,
        "writer_cpu_ms": d_cpu / max(n, 1) * 1000,
        "commands": cmds / max(n, 1),
    }


def writer_alone(source_db: Path, work: Path, url: str, r, copies: int) -> tuple[int, float, float]:
    """Fill the stream with article entries (the stored articles under fresh URLs), then drain."""
    from mediawatch.scrapers.cluster.frontier import Frontier, connect
    from mediawatch.scrapers.cluster.writer import ArchiveWriter

    r.flushall()
    conn = sqlite3.connect(source_db)
    conn.row_factory = sqlite3.Row
    rows = [
        dict(x)
        for x in conn.execute("SELECT url, source, outlet, title, text, language FROM articles")
    ]
    conn.close()
    frontier = Frontier(connect(url))
    frontier.ensure_group()
    pipe = r.pipeline()
    n = 0
    for c in range(copies):
        for row in rows:
            # a distinct URL and text per copy, under its outlet: the archive keeps a copy with the
            # same outlet and text as an alias
            article = {**row, "url": f"{row['url']}?copy={c}", "text": f"{row['text']}\n\n{c}"}
            entry = {
                "type": "article",
                "run": None,
                "source": row["source"],
                "article": article,
                "also": [],
                "flags": [],
            }
            pipe.xadd("mediawatch:articles", {"json": json.dumps(entry)})
            n += 1
    pipe.execute()
    db_path = work / "writer-alone.db"
    writer = ArchiveWriter(url, str(db_path))
    writer.prepare()
    cpu0 = time.process_time()
    start = time.perf_counter()
    writer.drain(threading.Event(), until_empty=True)
    elapsed = time.perf_counter() - start
    return writer.stored, elapsed, time.process_time() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument(
        "--writer-only",
        action="store_true",
        help="only the single-process crawl (for the articles) and the writer alone",
    )
    parser.add_argument("--entries", type=int, default=5000, help="stream entries for the writer")
    args = parser.parse_args()
    redis_bin = shutil.which("redis-server")
    if not redis_bin:
        sys.exit("redis-server is not installed (see .ci/install-redis)")
    work = Path(tempfile.mkdtemp(prefix="mediawatch-bench-cluster-"))
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = subprocess.Popen(
        [
            redis_bin,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(work),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        time.sleep(0.5)
        r = redis.Redis.from_url(url)
        ingest.build_site(work / "site", args.pages, args.feeds)
        with ReplaySite([work / "site"]) as site:
            config = work / "config"
            ingest.write_config(config, site.base, args.feeds, -(-args.pages // args.feeds))
            n, secs = single(config, work / "single.db")
            print(f"pages on the replay site   {args.pages} behind {args.feeds} feeds")
            print(
                f"single process             {n} stored in {secs:.1f} s: {n / secs:.1f} articles/s"
            )
            (config / "schedules.yaml").write_text(
                f"cluster: {{redis: '{url}'}}\n"
                "crawls:\n  - {name: all, sources: [feed], every: 1h, timeout: 1h}\n"
            )
            for k in () if args.writer_only else (1, 2):
                res = cluster(config, work / f"cluster-{k}.db", url, r, k, n)
                print(
                    f"cluster, {k} worker{'s' if k > 1 else ' '}        {res['stored']} stored in "
                    f"{res['elapsed']:.1f} s: {res['rate']:.1f} articles/s; CPU per article: "
                    f"workers {res['worker_cpu_ms']:.0f} ms, writer {res['writer_cpu_ms']:.1f} ms; "
                    f"Redis commands per article {res['commands']:.1f}"
                )
        count, secs, cpu = writer_alone(
            work / "single.db", work, url, r, max(1, args.entries // max(n, 1))
        )
        print(
            f"writer alone               {count} stream entries drained into SQLite in {secs:.1f} s: "
            f"{count / secs:.0f} articles/s ({cpu / max(count, 1) * 1000:.2f} ms CPU each)"
        )
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
