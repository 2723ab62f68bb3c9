"""Times as text, one way each: the archive's UTC stamp, ISO readers, durations, Retry-After.

A leaf: it imports nothing of ours, so every room (and the spine) may use it. It exists because
scrapers/ and alerts/ both read Retry-After, and db/, scrapers/, alerts/ and the config readers all
write and read the same timestamps and durations; each had its own copy.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime

# Seconds per unit of a written duration ("90s", "15m", "48h", "2d", "1w").
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])?\s*$")


def utc_iso(moment: datetime | None = None) -> str:
    """UTC ISO 8601 with a Z, to the second: sortable as text, the one timestamp format in the
    archive. A naive moment is taken as UTC; None means now."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: object) -> datetime | None:
    """An ISO 8601 date or time (Z allowed) as an aware datetime (naive taken as UTC); None when
    absent or unreadable."""
    if not text or not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_duration(value: object, *, unit_required: bool = False) -> float | None:
    """'90s', '15m', '48h', '2d', '1w', or a number of seconds -> seconds; None when not a duration.

    With unit_required a bare number is not a duration (`--since 7` is not "7 seconds ago")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if unit_required or value < 0 else float(value)
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    if not match or (unit_required and not match.group(2)):
        return None
    return float(match.group(1)) * UNITS[match.group(2) or "s"]


def format_duration(seconds: float) -> str:
    """The largest whole unit up to days: 86400 -> '1d', 5400 -> '90m', 90 -> '90s'."""
    for unit in ("d", "h", "m"):
        size = UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """An HTTP Retry-After header in seconds from now (delta-seconds or an HTTP date); None when
    absent or unreadable."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
