"""The one reading and writing of times every room shares (mediawatch.times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mediawatch.times import format_duration, parse_duration, parse_iso, utc_iso


def test_archive_stamps_are_utc_with_a_z_and_read_back():
    karachi = timezone(timedelta(hours=5))
    assert utc_iso(datetime(2024, 11, 21, 12, 30, 5, 999, tzinfo=karachi)) == "2024-11-21T07:30:05Z"
    assert utc_iso(datetime(2024, 11, 21, 7, 30)) == "2024-11-21T07:30:00Z"  # naive is UTC
    assert parse_iso("2024-11-21T07:30:05Z") == datetime(2024, 11, 21, 7, 30, 5, tzinfo=UTC)
    assert parse_iso("2024-11-21") == datetime(2024, 11, 21, tzinfo=UTC)
    assert parse_iso("21 Nov") is None and parse_iso(None) is None and parse_iso(7) is None


def test_durations_in_config_and_on_the_command_line_read_alike():
    assert parse_duration("90s") == 90 and parse_duration("15m") == 900
    assert parse_duration("1.5h") == 5400 and parse_duration("2w") == 14 * 86400
    assert parse_duration(120) == 120.0 and parse_duration("120") == 120.0
    assert parse_duration("7", unit_required=True) is None  # `--since 7` is not a time ago
    assert parse_duration("7d", unit_required=True) == 7 * 86400
    assert (
        parse_duration(True) is None
        and parse_duration(-5) is None
        and parse_duration("soon") is None
    )
    assert [format_duration(s) for s in (86400, 5400, 90, 2.5)] == ["1d", "90m", "90s", "2.5s"]
