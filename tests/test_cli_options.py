"""--db and --config-dir mean the same before and after the subcommand."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mediawatch import db
from mediawatch.cli import main


def test_db_and_config_dir_after_the_subcommand(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDIAWATCH_DB", raising=False)
    monkeypatch.delenv("MEDIAWATCH_CONFIG_DIR", raising=False)
    archive = tmp_path / "elsewhere.db"
    conn = db.connect(archive)
    db.store_article(conn, {"url": "http://x/1", "source": "s", "title": "Gwadar", "text": "t"})
    conn.conn.close()
    runner = CliRunner()

    result = runner.invoke(
        main, ["query", "SELECT count(*) AS n FROM articles", "--db", str(archive), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 1}]

    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "sources.yaml").write_text(
        "sources:\n  - {name: only-one, kind: feed, url: 'http://example.org/f.xml'}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        main, ["sources", "--json", "--config-dir", str(conf), "--db", str(archive)]
    )
    assert result.exit_code == 0, result.output
    assert [s["name"] for s in json.loads(result.stdout)] == ["only-one"]
