"""A replay news site on 127.0.0.1: serves folders of feeds, sitemaps and pages for tests and the demo.

Text files may hold placeholders so that a static site stays "fresh":
  {{base}}                 the server's own base URL (http://127.0.0.1:PORT)
  {{gnews:/path}}          an old-style Google News link that decodes to {{base}}/path
  {{ago:2h}}               now minus a duration, RFC 822 (feeds);  {{ago:2h:iso}} ISO 8601 UTC;
                           {{ago:2h:compact}} as GDELT writes it (20261130T101500Z)
Optional `_behaviour.json` in a site folder maps a path to a behaviour:
  {"status": 429, "retry_after": 1, "times": 1}   answer with that status for the first N requests
  {"status": 302, "location": "http://..."}       a redirect
  {"delay": 3}                                     wait before answering (an overrunning crawl)
  {"generate_bytes": 6000000}                      a page of that many bytes
  {"gzip_bomb": 200000000}                         gzip body that inflates to that many bytes
  {"content_type": "application/pdf"}             override the content type
  {"batchexecute": {"TOKEN": "/path"}}             play Google News' batchexecute (POST): answer
                                                   the publisher URL {{base}}/path for a token
                                                   whose signature is "sig-TOKEN";
                                                   "shape": "changed" answers in an unknown shape
  {"pad": {"with": "<!DOCTYPE ", "bytes": 1000000}} the file followed by that text repeated
  {"sitemap_maze": 20}                             a sitemap index listing itself and N new
                                                   child indexes below its own path, at any depth
A key ending in `*` applies to every path it prefixes. Text files in UTF-16 (with BOM) may hold
placeholders too. Conditional GET works on every file (ETag and Last-Modified), so 304s can be
counted; `site.arrivals(path)` counts requests as they arrive (the log records them once answered).
"""

from __future__ import annotations

import codecs
import contextlib
import email.utils
import gzip
import hashlib
import io
import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mediawatch.scrapers.gnews import encode_link
from mediawatch.times import parse_duration

DEMO_SITE = Path(__file__).resolve().parent / "demo_site"
TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
BINARY_TYPES = {".gz": "application/gzip", ".pdf": "application/pdf", ".png": "image/png"}
# A file's facts are kept once its modification time is this far in the past: a file written now may
# be written again within the same tick of the file system's clock (tests rewrite files while the
# site serves), and would keep its modification time and maybe its size.
SETTLED_SECONDS = 2.0
PLACEHOLDER = re.compile(r"\{\{(base|gnews:[^}]+|ago:[^}:]+(?::(?:iso|rfc822|date|compact))?)\}\}")


@dataclass(frozen=True)
class FileFacts:
    """What serving a file computes from its bytes alone, kept per file version: serving a static
    page cost ~1 ms of CPU, half of it hashing the page for its ETag and looking for placeholders,
    on the cores the crawl it serves runs on (bench/ingest.py)."""

    etag: str
    last_modified: str
    plain: bool  # served as it is: rendering the file gave back the same bytes


