"""The archive: the only package that writes SQL."""

from mediawatch.db import gnews
from mediawatch.db.articles import (
    StoreResult,
    content_hash,
    find_resolved,
    find_unresolved,
    get_article,
    known_urls,
    link_same_story,
    store_article,
)
from mediawatch.db.backlog import add_to_backlog, backlog, retry_backlog, settle_backlog, waiting
from mediawatch.db.connection import (
    ArchiveError,
    connect,
    connect_readonly,
    write,
)
from mediawatch.db.crawls import (
    fail_stale_runs,
    finish_run,
    record_failed_run,
    save_validator,
    sources_with_runs,
    start_run,
    sync_sources,
    validators,
)
from mediawatch.db.matches import store_matches

__all__ = [
    "ArchiveError",
    "add_to_backlog",
    "backlog",
    "record_failed_run",
    "retry_backlog",
    "settle_backlog",
    "sources_with_runs",
    "waiting",
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
    "save_validator",
    "start_run",
    "store_article",
    "store_matches",
    "sync_sources",
    "validators",
    "write",
]
