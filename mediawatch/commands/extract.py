"""`mediawatch extract`: what the crawler would store from a page, without crawling.

One page gives one JSON object; `--batch` reads JSON lines {"id", "url", "path"} and answers one JSON
line each in the same process (so thousands of pages cost one interpreter start), a failed page
giving {"id", "error"} instead of stopping the run.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import IO, Any

import click

from mediawatch.errors import MediawatchError

MAX_PAGE_BYTES = 50 * 1024 * 1024  # decompressed: a gzip bomb is cut off, not expanded
FIELDS = ("title", "text", "published", "authors", "language", "canonical_url")


def register(group: click.Group) -> None:
    group.add_command(extract_command)


class PageError(MediawatchError):
    """A page could not be read or extracted."""


def read_page(path: str | Path, stdin: IO[bytes] | None = None) -> bytes:
    """The bytes of a page file ('-' for stdin), gunzipped when it is gzip, capped in size."""
    try:
        if str(path) == "-":
            raw = (stdin or sys.stdin.buffer).read(MAX_PAGE_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        raise PageError(f"{path}: {exc.strerror or exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(MAX_PAGE_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise PageError(f"{path}: broken gzip file: {exc}") from exc
    if len(raw) > MAX_PAGE_BYTES:
        raise PageError(f"{path}: larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB")
    return raw


def extract_page(
    raw: bytes, url: str | None, selectors: dict | None = None, language: str | None = None
) -> dict[str, Any]:
    """The CLI's view of extract(): `published` keeps the page's UTC offset, `published_at` is UTC,
    `canonical_url` is the URL the archive would store (the page's when no URL is given)."""
    from mediawatch.scrapers.canonical import canonicalize, strip_tracking
    from mediawatch.scrapers.extract import ExtractionError, extract

    try:
        page = extract(raw, url=url, selectors=selectors, language=language)
    except ExtractionError as exc:
        raise PageError(str(exc)) from exc
    canonical: str | None
    if url:
        canonical = canonicalize(url, page.canonical_url)
    else:
        canonical = strip_tracking(page.canonical_url) if page.canonical_url else None
    return {
        "title": page.title,
        "text": page.text,
        "published": page.published_local or page.published_at,
        "authors": page.authors,
        "language": page.language,
        "canonical_url": canonical,
        "published_at": page.published_at,
        "date_source": page.date_source,
        "section": page.section,
        "description": page.description,
        "lead_image": page.lead_image,
    }


def _source_settings(ctx: click.Context, name: str | None) -> tuple[dict | None, str | None]:
    if not name:
        return None, None
    from mediawatch import config

    source = config.load_sources(ctx.obj["config_dir"]).select([name])[0]
    return dict(source.selectors), source.language


def _write(out: IO[bytes], obj: dict, pretty: bool = False) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None)
    out.write(text.encode("utf-8") + b"\n")
    out.flush()


def run_batch(
    lines: IO[bytes], out: IO[bytes], selectors: dict | None = None, language: str | None = None
) -> tuple[int, int]:
    """One answer line per request line; returns (pages extracted, pages failed)."""
    done = failed = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        page_id: Any = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise PageError(f"line {number}: expected a JSON object")
            page_id = request.get("id")
            path = request.get("path")
            if not path or not isinstance(path, str):
                raise PageError(f"line {number}: no 'path'")
            url = request.get("url") if isinstance(request.get("url"), str) else None
            answer = extract_page(
                read_page(path),
                url or None,
                request.get("selectors")
                if isinstance(request.get("selectors"), dict)
                else selectors,
                request.get("language") if isinstance(request.get("language"), str) else language,
            )
            _write(out, {"id": page_id, **answer})
            done += 1
        except (ValueError, PageError) as exc:  # json.JSONDecodeError is a ValueError
            message = (
                str(exc) if isinstance(exc, PageError) else f"line {number}: invalid JSON: {exc}"
            )
            _write(out, {"id": page_id, "error": message})
            failed += 1
    return done, failed


@click.command("extract")
@click.argument("path", required=False)
@click.option("--url", help="The page's address: resolves relative links and the canonical URL.")
@click.option(
    "--batch",
    is_flag=True,
    help='Read JSON lines {"id","url","path"} from stdin (or PATH) and write one JSON line each.',
)
@click.option("--source", help="Apply this source's selectors and language from sources.yaml.")
@click.pass_context
def extract_command(
    ctx: click.Context, path: str | None, url: str | None, batch: bool, source: str | None
) -> None:
    """Extract the article in the HTML page at PATH (.gz is fine, - is stdin) as JSON."""
    selectors, language = _source_settings(ctx, source)
    out = sys.stdout.buffer
    if batch:
        if url:
            raise click.UsageError("--url is per page in --batch mode: put it in each JSON line")
        if path and path != "-":
            try:
                with open(path, "rb") as lines:
                    run_batch(lines, out, selectors, language)
            except OSError as exc:
                raise PageError(f"{path}: {exc.strerror or exc}") from exc
        else:
            run_batch(sys.stdin.buffer, out, selectors, language)
        return
    if not path:
        raise click.UsageError("give the PATH of an HTML page (or - for stdin), or use --batch")
    try:
        answer = extract_page(read_page(path), url, selectors, language)
    except PageError as exc:
        raise PageError(
            f"{path}: {exc}" if not str(exc).startswith(str(path)) else str(exc)
        ) from None
    _write(out, answer, pretty=True)