@dataclass
class RequestLog:
    entries: list[tuple[str, str, int]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.time() of each entry, same order
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.entries.append((method, path, status))
            self.times.append(time.time())

    def paths(self, status: int | None = None) -> list[str]:
        with self.lock:
            return [p for _, p, s in self.entries if status is None or s == status]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.times.clear()


def render_placeholders(text: str, base: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)

    def sub(match: re.Match) -> str:
        token = match.group(1)
        if token == "base":
            return base
        if token.startswith("gnews:"):
            return f"https://news.google.com/rss/articles/{encode_link(base + token[6:])}?oc=5"
        _, amount, *fmt = token.split(":")
        moment = now - timedelta(seconds=parse_duration(amount) or 0)
        style = fmt[0] if fmt else "rfc822"
        if style == "iso":
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        if style == "compact":  # GDELT's seendate
            return moment.strftime("%Y%m%dT%H%M%SZ")
        if style == "date":
            return moment.strftime("%Y-%m-%d")
        return email.utils.format_datetime(moment, usegmt=True)

    return PLACEHOLDER.sub(sub, text)


class ReplaySite:
    """The server: `with ReplaySite([folder, ...]) as site: site.url("/dawn/feed.xml")`."""

    def __init__(self, roots: list[Path] | None = None, host: str = "127.0.0.1", port: int = 0):
        self.roots = [Path(r) for r in (roots or [DEMO_SITE])]
        self.log = RequestLog()
        self._counts: dict[str, int] = {}
        self._arrivals: dict[str, int] = {}
        self._rules: dict[Path, tuple[int, dict]] = {}
        self._facts: dict[Path, tuple[tuple[int, int, int], FileFacts]] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> ReplaySite:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplaySite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def behaviour(self, path: str) -> dict:
        for root in self.roots:
            rules = self._rules_of(root / "_behaviour.json")
            if path in rules:
                return rules[path]
            for key, rule in rules.items():
                if key.endswith("*") and path.startswith(key[:-1]):
                    return rule
        return {}

    def arrivals(self, path: str) -> int:
        """Requests for path received so far, answered or not (a slow answer is logged late)."""
        with self._lock:
            return self._arrivals.get(path, 0)

    def _arrived(self, path: str) -> None:
        with self._lock:
            self._arrivals[path] = self._arrivals.get(path, 0) + 1

    def _rules_of(self, spec: Path) -> dict:
        """The parsed rules file, re-read only when it changed (tests rewrite it while serving)."""
        try:
            mtime = spec.stat().st_mtime_ns
        except FileNotFoundError:
            return {}
        with self._lock:
            cached = self._rules.get(spec)
        if cached and cached[0] == mtime:
            return cached[1]
        rules = json.loads(spec.read_text(encoding="utf-8"))
        with self._lock:
            self._rules[spec] = (mtime, rules)
        return rules

    def facts(self, found: Path, raw: bytes, stat, plain: bool) -> FileFacts:
        """The file's ETag and Last-Modified (and whether it is served as it is), kept for
        cached_facts once the file has not changed for SETTLED_SECONDS."""
        # the file, not the rendered body: "fresh" dates must not defeat conditional GET
        facts = FileFacts(
            etag='"' + hashlib.sha1(raw).hexdigest()[:16] + '"',
            last_modified=email.utils.formatdate(int(stat.st_mtime), usegmt=True),
            plain=plain,
        )
        if time.time() - stat.st_mtime > SETTLED_SECONDS and len(raw) == stat.st_size:
            with self._lock:
                self._facts[found] = (_version(stat), facts)
        return facts

    def cached_facts(self, found: Path, stat) -> FileFacts | None:
        """Facts of this very version of the file, if computed before."""
        with self._lock:
            cached = self._facts.get(found)
        if cached and cached[0] == _version(stat):
            return cached[1]
        return None

    def find(self, path: str) -> Path | None:
        rel = unquote(path).lstrip("/")
        if ".." in Path(rel).parts:
            return None
        for root in self.roots:
            for candidate in (rel, rel + ".html", rel.rstrip("/") + "/index.html"):
                full = root / candidate
                if candidate and full.is_file():
                    return full
            if rel == "" and (root / "index.html").is_file():
                return root / "index.html"
        return None

    def count(self, path: str) -> int:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # the request log replaces stderr chatter
                pass

            def do_HEAD(self) -> None:
                self.do_GET(head=True)

            def do_GET(self, head: bool = False) -> None:
                path = urlsplit(self.path).path
                site._arrived(path)
                status = self._serve(path, head)
                site.log.add(self.command, self.path, status)

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                status = self._post(path, form)
                site.log.add("POST", self.path, status)

            def _post(self, path: str, form: str) -> int:
                rule = site.behaviour(path)
                if "status" in rule and site.count(path) <= int(rule.get("times", 10**9)):
                    return self._send(
                        int(rule["status"]), b"try later\n", {"Content-Type": "text/plain"}
                    )
                if "batchexecute" not in rule:
                    return self._send(404, b"not found\n", {"Content-Type": "text/plain"})
                body = _batchexecute_answer(form, rule, site.base)
                return self._send(
                    200, body.encode(), {"Content-Type": "application/json; charset=utf-8"}
                )

            def _send(self, status, body=b"", headers=None, head=False) -> int:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and body:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)
                return status

            def _serve(self, path: str, head: bool) -> int:
                rule = site.behaviour(path)
                if rule.get("delay"):
                    time.sleep(float(rule["delay"]))
                if "status" in rule and site.count(path) <= int(rule.get("times", 10**9)):
                    headers = {"Content-Type": "text/plain"}
                    if "retry_after" in rule:
                        headers["Retry-After"] = str(rule["retry_after"])
                    if "location" in rule:
                        headers["Location"] = render_placeholders(rule["location"], site.base)
                    return self._send(int(rule["status"]), b"try later\n", headers, head)
                if "generate_bytes" in rule:
                    size = int(rule["generate_bytes"])
                    body = b"<html><body><p>" + b"x" * size + b"</p></body></html>"
                    return self._send(200, body, {"Content-Type": "text/html"}, head)
                if "sitemap_maze" in rule:
                    body = _sitemap_maze(site.base, path, int(rule["sitemap_maze"]))
                    return self._send(200, body, {"Content-Type": "application/xml"}, head)
                if "gzip_bomb" in rule:
                    body = _gzip_zeros(int(rule["gzip_bomb"]))
                    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
                    return self._send(200, body, headers, head)
                found = site.find(path)
                if found is None:
                    return self._send(404, b"not found\n", {"Content-Type": "text/plain"}, head)
                stat = found.stat()
                raw = found.read_bytes()
                known = site.cached_facts(found, stat)
                if known is not None and known.plain:
                    body, ctype = raw, _content_type(found)
                else:
                    body, ctype = self._body(found, raw)
                facts = known or site.facts(found, raw, stat, plain=body == raw)
                ctype = rule.get("content_type", ctype)
                if "pad" in rule:
                    text = rule["pad"]["with"].encode()
                    body += text * (int(rule["pad"]["bytes"]) // len(text))
                etag = facts.etag
                headers = {
                    "Content-Type": ctype,
                    "ETag": etag,
                    "Last-Modified": facts.last_modified,
                }
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", {"ETag": etag}, True)
                return self._send(200, body, headers, head)

            def _body(self, found: Path, raw: bytes) -> tuple[bytes, str]:
                suffix = found.suffix.lower()
                ctype = _content_type(found)
                if suffix in BINARY_TYPES:
                    if suffix == ".gz":
                        inner = gzip.decompress(raw).decode("utf-8", "replace")
                        raw = gzip.compress(render_placeholders(inner, site.base).encode(), mtime=0)
                    return raw, ctype
                for bom, codec in (
                    (codecs.BOM_UTF16_LE, "utf-16-le"),
                    (codecs.BOM_UTF16_BE, "utf-16-be"),
                ):
                    if raw.startswith(bom):  # rendered, and served in the same UTF-16 again
                        text = render_placeholders(raw[2:].decode(codec), site.base)
                        return bom + text.encode(codec), ctype
                if b"{{" not in raw:  # nothing to render: served byte for byte, in any encoding
                    return raw, ctype
                text = render_placeholders(raw.decode("utf-8", "replace"), site.base)
                return text.encode("utf-8"), ctype

        return Handler


def _version(stat) -> tuple[int, int, int]:
    """What tells one version of a file from the next: a rewrite changes one of them."""
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _content_type(found: Path) -> str:
    suffix = found.suffix.lower()
    return BINARY_TYPES.get(suffix) or TEXT_TYPES.get(suffix, "text/html; charset=utf-8")


class _QuietServer(ThreadingHTTPServer):
    """A crawler that drops a connection (size limit, shutdown) is normal here, not a traceback.

    The listen backlog is raised from socketserver's 5: several spiders opening connections at
    once would overflow it, and each dropped SYN stalls a request for the 1, 3, 7 s of TCP retries.
    """

    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _sitemap_maze(base: str, path: str, fanout: int) -> bytes:
    """A hostile sitemap index: itself, then `fanout` child indexes that do the same one level down."""
    stem = path.removesuffix(".xml")
    locs = [base + path] + [f"{base}{stem}-{k}.xml" for k in range(fanout)]
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    ).encode()


