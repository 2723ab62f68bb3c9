"""The daemon's log: one line per event (time, level, source, what) on stderr, for journald.

`log(level, source, what, **fields)` is the only call; `--log-format json` turns each line into a
JSON object with the same keys plus the fields, for log shippers and for the benchmark.
"""

from __future__ import annotations

import json
import logging
import sys
import time

ROOT_LOGGER = "mediawatch"  # the daemon's own events and those of alerts/ (mediawatch.alerts)
LOGGER = "mediawatch.daemon"


class TextFormatter(logging.Formatter):
    """`2024-11-21T10:27:00Z INFO    feeds         crawl finished: ok in 2.1s (new=3)`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        source = _source(record)
        fields = getattr(record, "fields", None) or {}
        what = record.getMessage()
        if fields:
            what += " (" + " ".join(f"{k}={_short(v)}" for k, v in fields.items()) + ")"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            what += f": {type(exc).__name__}: {exc}"
        return _one_line(f"{stamp} {record.levelname:<7} {source:<20} {what}")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "ts": round(record.created, 3),
            "level": record.levelname,
            "source": _source(record),
            "what": _one_line(record.getMessage()),
        }
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            out["error"] = _one_line(f"{type(exc).__name__}: {exc}")
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup(fmt: str = "text", level: int = logging.INFO) -> logging.Logger:
    """Send the daemon's events to stderr; silence APScheduler's own multi-line chatter
    (its errors and missed runs reach the log through the daemon's event listeners)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger = logging.getLogger(ROOT_LOGGER)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    aps = logging.getLogger("apscheduler")
    aps.handlers[:] = [logging.NullHandler()]
    aps.propagate = False
    return logger


def log(level: int, source: str | None, what: str, exc_info=None, **fields) -> None:
    logging.getLogger(LOGGER).log(
        level, what, exc_info=exc_info, extra={"source": source, "fields": fields}
    )


def info(source: str | None, what: str, **fields) -> None:
    log(logging.INFO, source, what, **fields)


def warning(source: str | None, what: str, **fields) -> None:
    log(logging.WARNING, source, what, **fields)


def error(source: str | None, what: str, exc_info=None, **fields) -> None:
    log(logging.ERROR, source, what, exc_info=exc_info, **fields)


def _source(record: logging.LogRecord) -> str:
    """The job or source an event is about; for other modules' records, the module."""
    source = getattr(record, "source", None)
    if source:
        return str(source)
    return "-" if record.name == LOGGER else record.name.rsplit(".", 1)[-1]


def _one_line(text: str) -> str:
    return " ".join(str(text).split("\n")).replace("\r", " ")


def _short(value) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (" " in text or not text) else text
