"""`mediawatch query | search | serve | export`: ask the archive, never change it."""

from __future__ import annotations

import base64
import csv
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import click

from mediawatch.db.connection import ArchiveError
from mediawatch.db.queries import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, Reader, parse_when, run_query

CELL_WIDTH = 60  # widest column in the terminal table; --json / --csv give whole values


def register(group: click.Group) -> None:
    group.add_command(query)
    group.add_command(search)
    group.add_command(serve)
    group.add_command(export)


def _output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    return "json" if as_json else "csv" if as_csv else "table"


def _params(pairs: Iterable[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip(":")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not name=value", param_hint="--param")
        params[name] = value
    return params


def _date(text: str | None, *, end: bool = False) -> str | None:
    return parse_when(text, end=end) if text else None


# --- query -----------------------------------------------------------------------------------


@click.command()
@click.argument("sql")
@click.option("--json", "as_json", is_flag=True, help="Rows as a JSON list of objects.")
@click.option("--csv", "as_csv", is_flag=True, help="Rows as CSV with a header line.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Value for :NAME in the SQL (repeatable).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_ROW_LIMIT,
    show_default=True,
    help="Print at most this many rows (0: all); stderr says when rows were left out.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop the query after this many seconds.",
)
@click.pass_context
def query(ctx, sql, as_json, as_csv, params, limit, timeout):
    """Run one read-only SQL statement against the archive.

    The archive is opened read-only by SQLite itself: statements that would write, ATTACH and
    state-changing PRAGMAs are refused, and the file stays as it was.

    \b
    mediawatch query "SELECT topic, count(*) FROM matches GROUP BY topic"
    mediawatch query "SELECT title, url FROM articles WHERE source = :s" --param s=dawn --json
    """
    fmt = _output_format(as_json, as_csv)
    values = _params(params)
    with Reader(ctx.obj["db_path"], timeout=timeout) as reader:
        result = run_query(reader, sql, values, limit=limit)
        if fmt == "json":
            _write_json(result.columns, result.rows, sys.stdout)
        elif fmt == "csv":
            _write_csv(result.columns, result.rows, sys.stdout)
        else:
            shown = _write_table(result.columns, result.rows)
        if result.truncated:
            click.echo(
                f"(first {result.limit} rows shown; raise --limit, or --limit 0 for all)", err=True
            )
        elif fmt == "table" and result.columns:
            click.echo(f"({shown} row{'' if shown == 1 else 's'})", err=True)


def _cell(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _write_json(columns: list[str], rows: Iterator[tuple], out: IO[str]) -> None:
    """A JSON list written row by row, so a long answer starts at once and holds no memory."""
    out.write("[")
    first = True
    for row in rows:
        record = {c: _cell(v) for c, v in zip(columns, row, strict=True)}
        out.write(("\n  " if first else ",\n  ") + json.dumps(record, ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


def _write_csv(columns: list[str], rows: Iterable[Sequence[Any]], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    if columns:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])


def _write_table(columns: list[str], rows: Iterator[tuple]) -> int:
    """The rows as aligned columns; returns how many were printed."""
    if not columns:
        click.echo("(no rows)", err=True)
        return 0
    shown = [[_short(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in shown]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in shown:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return len(shown)


def _short(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = " ".join(str(value).split())
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


# --- search ----------------------------------------------------------------------------------


@click.command()
@click.argument("words")
@click.option("--topic", help="Only articles flagged for this topic.")
@click.option("--source", help="Only articles of this source (or outlet).")
@click.option("--since", help="Published since: YYYY-MM-DD, an ISO time, or 24h / 7d / 2w.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--window",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    help="Rank among this many most recently stored matches (0: all; slower on a big archive).",
)
@click.option("--json", "as_json", is_flag=True, help="Hits as a JSON list.")
@click.option("--csv", "as_csv", is_flag=True, help="Hits as CSV.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT)
@click.pass_context
def search(ctx, words, topic, source, since, limit, window, as_json, as_csv, timeout):
    """Full-text search of titles and texts, best matches first (bm25), with snippets.

    WORDS is an FTS5 expression: words (all must appear), "exact phrases", OR, NOT, prefix*,
    NEAR(a b), title:word, parentheses. Matched words are shown [in brackets]. Ranking is bm25
    (a word in the title weighs more) among the --window most recently stored matches.

    \b
    mediawatch search 'Gwadar port' --since 7d
    mediawatch search '"Baloch Liberation Army" OR BLA' --topic bla --json
    """
    from mediawatch.db.search import search as run_search

    fmt = _output_format(as_json, as_csv)
    styled = fmt == "table" and sys.stdout.isatty()
    marks = ("\x1b[1m", "\x1b[0m") if styled else ("[", "]")
    known_topics, known_sources = (
        _configured_names(ctx.obj["config_dir"]) if topic or source else (frozenset(), frozenset())
    )
    with Reader(ctx.obj["db_path"], timeout=timeout) as reader:
        hits = run_search(
            reader,
            words,
            topic=topic,
            source=source,
            since=_date(since),
            limit=limit,
            window=window,
            marks=marks,
            known_topics=known_topics,
            known_sources=known_sources,
        )
    fields = ["id", "title", "url", "outlet", "source", "published_at", "language", "topics"]
    fields += ["rank", "snippet"]
    if fmt == "json":
        click.echo(json.dumps([hit.__dict__ for hit in hits], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        rows = (
            [*(getattr(h, f) for f in fields[:7]), ";".join(h.topics), h.rank, h.snippet]
            for h in hits
        )
        _write_csv(fields, rows, sys.stdout)
    else:
        for n, hit in enumerate(hits, start=1):
            when = (hit.published_at or "")[:16].replace("T", " ")
            about = " · ".join(
                x for x in (hit.outlet or hit.source, when, ", ".join(hit.topics)) if x
            )
            click.echo(f"{n:>2}. {hit.title or '(no title)'}")
            click.echo(f"    {about}")
            click.echo(f"    {hit.url}")
            click.echo(f"    {' '.join(hit.snippet.split())}")
    if not hits:
        click.echo("no articles match", err=True)


def _configured_names(folder) -> tuple[frozenset[str], frozenset[str]]:
    """Topics of watchlist.yaml and source names / outlets of sources.yaml, as far as they load:
    a configured name that has no article yet is no typo."""
    from mediawatch import config
    from mediawatch.errors import MediawatchError
    from mediawatch.yamlfile import load_yaml

    topics: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    try:  # the topic names only: compiling the whole watchlist is not needed for that
        raw = load_yaml(Path(folder) / config.WATCHLIST_FILE).data
        topics = frozenset((raw or {}).get("topics") or {})
    except (MediawatchError, OSError, AttributeError, TypeError):
        pass
    try:
        cfg = config.load_sources(folder)
        names = frozenset(n for s in cfg.sources for n in (s.name, s.outlet))
    except (MediawatchError, OSError):
        pass
    return topics, names


# --- export ----------------------------------------------------------------------------------

CSV_FIELDS = ["id", "url", "title", "outlet", "source", "published_at", "fetched_at"]
CSV_FIELDS += ["language", "authors", "topics", "scores", "description", "text"]


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "ndjson", "json", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl / ndjson: one JSON object per line; json: one JSON list; csv: a header line, then rows.",
)
@click.option("--topic", help="Only articles flagged for this topic.")
@click.option("--since", help="Published on or after: YYYY-MM-DD, an ISO time, or 24h / 7d / 2w.")
@click.option("--until", help="Published up to (a bare date includes that whole day).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output (the file appears complete or not at all).",
)
@click.pass_context
def export(ctx, fmt, topic, since, until, output):
    """Stream flagged articles with their topics and scores, oldest stored first.

    One JSON object per line (jsonl / ndjson: the same thing), one JSON list (json) or CSV; either
    way the articles go out one at a time, so an export of the whole archive needs no more memory than one of a day.
    """
    from mediawatch.db.queries import export_flagged

    start, end = _date(since), _date(until, end=True)
    with Reader(ctx.obj["db_path"], timeout=None) as reader:
        items = export_flagged(reader, topic=topic, since=start, until=end)
        if output is None:
            count = _write_export(items, fmt, sys.stdout)
        else:
            count = _export_to_file(items, fmt, output)
    where = f" to {output}" if output else ""
    click.echo(f"exported {count} flagged article{'' if count == 1 else 's'}{where}", err=True)


def _export_to_file(items: Iterator[dict], fmt: str, output: Path) -> int:
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            count = _write_export(items, fmt, out)
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


def _write_export(items: Iterator[dict], fmt: str, out: IO[str]) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for item in items:
            row = dict(item)
            row["authors"] = "; ".join(str(a) for a in item["authors"])
            row["scores"] = ";".join(f"{t['score']:g}" for t in item["topics"])
            row["topics"] = ";".join(t["topic"] for t in item["topics"])
            writer.writerow([row[f] for f in CSV_FIELDS])
            count += 1
    elif fmt == "json":
        out.write("[")
        for item in items:
            out.write(",\n  " if count else "\n  ")
            out.write(json.dumps(item, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    else:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    return count


# --- serve -----------------------------------------------------------------------------------


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.pass_context
def serve(ctx, host, port):
    """Browse the archive in Datasette (read-only): search, facets, canned queries.

    Listens on 127.0.0.1 unless --host says otherwise; give --host 0.0.0.0 only on a network
    you trust, since every visitor can read the whole archive.
    """
    import uvicorn

    path = Path(ctx.obj["db_path"])
    if not path.exists():
        raise ArchiveError(f"{path}: no archive here yet (run a crawl first)")
    app = build_datasette(path, fail_after=_configured_fail_after(ctx.obj["config_dir"]))
    click.echo(
        f"Serving {path} read-only at {_url(host, port)}/mediawatch (Ctrl-C to stop)", err=True
    )
    if not _loopback(host):
        where = (
            "every network interface of this machine"
            + "".join(f", {_url(a, port)}" for a in _interface_addresses())
            if _wildcard(host)
            else host
        )
        click.echo(
            f"warning: listening on {where}: the archive is public to anyone who can reach it, "
            "with no login (the default --host 127.0.0.1 keeps it on this machine)",
            err=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")


def _wildcard(host: str) -> bool:
    return host in ("", "0.0.0.0", "::", "[::]")


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def _url(host: str, port: int) -> str:
    host = host or "0.0.0.0"
    return f"http://[{host.strip('[]')}]:{port}" if ":" in host else f"http://{host}:{port}"


def _interface_addresses() -> list[str]:
    """This machine's non-loopback addresses, where a wildcard listener can be reached."""
    import ipaddress
    import socket

    import psutil

    found = []
    for entries in psutil.net_if_addrs().values():
        for entry in entries:
            if entry.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            address = ipaddress.ip_address(entry.address.split("%")[0])
            if not (address.is_loopback or address.is_link_local):
                found.append(str(address))
    return found


SERVE_SETTINGS = {
    "sql_time_limit_ms": int(DEFAULT_TIMEOUT * 1000),
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,  # suggestions run a query per column: slow on a large archive
    "allow_download": False,
}


def _configured_fail_after(folder: Path) -> int | None:
    """ops.fail_after of schedules.yaml, so the canned queries call "failing" what status does."""
    from mediawatch import config
    from mediawatch.errors import MediawatchError
    from mediawatch.health import fail_after

    if not (Path(folder) / config.SCHEDULES_FILE).exists():
        return fail_after(None)
    try:
        return fail_after(config.load_schedules(folder))
    except MediawatchError as exc:
        click.echo(f"warning: {exc}; sources count as failing after the default", err=True)
        return fail_after(None)


def build_datasette(path: Path, fail_after: int | None = None):
    """The Datasette ASGI app over one archive, named "mediawatch", that cannot open it for writing.

    Read connections are mode=ro plus query_only; asking for a write connection is an error. Not
    immutable=1: the crawler keeps writing through WAL, and immutable readers would ignore the WAL.
    """
    import asyncio

    from datasette.app import Datasette
    from datasette.database import Database

    from mediawatch.db.queries import DATABASE_NAME, BoundedConnection, bound_memory, load_metadata

    class ReadOnlyArchive(Database):
        def connect(self, write=False):
            """Datasette's own read connection (mode=ro), made with BoundedConnection so that no
            value, no statement's memory and no answer can grow past db.queries' bounds."""
            if write:
                raise ArchiveError("mediawatch serve is read-only: no writes to the archive")
            conn = sqlite3.connect(
                f"file:{self.path}?mode=ro",
                uri=True,
                check_same_thread=False,
                factory=BoundedConnection,
            )
            self._all_file_connections.append(conn)
            conn.execute("PRAGMA query_only = 1")
            bound_memory(conn)
            return conn

    ds = Datasette(metadata=load_metadata(fail_after), settings=SERVE_SETTINGS)
    ds.remove_database("_memory")
    ds.add_database(ReadOnlyArchive(ds, path=str(path.resolve())), name=DATABASE_NAME)

    async def start() -> None:
        await ds.invoke_startup()
        await ds.databases[DATABASE_NAME].execute("SELECT count(*) FROM sqlite_master")

    try:
        asyncio.run(start())
    except Exception as exc:  # a file that is not an SQLite archive, or unreadable
        raise ArchiveError(f"{path}: cannot serve this archive: {exc}") from exc
    return ds.app()
