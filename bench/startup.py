"""Crawl start-up: seconds from starting `mediawatch crawl` to its first HTTP request.

Every crawl the daemon starts is a new process (Scrapy's reactor cannot restart), so start-up is
paid per crawl. A local server records when the first request arrives; the first round starts
without the compiled-watchlist cache (as after a watchlist edit), the others with it.
Target (issue 13): first request within 1.5 s of process start, with the cache.

Usage: .venv/bin/python bench/startup.py [--rounds 5] [--no-match]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Start-up</title>
<item><title>One</title><link>http://{host}/a/1</link></item></channel></rss>"""
PAGE = b"<html><head><title>One</title></head><body><article><p>Quetta.</p></article></body></html>"


class FirstRequest:
    def __init__(self) -> None:
        self.at: float | None = None
        self.lock = threading.Lock()

    def seen(self) -> None:
        with self.lock:
            if self.at is None:
                self.at = time.perf_counter()


def serve(first: FirstRequest) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            first.seen()
            host = self.headers.get("Host", "").encode()
            body = FEED.replace(b"{host}", host) if self.path.startswith("/feed") else PAGE
            self.send_response(200)
            self.send_header("Content-Type", "text/xml" if b"<rss" in body else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def one_run(config: Path, db_path: Path, no_match: bool) -> tuple[float, float]:
    """(seconds to the first request, seconds to exit)."""
    first = FirstRequest()
    server = serve(first)
    port = server.server_address[1]
    (config / "sources.yaml").write_text(
        "crawler:\n  allow_loopback: true\n  download_delay: 0\n  obey_robots: false\n"
        f'sources:\n  - {{name: startup, kind: feed, url: "http://127.0.0.1:{port}/feed.xml"}}\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update({"MEDIAWATCH_CONFIG_DIR": str(config), "MEDIAWATCH_DB": str(db_path)})
    args = [sys.executable, "-m", "mediawatch.cli", "crawl", "startup"]
    if no_match:
        args.append("--no-match")
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    done = time.perf_counter()
    server.shutdown()
    server.server_close()
    if proc.returncode != 0 or first.at is None:
        sys.exit(f"crawl failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return first.at - start, done - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-match", action="store_true", help="crawl without the watchlist")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mediawatch-bench-startup-"))
    try:
        config = work / "config"
        config.mkdir()
        shutil.copy(ROOT / "watchlist.yaml", config / "watchlist.yaml")
        rounds = []
        for number in range(args.rounds):
            db_path = work / f"archive-{number}.db"  # a fresh archive: every run fetches
            if number == 0:
                shutil.rmtree(work / ".mediawatch-cache", ignore_errors=True)
            rounds.append(one_run(config, db_path, args.no_match))
        cold, *warm = rounds
        print(
            f"first request, cold (no watchlist cache)  {cold[0]:.2f} s  (exit after {cold[1]:.2f} s)"
        )
        if warm:
            firsts = [r[0] for r in warm]
            print(
                f"first request, warm (median of {len(warm)})       {statistics.median(firsts):.2f} s"
                f"  (min {min(firsts):.2f}, max {max(firsts):.2f}; target <= 1.5 s)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
