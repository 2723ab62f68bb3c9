"""`mediawatch digest` and `mediawatch deliveries` as a user runs them."""

from __future__ import annotations

import json

from alerts_helpers import SEED_TITLE, add_article
from click.testing import CliRunner

import db
from mediawatch.cli import main

SCHEDULES = """
digests:
  - name: desk
    title: Desk digest
    topics: [balochistan, cpec, bla]
    every: 24h
    lookback: 3650d
"""


def setup(tmp_path, schedules=SCHEDULES):
    (tmp_path / "schedules.yaml").write_text(schedules)
    archive = db.connect(tmp_path / "db" / "a.db")
    add_article(
        archive,
        url="https://www.myind.net/seed",
        title=SEED_TITLE,
        text="Pakistan moves against the BLA in Balochistan to protect CPEC.",
        outlet="Myind",
        topics={"balochistan": "Balochistan", "cpec": "CPEC", "bla": "BLA"},
    )
    return ["--config-dir", str(tmp_path), "--db", str(tmp_path / "db" / "a.db")]


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_dry_run_with_preview_sends_and_records_nothing(tmp_path):
    base = setup(tmp_path)
    preview = tmp_path / "preview.html"

    result = run([*base, "digest", "desk", "--dry-run", "--preview", str(preview)])

    assert result.exit_code == 0, result.output
    assert "desk: 1 story from 1 article" in result.output
    assert "dry run: nothing sent or recorded (would go to outbox (file))" in result.output
    assert preview.read_text().count(SEED_TITLE) == 3
    assert not (tmp_path / "db" / "outbox").exists()
    assert run([*base, "deliveries"]).output == "no deliveries\n"


def test_digest_sends_to_the_outbox_and_deliveries_lists_it(tmp_path):
    base = setup(tmp_path)

    sent = run([*base, "digest", "desk"])
    again = run([*base, "digest", "desk"])
    listing = run([*base, "deliveries"])
    as_json = run([*base, "deliveries", "--json"])
    failed = run([*base, "deliveries", "--failed"])

    assert sent.exit_code == 0 and "outbox: sent (" in sent.output
    assert len(list((tmp_path / "db" / "outbox").glob("*.html"))) == 1
    assert "nothing new" in again.output and "nothing sent" in again.output
    assert "desk" in listing.output and "outbox (file)  sent" in listing.output
    (row,) = [json.loads(line) for line in as_json.output.splitlines()]
    assert row["status"] == "sent" and row["items"] == 1 and row["subscription"] == "desk"
    assert failed.output == "no deliveries failed or waiting for a retry\n"


def test_since_widens_the_window(tmp_path):
    base = setup(tmp_path, SCHEDULES.replace("3650d", "1h"))
    assert "nothing new" in run([*base, "digest", "desk", "--dry-run"]).output
    wide = run([*base, "digest", "desk", "--dry-run", "--since", "3650d"])
    assert "desk: 1 story" in wide.output
    bad = run([*base, "digest", "desk", "--since", "last tuesday"])
    assert bad.exit_code == 2 and "--since" in bad.output


def test_errors_are_one_line_with_file_line_and_key(tmp_path):
    base = setup(tmp_path, SCHEDULES.replace("every: 24h", "cron: '0 7 * *'"))
    result = CliRunner().invoke(main, [*base, "digest", "desk"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {tmp_path / 'schedules.yaml'}:6: digests[0].cron: invalid cron expression "
        "'0 7 * *': Wrong number of fields; got 4, expected 5"
    )
    base = setup(tmp_path)
    result = CliRunner().invoke(main, [*base, "digest", "nightly"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no digest named 'nightly'")
