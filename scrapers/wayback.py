"""The Internet Archive's CDX API: which captures of an outlet's pages exist for a period, and
where each raw capture (the `id_` form: the page as archived, without the archive's toolbar) lives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

PAGE_LIMIT = 5000  # rows per CDX answer; a resume key asks for the next page


class CdxError(Exception):
    """The answer is not a CDX JSON listing."""


@dataclass(frozen=True)
class Capture:
    original: str
    timestamp: str  # YYYYMMDDhhmmss

    @property
    def captured_at(self) -> str:
        t = self.timestamp.ljust(14, "0")
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def cdx_stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def cdx_url(
    endpoint: str, pattern: str, start: datetime, end: datetime, resume_key: str | None = None
) -> str:
    """One page of successful HTML captures of `pattern` between start and end, one per URL."""
    params = [
        ("url", pattern),
        ("from", cdx_stamp(start)),
        ("to", cdx_stamp(end)),
        ("output", "json"),
        ("fl", "timestamp,original,mimetype,statuscode"),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
        ("collapse", "urlkey"),
        ("limit", str(PAGE_LIMIT)),
        ("showResumeKey", "true"),
    ]
    if resume_key:
        params.append(("resumeKey", resume_key))
    return f"{endpoint}?{urlencode(params)}"


def copy_url(endpoint: str, capture: Capture) -> str:
    """https://web.archive.org/cdx/search/cdx -> https://web.archive.org/web/<ts>id_/<original>."""
    base = endpoint.split("/cdx", 1)[0]
    return f"{base}/web/{capture.timestamp}id_/{capture.original}"


def parse_cdx(body: bytes) -> tuple[list[Capture], str | None]:
    """Captures of a JSON CDX answer (header row first) and the resume key, if any."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None
    try:
        rows = json.loads(text)
    except ValueError:
        raise CdxError(f"not a CDX JSON answer: {text[:80]!r}") from None
    if not isinstance(rows, list) or (rows and not isinstance(rows[0], list)):
        raise CdxError("not a CDX JSON answer: expected a list of rows")
    if not rows:
        return [], None
    header, rest = rows[0], rows[1:]
    resume = None
    if len(rest) >= 2 and rest[-2] == [] and len(rest[-1]) == 1:
        resume, rest = str(rest[-1][0]), rest[:-2]
    try:
        ts, orig = header.index("timestamp"), header.index("original")
    except ValueError:
        raise CdxError("CDX answer lacks the timestamp and original fields") from None
    captures = []
    for row in rest:
        if isinstance(row, list) and len(row) > max(ts, orig):
            original = str(row[orig])
            if original.startswith(("http://", "https://")):
                captures.append(Capture(original=original, timestamp=str(row[ts])))
    return captures, resume
