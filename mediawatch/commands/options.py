"""Options shared by several commands, read one way everywhere."""

from __future__ import annotations

import click

from mediawatch.db.queries import QueryError, parse_when


def since_callback(_ctx, _param, value: str | None) -> str | None:
    """--since as the archive's UTC timestamp text (a date, an ISO time, or a time ago like 48h)."""
    if value is None:
        return None
    try:
        return parse_when(value)
    except QueryError:
        raise click.BadParameter(
            "use a date such as 2025-03-01, an ISO time such as 2025-03-01T12:00Z, "
            "or a time ago such as 48h or 7d"
        ) from None