def _gzip_zeros(size: int) -> bytes:
    out = io.BytesIO()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * 1_000_000
    for _ in range(size // len(chunk)):
        out.write(compressor.compress(chunk))
    out.write(compressor.flush())
    return out.getvalue()


def _batchexecute_answer(form: str, rule: dict, base: str) -> str:
    """Google's answer to a `garturlreq`: the URL when the token is known and the signature right."""
    from urllib.parse import parse_qs

    try:
        envelope = json.loads(parse_qs(form)["f.req"][0])[0][0]
        _, _, token, timestamp, signature = json.loads(envelope[1])
        path = rule["batchexecute"].get(token) if signature == f"sig-{token}" else None
    except (KeyError, IndexError, TypeError, ValueError):
        path, timestamp = None, None
    if path is None or not isinstance(timestamp, int):
        rows = [["wrb.fr", "Fbv4je", None, None, None, [3], "generic"], ["di", 12]]
    elif rule.get("shape") == "changed":
        rows = [["wrb.fr", "Fbv4je", json.dumps({"article": {"href": base + path}}), None, None]]
    else:
        payload = json.dumps(["garturlres", base + path, 1])
        rows = [["wrb.fr", "Fbv4je", payload, None, None, None, "generic"], ["di", 42]]
        rows.append(["af.httprm", 41, "-6108450466352345600", 7])
    return ")]}'\n\n" + json.dumps(rows)
