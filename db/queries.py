"""Read-only questions to the archive: SQL, export, canned queries.

Safety comes from SQLite itself (a mode=ro, query_only connection, an authorizer that denies ATTACH and
state-changing pragmas, a progress handler as a clock), never from reading the SQL text.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from mediawatch.db.connection import ArchiveError, connect_readonly, utc_iso

DEFAULT_TIMEOUT = 5.0
DEFAULT_ROW_LIMIT = 1000
MMAP_BYTES = 2**31  # reads only (mode=ro); SQLite caps it at its compiled maximum
PROGRESS_STEPS = 1000  # VM instructions between two looks at the clock
# The clock (progress handler) cannot stop one step: randomblob(1e9) is one call. Sizes are bounded
# by SQLite itself: no string or blob longer than MAX_VALUE_BYTES is ever made or read, SQLite's
# memory in the process stays under MAX_HEAP_BYTES, and one answer over HTTP under
# MAX_ANSWER_BYTES (the terminal streams its rows, so `query` needs no such cap).
MAX_VALUE_BYTES = 16 * 2**20
MAX_HEAP_BYTES = 512 * 2**20
MAX_ANSWER_BYTES = 32 * 2**20
METADATA_FILE = Path(__file__).with_name("datasette.yaml")
DATABASE_NAME = "mediawatch"  # the name canned queries are filed under in datasette.yaml

# Pragmas that only describe the archive; with an argument any other pragma could change something.
READING_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "database_list",
    }
)
REFUSED_PRAGMAS = frozenset({"query_only", "writable_schema", "wal_checkpoint", "journal_mode"})


class QueryError(ArchiveError):
    """A question to the archive could not be answered (bad SQL, missing parameter, bad date)."""


class QueryRefused(QueryError):
    """The statement would change the archive, or reach outside it."""


class QueryTimeout(QueryError):
    """The statement ran past its time limit and was stopped."""


class ArchiveReadError(QueryError):
    """The archive itself failed (damaged, unreadable, disk or memory), whatever was asked."""


# SQLite's primary result codes that say something about the file or the machine, not the SQL
ARCHIVE_FAULTS = frozenset(
    getattr(sqlite3, name)
    for name in (
        "SQLITE_PERM",
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_NOMEM",
        "SQLITE_IOERR",
        "SQLITE_CORRUPT",
        "SQLITE_FULL",
        "SQLITE_CANTOPEN",
        "SQLITE_PROTOCOL",
        "SQLITE_NOTADB",
    )
)


class AnswerTooLarge(sqlite3.OperationalError):
    """One answer would carry more than MAX_ANSWER_BYTES."""


def bound_memory(conn: sqlite3.Connection) -> None:
    """SQLite's own limits on what one statement may build (see MAX_VALUE_BYTES)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"PRAGMA hard_heap_limit = {MAX_HEAP_BYTES}")  # process-wide; only lowers it


class BoundedCursor(sqlite3.Cursor):
    """Counts the bytes of the rows it hands out since its last execute; past MAX_ANSWER_BYTES
    it raises AnswerTooLarge (an sqlite3.OperationalError, which Datasette shows as an error)."""

    _spent = 0

    def execute(self, *args, **kwargs):
        self._spent = 0
        return super().execute(*args, **kwargs)

    def _charge(self, row):
        if row is not None:
            self._spent += sum(len(v) if isinstance(v, str | bytes) else 8 for v in row)
            if self._spent > MAX_ANSWER_BYTES:
                raise AnswerTooLarge(
                    f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB; select fewer "
                    "rows or columns (LIMIT, substr()), or use mediawatch query / export"
                )
        return row

    def __next__(self):
        return self._charge(super().__next__())

    def fetchone(self):
        return self._charge(super().fetchone())

    def fetchmany(self, size=None):
        out = []
        for _ in range(self.arraysize if size is None else size):
            row = self.fetchone()
            if row is None:
                break
            out.append(row)
        return out

    def fetchall(self):
        return list(iter(self.fetchone, None))


class BoundedConnection(sqlite3.Connection):
    """A connection whose cursors (those of execute() too) are BoundedCursors."""

    def cursor(self, factory=BoundedCursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=(), /):  # sqlite3's own would make a plain Cursor
        return self.cursor().execute(sql, parameters)


