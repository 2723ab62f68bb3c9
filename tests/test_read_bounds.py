"""`query` and `serve` against answers too big to hold: single-step functions the clock cannot
stop (randomblob(1e9)), rows too wide, answers too long, and a server listening beyond loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request

import psutil
import pytest
from archive_helpers import build_archive, serving
from mediawatch.db.queries import MAX_ANSWER_BYTES, MAX_HEAP_BYTES, MAX_VALUE_BYTES


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("bounds") / "mediawatch.db"
    build_archive(path)
    return path


def query(archive, tmp_path, sql: str, *options: str):
    """`mediawatch query` as a user runs it; stdout to a file (an unbounded answer must not
    land in the test's memory)."""
    out = tmp_path / "stdout"
    with out.open("wb") as fh:
        result = subprocess.run(
            [sys.executable, "-m", "mediawatch.cli", "--db", str(archive), "query", sql, *options],
            stdout=fh,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    return result, out.stat().st_size


@pytest.mark.slow
def test_query_refuses_a_value_past_the_length_limit_at_once(archive, tmp_path):
    # one step: the progress handler (the --timeout clock) never gets to run during it
    result, written = query(archive, tmp_path, "SELECT randomblob(100000000) AS b", "--csv")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: query: a value would be longer than {MAX_VALUE_BYTES // 2**20} MiB, "
        "the most one value may hold\n"
    )
    assert written < 1000


@pytest.mark.slow
def test_query_refuses_a_row_past_the_memory_limit(archive, tmp_path):
    wide = ", ".join(["randomblob(15000000)"] * 40)  # 600 MB in one row, each value allowed
    result, written = query(archive, tmp_path, f"SELECT {wide}", "--json")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: query: needs more than {MAX_HEAP_BYTES // 2**20} MiB of memory, "
        "the most one query may use\n"
    )
    assert written < 1000


@pytest.mark.slow
def test_query_still_returns_large_ordinary_answers(archive, tmp_path):
    result, written = query(
        archive,
        tmp_path,
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 40) "
        "SELECT x, randomblob(1000000) AS b FROM n",
        "--csv",
    )
    assert result.returncode == 0, result.stderr
    assert written > 40 * 1_000_000  # 40 MB of base64 streamed: more than one HTTP answer


def get(base: str, **params: str) -> tuple[int, dict]:
    url = f"{base}/mediawatch.json?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.slow
def test_serve_bounds_values_and_answers_and_keeps_its_memory(archive):
    with serving(archive) as (base, process):
        server = psutil.Process(process.pid)
        before = server.memory_info().rss

        status, body = get(base, sql="SELECT randomblob(100000000) AS b")
        assert status == 400 and body["ok"] is False
        assert body["error"] == "string or blob too big"

        many = (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100) "
            "SELECT x, randomblob(1000000) AS b FROM n"
        )
        status, body = get(base, sql=many)
        assert status == 400 and body["ok"] is False
        assert body["error"].startswith(
            f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB; select fewer rows"
        )
        grown = server.memory_info().rss - before
        assert grown < 200 * 2**20, f"the server grew by {grown / 2**20:.0f} MB"

        # ordinary questions are answered as before
        status, body = get(base, sql="SELECT count(*) AS n FROM articles", _shape="objects")
        assert status == 200 and body["rows"] == [{"n": 5}]


@pytest.mark.slow
def test_serve_on_every_interface_prints_that_address_and_warns(archive):
    from archive_helpers import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mediawatch.cli", "--db", str(archive), "serve"]
        + ["--host", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stderr.readline()
        warning = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert banner == (
        f"Serving {archive} read-only at http://0.0.0.0:{port}/mediawatch (Ctrl-C to stop)\n"
    )
    assert warning.startswith("warning: listening on every network interface of this machine")
    assert warning.rstrip().endswith(
        "the archive is public to anyone who can reach it, with no login "
        "(the default --host 127.0.0.1 keeps it on this machine)"
    )


def test_bounded_connections_bound_execute_too(archive):
    import sqlite3

    from mediawatch.db.queries import AnswerTooLarge, BoundedConnection

    conn = sqlite3.connect(archive, factory=BoundedConnection)
    sql = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 40) "
        "SELECT randomblob(1000000) FROM n"
    )
    with pytest.raises(AnswerTooLarge):
        conn.execute(sql).fetchall()
    with pytest.raises(AnswerTooLarge):
        list(conn.cursor().execute(sql))
    conn.close()
