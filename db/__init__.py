"""The archive: the only package that writes SQL."""

from db import gnews
from db.articles import (
    StoreResult,
    content_hash,
    find_resolved,
    find_unresolved,
    get_article,
    known_urls,
    link_same_story,
    store_article,
)
from db.connection import ArchiveError, connect, connect_readonly, parse_iso, utc_iso, write
from db.crawls import (
    fail_stale_runs,
    finish_run,
    save_validator,
    start_run,
    sync_sources,
    validators,
)
from db.matches import store_matches

__all__ = [
    "ArchiveError",
    "StoreResult",
    "connect",
    "connect_readonly",
    "content_hash",
    "fail_stale_runs",
    "gnews",
    "find_resolved",
    "find_unresolved",
    "finish_run",
    "get_article",
    "known_urls",
    "link_same_story",
    "parse_iso",
    "save_validator",
    "start_run",
    "store_article",
    "store_matches",
    "sync_sources",
    "utc_iso",
    "validators",
    "write",
]