@dataclass
class QueryResult:
    """Columns now, rows as they come: a large answer never sits in memory."""

    columns: list[str]
    rows: Iterator[tuple]
    limit: int | None = None
    truncated: bool = field(default=False)


class Reader:
    """A read-only connection with a clock: every statement gets `timeout` seconds, fetching included."""

    def __init__(self, path: str | Path, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.conn = connect_readonly(self.path)
        self._deadline: float | None = None
        self._denied: str | None = None
        self.conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # fewer copies on a big archive
        bound_memory(self.conn)
        self._add_vocabulary()
        self.conn.set_authorizer(self._authorize)
        self.conn.set_progress_handler(self._tick, PROGRESS_STEPS)

    def close(self) -> None:
        self.conn.close()

    def _add_vocabulary(self) -> None:
        """temp.articles_vocab (term, doc, cnt): lets search expand prefix* into the words it covers.

        A temp table, so query_only is lifted for this one statement; main stays mode=ro.
        """
        self.conn.execute("PRAGMA query_only = OFF")
        try:
            self.conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.articles_vocab "
                "USING fts5vocab(main, 'articles_fts', 'row')"
            )
        except sqlite3.Error:
            pass  # no FTS5 table in this file: search will say so
        finally:
            self.conn.execute("PRAGMA query_only = ON")

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tick(self) -> int:
        return int(self._deadline is not None and time.monotonic() > self._deadline)

    def _authorize(self, action: int, arg1, arg2, dbname, source) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            self._denied = "ATTACH, DETACH and VACUUM are not allowed: queries see the archive only"
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in REFUSED_PRAGMAS or (arg2 is not None and name not in READING_PRAGMAS):
                self._denied = f"PRAGMA {name} is not allowed here: the archive is read-only"
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> sqlite3.Cursor:
        """Run one statement; its clock starts now and keeps running while rows are fetched."""
        self._denied = None
        self._deadline = time.monotonic() + self.timeout if self.timeout else None
        with self.translate():
            return self.conn.execute(sql, dict(params or {}))

    def fetch(self, cursor: sqlite3.Cursor, size: int = 500) -> Iterator[tuple]:
        while True:
            with self.translate():
                batch = cursor.fetchmany(size)
            if not batch:
                return
            yield from batch

    def translate(self) -> _Translate:
        return _Translate(self)


