"""The shipped watchlist on a labelled set: clear positives in several languages, the known confusers
(Baloch as a surname, the Baloch Regiment, Quetta Gladiators, Sui Northern Gas, "BLA" namesakes,
other corridors, Chinese nationals attacked elsewhere, Iran's province) and mixed cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mediawatch.config import load_watchlist

ROOT = Path(__file__).resolve().parent.parent
LABELLED = Path(__file__).with_name("matcher_labelled.jsonl")
TOPICS = ["balochistan", "cpec", "bla", "sistan-baluchestan"]


@pytest.fixture(scope="module")
def shipped():
    return load_watchlist(ROOT)


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line.strip()]


def test_the_set_is_big_and_varied(rows):
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    urdu = re.compile("[ٹڈڑںے]")
    for topic in TOPICS:
        positives = [r for r in rows if topic in r["topics"]]
        assert sum(1 for r in positives if r["text"].isascii()) >= 5, topic
        assert any(urdu.search(r["text"]) for r in positives), topic
    assert sum(1 for r in rows if not r["topics"]) >= 40  # confusers and unrelated news


def test_precision_and_recall_per_topic(shipped, rows):
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in TOPICS}
    mistakes = []
    for row in rows:
        got = {m.topic for m in shipped.match(row["title"], row["text"])}
        for topic in TOPICS:
            if topic in got and topic in row["topics"]:
                counts[topic]["tp"] += 1
            elif topic in got:
                counts[topic]["fp"] += 1
                mistakes.append(("false positive", topic, row["id"], row["title"]))
            elif topic in row["topics"]:
                counts[topic]["fn"] += 1
                mistakes.append(("missed", topic, row["id"], row["title"]))
    for topic, c in counts.items():
        precision = c["tp"] / ((c["tp"] + c["fp"]) or 1)
        recall = c["tp"] / ((c["tp"] + c["fn"]) or 1)
        assert precision >= 0.95, (topic, precision, mistakes)
        assert recall >= 0.95, (topic, recall, mistakes)


def test_the_seed_report_is_flagged_with_all_three_topics(shipped):
    """A few sentences of corpus/seed, retyped: the article this project started from."""
    title = "Pakistan launches military offensive in Balochistan amid mounting Chinese pressure"
    text = (
        "Reports suggest it will focus on dismantling groups such as the Balochistan Liberation "
        "Army (BLA). On November 9, the group claimed responsibility for a suicide bombing at "
        "Quetta's train station, which killed 26 people. In October, another suicide attack near "
        "Karachi's airport targeted Chinese nationals, killing two and injuring ten. Thousands of "
        "Chinese nationals work in Pakistan, many on projects under the $62-billion "
        "China-Pakistan Economic Corridor (CPEC)."
    )
    found = {m.topic: m for m in shipped.match(title, text)}
    assert {"balochistan", "cpec", "bla"} <= set(found)
    assert found["balochistan"].snippets[0]["text"] == title
    names = {e["name"] for e in found["bla"].entities}
    assert names == {"Balochistan Liberation Army"}
    assert {t["term"] for t in found["cpec"].terms} >= {"CPEC", "China-Pakistan Economic Corridor"}


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Qadir Baloch named coach", "Qadir Baloch will coach the national side in Lahore.", set()),
        ("", "Soldiers of the Baloch Regiment were martyred in North Waziristan.", set()),
        ("", "Quetta Gladiators beat Peshawar Zalmi by six wickets in the PSL.", set()),
        ("", "Sui Northern Gas Pipelines raised tariffs in Lahore.", set()),
        ("", "The blaTEM and blaCTX-M genes were found in isolates from Pakistan.", set()),
        ("", "BlaBlaCar and the FDA's BLA review; the Black Liberation Army.", set()),
        ("", "Chinese nationals were killed in an attack in Tajikistan.", set()),
        ("", "India-Middle East-Europe Economic Corridor and the Middle Corridor.", set()),
        ("", "Jaish al-Adl attacked border guards in Sistan-Baluchestan.", {"sistan-baluchestan"}),
        ("", "Baloch separatists attacked a bus near Kalat.", {"balochistan"}),
        ("", "بلوچ یکجہتی کمیٹی نے کوئٹہ میں دھرنا دیا۔", {"balochistan"}),
        ("", "中巴经济走廊", {"cpec"}),
    ],
)
def test_confusers_and_plain_cases(shipped, title, text, expected):
    assert {m.topic for m in shipped.match(title, text)} == expected
