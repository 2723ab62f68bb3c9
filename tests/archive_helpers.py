"""A small archive built the way the crawler builds it (db.store_article + db.store_matches).

The seed article is the report that started the project; the others are there to be ranked below
it, filtered out, or counted per day and per outlet.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mediawatch.db.deliveries import mark_sent, record_digest

from mediawatch import db

SEED_TITLE = "Pakistan launches military offensive in Balochistan amid mounting Chinese pressure"
SEED_URL = (
    "https://www.myind.net/Home/viewArticle/"
    "pakistan-launches-military-offensive-in-balochistan-amid-mounting-chinese-pressure"
)
SEED_TEXT = (
    "Pakistan's army has launched a military offensive against Baloch separatists in "
    "Balochistan after a string of attacks on Chinese workers building the China-Pakistan "
    "Economic Corridor. Officials in Quetta said the operation followed mounting pressure from "
    "Beijing to secure CPEC projects and the port of Gwadar, which the Balochistan Liberation "
    "Army has repeatedly targeted."
)


def entity(name: str, kind: str, count: int = 1) -> dict:
    return {"name": name, "type": kind, "count": count, "offsets": [[0, len(name)]]}


SEED_MATCHES = [
    {
        "topic": "balochistan",
        "score": 0.95,
        "entities": [entity("Balochistan", "place", 3), entity("Quetta", "place")],
        "terms": [{"term": "balochistan", "count": 3}],
        "snippets": [{"text": "launched a military offensive in Balochistan", "highlights": []}],
    },
    {
        "topic": "cpec",
        "score": 0.8,
        "entities": [entity("CPEC", "project"), entity("Gwadar", "place")],
        "terms": [{"term": "cpec", "count": 1}],
        "snippets": [{"text": "secure CPEC projects and the port of Gwadar", "highlights": []}],
    },
    {
        "topic": "bla",
        "score": 0.7,
        "entities": [entity("Balochistan Liberation Army", "organisation")],
        "terms": [{"term": "balochistan liberation army", "count": 1}],
        "snippets": [{"text": "the Balochistan Liberation Army has repeatedly", "highlights": []}],
    },
]

OTHERS = [
    # (source, outlet, title, text, published_at, language, topics)
    (
        "dawn-pakistan",
        "Dawn",
        "Gwadar port handles first transit cargo of the year",
        "The port of Gwadar handled its first transit cargo of the year, officials said. "
        "Balochistan is mentioned once here.",
        "2024-11-20T08:00:00Z",
        "en",
        ["cpec"],
    ),
    (
        "dawn-pakistan",
        "Dawn",
        "Wheat prices rise in Punjab markets",
        "Wheat prices rose in Lahore and Multan markets this week as supplies tightened.",
        "2024-11-19T12:00:00Z",
        "en",
        [],
    ),
    (
        "tribune-balochistan",
        "The Express Tribune",
        "Quetta traders protest power outages",
        "Traders in Quetta, the capital of Balochistan, closed shops to protest long power "
        "outages across the province.",
        "2024-10-02T06:30:00Z",
        "en",
        ["balochistan"],
    ),
    (
        "bbc-urdu",
        "BBC Urdu",
        "بلوچستان میں سکیورٹی آپریشن",
        "بلوچستان میں سکیورٹی فورسز نے آپریشن شروع کر دیا ہے۔ کوئٹہ میں حکام نے بتایا۔",
        "2024-11-21T11:00:00Z",
        "ur",
        ["balochistan"],
    ),
]


def build_archive(path: Path) -> dict[str, int]:
    """Create the archive at `path`; returns article ids by a short name."""
    archive = db.connect(path)
    ids: dict[str, int] = {}
    seed = db.store_article(
        archive,
        {
            "url": SEED_URL,
            "source": "myind",
            "outlet": "Myind",
            "title": SEED_TITLE,
            "text": SEED_TEXT,
            "published_at": "2024-11-21T09:57:00Z",
            "fetched_at": "2024-11-21T10:05:00Z",
            "language": "en",
            "authors": ["Myind Staff"],
        },
    )
    ids["seed"] = seed.article_id
    db.store_matches(archive, seed.article_id, SEED_MATCHES)
    for n, (source, outlet, title, text, published, language, topics) in enumerate(OTHERS):
        slug = hashlib.sha1(title.encode()).hexdigest()[:10]
        stored = db.store_article(
            archive,
            {
                "url": f"https://{source}.example/{published[:10]}/{slug}",
                "source": source,
                "outlet": outlet,
                "title": title,
                "text": text,
                "published_at": published,
                "fetched_at": published,
                "language": language,
            },
        )
        ids[f"other{n}"] = stored.article_id
        db.store_matches(
            archive,
            stored.article_id,
            [
                {"topic": t, "score": 0.5, "entities": [entity("Gwadar", "place")], "terms": []}
                for t in topics
            ],
        )
    db.sync_sources(
        archive,
        [
            {
                "name": "myind",
                "kind": "listing",
                "url": "https://www.myind.net/",
                "outlet": "Myind",
                "enabled": 1,
            },
            {
                "name": "geo",
                "kind": "sitemap",
                "url": "https://www.geo.tv/x.xml",
                "outlet": "Geo",
                "enabled": 1,
            },
        ],
    )
    run = db.start_run(archive, "geo")
    db.finish_run(
        archive,
        run,
        status="failed",
        requests=1,
        new_articles=0,
        duplicates=0,
        error_messages=["HTTP 503 from https://www.geo.tv/x.xml"],
    )
    digest = record_digest(
        archive,
        subscription="security-desk",
        kind="digest",
        key="security-desk/2024-11-21T10:30:00Z",
        created_at="2024-11-21T10:30:00Z",
        since="2024-11-21T10:00:00Z",
        items=[(seed.article_id, ["balochistan", "bla"], True)],
        stories=1,
        subject="mediawatch: 1 new article on balochistan, bla",
        message={"text": SEED_TITLE},
        deliveries=[("desk-email", "email", "<digest-1@mediawatch.test>")],
        next_attempt_at="2024-11-21T10:30:00Z",
    )
    delivery_id = archive.execute(
        "SELECT id FROM deliveries WHERE digest_id = ?", [digest]
    ).fetchone()[0]
    mark_sent(archive, delivery_id, "2024-11-21T10:30:05Z")
    archive.conn.close()  # the last connection checkpoints the WAL into the file
    return ids


def settle(path: Path) -> bytes:
    """The archive's bytes after folding any WAL into the file: what "unchanged" is judged on."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return Path(path).read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(path: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`mediawatch serve` as a user starts it, on a free loopback port; yields (base URL, process)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mediawatch.cli",
            "--db",
            str(path),
            "serve",
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise AssertionError(f"serve exited early: {process.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("serve did not answer within 120 s")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
