"""Small operator-facing edges: digests every second, an archive on a read-only file system, a
damaged archive under `search`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alerts_helpers import schedules_from, seeded_archive
from conftest import write_config

from mediawatch.errors import ConfigError

MEDIAWATCH = str(Path(sys.executable).with_name("mediawatch"))


def test_a_digest_every_second_is_refused_with_the_bound_and_a_minute_is_fine(tmp_path):
    with pytest.raises(ConfigError) as caught:
        schedules_from("digests:\n  - name: desk\n    topics: [bla]\n    every: 1s\n", tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'schedules.yaml'}:4: digests[0].every: at least 1m between two digests "
        "(got 1s); for each article as it comes, use immediate: true"
    )
    ok = schedules_from("digests:\n  - name: desk\n    topics: [bla]\n    every: 1m\n", tmp_path)
    assert ok.digests[0].schedule.every == 60


def env_for(folder: Path, archive: Path) -> dict[str, str]:
    return {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(folder), "MEDIAWATCH_DB": str(archive)}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) (util-linux)")
def test_run_once_on_a_read_only_file_system_says_so_in_one_line(tmp_path):
    folder = write_config(tmp_path / "config", "http://127.0.0.1:9")
    (folder / "schedules.yaml").write_text(
        "crawls:\n  - {name: dawn, sources: [dawn-home], every: 10m, timeout: 60s}\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir()
    seeded_archive(data).conn.close()  # an archive that exists, on a file system mounted ro
    # a private mount namespace: the read-only bind mount exists for this command only
    script = f'mount --bind "{data}" "{data}" && mount -o remount,bind,ro "{data}" && exec "$@"'
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", MEDIAWATCH, "run", "--once"],
        capture_output=True,
        text=True,
        env=env_for(folder, data / "a.db"),
        timeout=120,
    )
    if "mount:" in result.stderr or "unshare:" in result.stderr:
        pytest.skip(f"no private read-only mount here: {result.stderr.strip()}")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: cannot write beside the archive ({data / 'a.db'}.daemon: Read-only file "
        "system); the archive's folder must be writable"
    )


@pytest.mark.slow
def test_search_on_a_damaged_archive_reports_the_archive_not_the_words(tmp_path):
    seeded_archive(tmp_path).conn.close()
    archive = tmp_path / "a.db"
    conn = sqlite3.connect(archive)
    conn.execute("UPDATE articles_fts_data SET block = randomblob(length(block)) WHERE id > 10")
    conn.commit()
    conn.close()

    def search(words: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [MEDIAWATCH, "search", words],
            capture_output=True,
            text=True,
            env=env_for(tmp_path, archive),
            timeout=60,
        )

    damaged = search("Balochistan")
    assert damaged.returncode == 1
    assert damaged.stderr.strip() == f"error: archive {archive}: database disk image is malformed"
    # words FTS5 cannot read are still the user's to fix
    bad = search("Balochistan AND (")
    assert bad.returncode == 1 and "cannot read 'Balochistan AND (' as a search" in bad.stderr
