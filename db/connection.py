"""The archive connection: WAL, a busy timeout, one writer at a time with BEGIN IMMEDIATE."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from mediawatch.db.schema import migrations

BUSY_TIMEOUT_MS = 30_000


class ArchiveError(Exception):
    """The archive cannot be opened or written."""


def utc_iso(moment: datetime | None = None) -> str:
    """UTC ISO 8601 with a Z, to the second: sortable as text, the one timestamp format in the archive."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def connect(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and create or upgrade) the archive for reading and writing."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except (OSError, sqlite3.Error) as exc:
        raise ArchiveError(f"{path}: cannot open archive: {exc}") from exc
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    if migrate:
        run_migrations(db)
    return db


def run_migrations(db: sqlite_utils.Database) -> None:
    """Bring the archive to the current schema; safe to call on every open."""
    if not migrations.pending(db):
        return
    with write(db):  # the write lock first, so two processes opening a new archive do not race
        migrations.apply(db)


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that SQLite itself refuses to write through (mode=ro plus query_only)."""
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"{path}: no archive here yet (run a crawl first)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    return conn


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taking the write lock up front so concurrent writers queue, not fail."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def inserted_id(table: sqlite_utils.db.Table) -> int:
    """The id of the row `table` just inserted (sqlite-utils types `last_pk` Optional because it is
    unset before the first insert; every caller reads it right after one)."""
    pk = table.last_pk
    if pk is None:
        raise ArchiveError(f"{table.name}: insert recorded no row id")
    return pk