class _Translate:
    """Turns sqlite3 errors into typed archive errors a user can act on."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> Literal[False]:
        if isinstance(exc, MemoryError):  # what sqlite3 raises for SQLITE_NOMEM
            raise QueryError(
                f"query: needs more than {MAX_HEAP_BYTES // 2**20} MiB of memory, the most "
                "one query may use"
            ) from None
        if exc is None or not isinstance(exc, sqlite3.Error):
            return False
        raise self.typed(exc) from None

    def typed(self, exc: sqlite3.Error) -> QueryError:
        text = str(exc)
        reader = self.reader
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_TOOBIG:
            return QueryError(
                f"query: a value would be longer than {MAX_VALUE_BYTES // 2**20} MiB, the most "
                "one value may hold"
            )
        if "interrupted" in text and reader._deadline and time.monotonic() > reader._deadline:
            return QueryTimeout(
                f"query stopped after {reader.timeout:g} s (time limit; change it with --timeout)"
            )
        if ("not authorized" in text or "authorization denied" in text) and reader._denied:
            return QueryRefused(f"refused: {reader._denied}")
        if "readonly database" in text or "read-only" in text:
            return QueryRefused(
                "refused: the archive is opened read-only and this statement would change it"
            )
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in ARCHIVE_FAULTS:
            return ArchiveReadError(f"archive {reader.path}: {text}")
        if isinstance(exc, sqlite3.ProgrammingError) and "binding" in text:
            return QueryError(f"query: {text} (give it with --param name=value)")
        return QueryError(f"query: {text}")


def run_query(
    reader: Reader,
    sql: str,
    params: Mapping[str, Any] | None = None,
    limit: int | None = DEFAULT_ROW_LIMIT,
) -> QueryResult:
    """One read-only statement; at most `limit` rows (None or 0: all), `truncated` set when cut."""
    if not sql or not sql.strip():
        raise QueryError("query: no SQL given")
    cursor = reader.execute(sql, params)
    columns = [d[0] for d in cursor.description or ()]
    result = QueryResult(columns=columns, rows=iter(()), limit=limit or None)

    def rows() -> Iterator[tuple]:
        for count, row in enumerate(reader.fetch(cursor), start=1):
            if result.limit and count > result.limit:
                result.truncated = True
                cursor.close()
                return
            yield row

    result.rows = rows()
    return result


# --- dates -----------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str, *, end: bool = False, now: datetime | None = None) -> str:
    """A user's date ("2024-11-21", ISO time, "7d", "24h", "2w") as archive text (UTC, Z).

    The one reading of --since / --until for every command.

    With end=True a bare day means the end of that day, so --until 2024-11-21 includes the 21st.
    """
    raw = (text or "").strip()
    relative = _RELATIVE.match(raw.lower())
    if relative:
        delta = timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
        return utc_iso((now or datetime.now(UTC)) - delta)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            day = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise QueryError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
        return utc_iso(day + timedelta(days=1) if end else day)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"not a date: {text!r} (use YYYY-MM-DD, an ISO time, or 24h / 7d / 2w)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return utc_iso(moment)


# --- export ----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "url",
    "title",
    "outlet",
    "source",
    "published_at",
    "fetched_at",
    "language",
    "authors",
    "description",
    "text",
    "topics",
)


def export_flagged(
    reader: Reader,
    *,
    topic: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Flagged articles, one dict each with topics [{topic, score}], in id order, streamed.

    Driven by the matches primary key (article_id, topic), so grouping needs no sort and no memory.
    `until` is exclusive (parse_when(end=True) already moved a bare day to the next midnight).
    """
    where_m = "WHERE m.topic = :topic" if topic else ""
    conditions = []
    if since:
        conditions.append("coalesce(a.published_at, a.fetched_at) >= :since")
    if until:
        conditions.append("coalesce(a.published_at, a.fetched_at) < :until")
    where_a = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    sql = f"""
        SELECT a.id, a.url, a.title, a.outlet, a.source, a.published_at, a.fetched_at,
               a.language, a.authors, a.description, a.text, f.topics
        FROM (
            SELECT m.article_id,
                   json_group_array(json_object('topic', m.topic, 'score', m.score)) AS topics
            FROM matches m {where_m}
            GROUP BY m.article_id
        ) f
        JOIN articles a ON a.id = f.article_id
        {where_a}
        ORDER BY f.article_id
    """
    params = {"topic": topic, "since": since, "until": until}
    params = {k: v for k, v in params.items() if v is not None}
    cursor = reader.execute(sql, params)
    for row in reader.fetch(cursor):
        item = dict(zip(EXPORT_COLUMNS, row, strict=True))
        item["authors"] = _json_list(item["authors"])
        item["topics"] = json.loads(item["topics"])
        yield item


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return [text]
    return value if isinstance(value, list) else [value]


# --- canned queries (kept in db/datasette.yaml, shared by Datasette, tests and the benchmark) ---


# The canned queries' default failure threshold; `serve` puts ops.fail_after of the configuration here.
FAIL_AFTER_DEFAULT = "'3' /* ops.fail_after */"


def load_metadata(fail_after: int | None = None) -> dict[str, Any]:
    """datasette.yaml; with `fail_after`, the canned queries count a source as failing after that
    many failed runs in a row when their fail_after field is left empty (the daemon's rule)."""
    import yaml

    with METADATA_FILE.open(encoding="utf-8") as fh:
        meta = yaml.safe_load(fh)
    if fail_after is not None:
        for spec in meta["databases"][DATABASE_NAME]["queries"].values():
            spec["sql"] = spec["sql"].replace(FAIL_AFTER_DEFAULT, f"'{int(fail_after)}'")
    return meta


def canned_queries() -> dict[str, dict[str, Any]]:
    """name -> {title, sql, description, ...} as Datasette will serve them."""
    return load_metadata()["databases"][DATABASE_NAME]["queries"]


def named_parameters(sql: str) -> list[str]:
    """The :names a canned query takes (Datasette passes '' for those not given)."""
    return list(dict.fromkeys(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", sql)))
