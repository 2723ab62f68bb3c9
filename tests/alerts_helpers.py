"""Shared pieces for the alert tests: a seeded archive, schedules from text, and real loopback
counterparts (an aiosmtpd SMTP server and an HTTP receiver) that record what they got."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

from mediawatch import db
from mediawatch.schedules import parse_schedules
from mediawatch.yamlfile import parse_yaml

NOW = datetime(2024, 11, 21, 12, 0, tzinfo=UTC)
SEED_TITLE = "Pakistan launches military offensive in Balochistan amid mounting Chinese pressure"
SEED_URL = (
    "https://www.myind.net/Home/viewArticle/"
    "pakistan-launches-military-offensive-in-balochistan-amid-mounting-chinese-pressure"
)
SEED_TEXT = (
    "Islamabad approved a broad military operation against armed separatist groups in "
    "Balochistan this week, under pressure from Beijing to protect Chinese engineers. "
    "Officials said the Balochistan Liberation Army (BLA) would be the main target, after a "
    "string of attacks on convoys serving the China-Pakistan Economic Corridor (CPEC)."
)
SEED_TOPICS = {"balochistan": "Balochistan", "cpec": "CPEC", "bla": "BLA"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snippet(text: str, word: str) -> dict:
    start = text.index(word)
    return {"text": text, "highlights": [[start, start + len(word)]]}


def add_article(
    archive,
    *,
    url: str,
    title: str,
    text: str = "",
    outlet: str = "Dawn",
    published_at: str = "2024-11-21T09:00:00Z",
    language: str = "en",
    topics: dict[str, str] | None = None,
    score: float = 1.0,
    **extra,
) -> int:
    """Store an article and flag it under `topics` ({topic: word to highlight})."""
    article = {
        "url": url,
        "source": extra.pop("source", outlet.lower()),
        "outlet": outlet,
        "title": title,
        "text": text,
        "published_at": published_at,
        "fetched_at": extra.pop("fetched_at", published_at),
        "language": language,
        "authors": extra.pop("authors", []),
        **extra,
    }
    article_id = db.store_article(archive, article).article_id
    matches = []
    for topic, word in (topics or {}).items():
        source = text if word in text else title
        matches.append(
            {
                "topic": topic,
                "score": score,
                "snippets": [snippet(source, word)] if word in source else [],
                "terms": [{"term": word, "count": 1}],
                "entities": [],
            }
        )
    db.store_matches(archive, article_id, matches)
    return article_id


def seeded_archive(tmp_path: Path):
    """An archive holding the seed article (Myind), flagged under Balochistan, CPEC and BLA."""
    archive = db.connect(tmp_path / "a.db")
    add_article(
        archive,
        url=SEED_URL,
        title=SEED_TITLE,
        text=SEED_TEXT,
        outlet="Myind",
        published_at="2024-11-21T10:27:00Z",
        authors=["Myind Staff"],
        topics=SEED_TOPICS,
        score=3.0,
    )
    return archive


def schedules_from(text: str, folder: Path):
    path = folder / "schedules.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_schedules(parse_yaml(text, path))


# ------------------------------------------------------------------ SMTP


class SmtpServer:
    """aiosmtpd on 127.0.0.1; `reply` is what DATA answers (e.g. "451 later", "550 no")."""

    def __init__(self, port: int | None = None, *, users: dict[str, str] | None = None):
        self.port = port or free_port()
        self.messages: list = []
        self.reply = "250 OK"
        self.users = users
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if not self.reply.startswith("2"):
            return self.reply
        from email import message_from_bytes, policy

        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),
            )
        )
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = (
            self.users is not None
            and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok)

    def start(self) -> SmtpServer:
        kwargs = {}
        if self.users is not None:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_require_tls": False,
                "auth_required": True,
            }
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


# ------------------------------------------------------------------ HTTP receiver


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers from a script:
    `script` is a list of (status, headers, delay_seconds) used in order, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict, float]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status, headers, delay = receiver.script.pop(0) if receiver.script else (200, {}, 0)
                if delay:
                    threading.Event().wait(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    payload = b"{}" if status < 300 else b'{"error": "scripted"}'
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])
