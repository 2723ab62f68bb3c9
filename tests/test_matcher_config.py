"""A broken watchlist.yaml gets one clear line naming the file, the line and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mediawatch.config import load_watchlist
from mediawatch.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD_HEAD = """\
groups:
  pakistan: [Pakistan, Quetta]
entities:
  bla:
    name: Balochistan Liberation Army
    type: organisation
    aliases: [Balochistan Liberation Army]
topics:
"""


def error_for(tmp_path: Path, yaml_text: str) -> str:
    (tmp_path / "watchlist.yaml").write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_watchlist(tmp_path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        (
            "  bla:\n    entities: [bla]\n    rules:\n      - all: [BLA, Baloch]\n        near: zero\n",
            "watchlist.yaml:13: topics.bla.rules[0].near: must be a positive integer",
        ),
        (
            "  bla:\n    entities: [bla]\n    rules:\n      - all: [BLA, Baloch]\n        near: 0\n",
            "watchlist.yaml:13: topics.bla.rules[0].near: must be a positive integer",
        ),
        (
            "  bla:\n    entities: [bla, blf]\n",
            "watchlist.yaml:10: topics.bla.entities[1]: unknown entity 'blf'",
        ),
        (
            "  bla:\n    entities: [bla]\n    min_score: -1\n",
            "watchlist.yaml:11: topics.bla.min_score: must be a positive number",
        ),
        (
            "  bla:\n    entitis: [bla]\n",
            "watchlist.yaml:10: topics.bla.entitis: unknown key (allowed:",
        ),
        (
            "  bla:\n    includes: [cpec]\n",
            "watchlist.yaml:10: topics.bla.includes[0]: unknown topic 'cpec'",
        ),
        (
            "  bla:\n    rules:\n      - not: [Baloch]\n",
            "watchlist.yaml:11: topics.bla.rules[0]: needs `all` or `any`",
        ),
        (
            "  bla:\n    rules:\n      - all: [{group: pakistn}]\n",
            "watchlist.yaml:11: topics.bla.rules[0].all[0].group: unknown group 'pakistn'",
        ),
        (
            "  bla:\n    rules:\n      - all: [Baloch]\n        near: 3\n",
            "watchlist.yaml:12: topics.bla.rules[0].near: needs at least two terms",
        ),
        (
            "  bla:\n    entities: [bla]\n    alone_needs: [{group: pakistn}]\n",
            "watchlist.yaml:11: topics.bla.alone_needs[0].group: unknown group 'pakistn'",
        ),
        (
            "  bla:\n    entities: [bla]\n    dateline_needs: [{entity: quetta}]\n",
            "watchlist.yaml:11: topics.bla.dateline_needs[0].entity: unknown entity 'quetta'",
        ),
        (
            "  Bad Name:\n    entities: [bla]\n",
            "watchlist.yaml:9: topics.Bad Name: topic names are lower-case letters",
        ),
    ],
)
def test_topic_errors(tmp_path, topics, expected):
    assert expected in error_for(tmp_path, GOOD_HEAD + topics)


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (
            "  e:\n    name: E\n    type: city\n    aliases: [E]\n",
            "watchlist.yaml:4: entities.e.type: must be one of: place, organisation, person, project, event",
        ),
        (
            "  e:\n    name: E\n    type: place\n",
            "watchlist.yaml:2: entities.e: needs `aliases` or `acronyms`",
        ),
        (
            "  e:\n    name: E\n    type: place\n    aliases: ['B{a,e lochistan']\n",
            "watchlist.yaml:5: entities.e.aliases[0]: unbalanced or nested braces",
        ),
        (
            "  e:\n    name: E\n    type: place\n    aliases: ['Bal*chistan']\n",
            "watchlist.yaml:5: entities.e.aliases[0]: '*' may only stand at the start or end",
        ),
        (
            "  e:\n    name: E\n    type: place\n    aliases: ['--']\n",
            "watchlist.yaml:5: entities.e.aliases[0]: term '--' has no letters or digits",
        ),
        (
            "  e:\n    name: E\n    type: place\n    aliases:\n      - {form: BLA, context: [{group: nowhere}]}\n",
            "watchlist.yaml:6: entities.e.aliases[0].context[0].group: unknown group 'nowhere'",
        ),
        (
            "  e:\n    name: E\n    type: place\n    aliases:\n      - {form: Kalat, within: 3}\n",
            "watchlist.yaml:6: entities.e.aliases[0].within: needs a context",
        ),
        (
            "  e:\n    name: E\n    type: place\n    aliases:\n      - {form: Kalat, near: 3}\n",
            "watchlist.yaml:6: entities.e.aliases[0].near: unknown key",
        ),
        (
            "  e:\n    name: E\n    type: place\n    context: [{entity: e}]\n    aliases: [E]\n",
            "watchlist.yaml:5: entities.e.context[0]: refers to itself",
        ),
    ],
)
def test_entity_errors(tmp_path, entity, expected):
    doc = "entities:\n" + entity + "topics:\n  t:\n    entities: [e]\n"
    assert expected in error_for(tmp_path, doc)


def test_group_errors(tmp_path):
    doc = "groups:\n  g:\n    terms: [a]\n    weight: -1\ntopics:\n  t:\n    keywords: [x]\n"
    assert "watchlist.yaml:4: groups.g.weight: must be a number >= 0" in error_for(tmp_path, doc)
    doc = "groups:\n  g: []\ntopics:\n  t:\n    keywords: [x]\n"
    assert "groups.g: must list at least one term" in error_for(tmp_path, doc)


def test_empty_missing_and_unparsable_files(tmp_path):
    assert "topics: define at least one topic" in error_for(tmp_path, "version: 1\n")
    assert "watchlist.yaml:3:" in error_for(tmp_path, "topics:\n  t: [\n")
    with pytest.raises(ConfigError, match="file not found"):
        load_watchlist(tmp_path / "nowhere")


def test_the_shipped_watchlist_compiles_with_the_four_topics():
    matcher = load_watchlist(ROOT)
    assert matcher.topics == ["balochistan", "cpec", "bla", "sistan-baluchestan"]


def test_a_valid_file_compiles(tmp_path):
    (tmp_path / "watchlist.yaml").write_text(
        GOOD_HEAD + "  bla:\n    entities: [bla]\n    min_score: 2\n", encoding="utf-8"
    )
    matcher = load_watchlist(tmp_path)
    assert matcher.topics == ["bla"]
    assert [m.topic for m in matcher.match("Balochistan Liberation Army", "")] == ["bla"]


# -- limits (issue 9): a watchlist may not cost unbounded time and memory ----------------------

LIMIT_HEAD = """\
entities:
  x:
    name: X
    type: place
    aliases:
      - Quetta
"""


def test_a_term_whose_braces_expand_too_far_is_refused(tmp_path):
    """14 brace pairs: 16,384 spellings of one 60-byte alias (20 pairs took 23 s and 1.8 GB)."""
    bomb = "".join("{a,b}" for _ in range(14))
    message = error_for(
        tmp_path, LIMIT_HEAD + f"      - '{bomb}'\ntopics:\n  t:\n    entities: [x]\n"
    )
    assert message == (
        f"{tmp_path / 'watchlist.yaml'}:7: entities.x.aliases[1]: braces expand to more than "
        "5,000 spellings (at most 5,000 per term)"
    )


def test_a_watchlist_with_too_many_forms_in_all_is_refused(tmp_path):
    """Each term within its own limit, but 60 of them make 245,760 forms."""
    term = "w" + "".join("{a,b}" for _ in range(12))
    aliases = "".join(f"      - {term}{i}\n" for i in range(60))
    message = error_for(tmp_path, LIMIT_HEAD + aliases + "topics:\n  t:\n    entities: [x]\n")
    assert message.startswith(f"{tmp_path / 'watchlist.yaml'}:")
    assert ": entities.x.aliases[" in message
    assert message.endswith("the watchlist expands to more than 200,000 forms (the limit)")


def test_a_huge_term_is_refused(tmp_path):
    message = error_for(
        tmp_path, LIMIT_HEAD + f"      - {'q' * 5000}\ntopics:\n  t:\n    entities: [x]\n"
    )
    assert message.endswith(
        "watchlist.yaml:7: entities.x.aliases[1]: term is 5,000 characters long (at most 4,000)"
    )


def test_a_watchlist_file_past_the_size_limit_is_refused_before_parsing(tmp_path):
    """A 6 MB watchlist (100 MB took 325 s and 6.7 GB): refused from its size alone."""
    filler = "".join(f"      - term{i}\n" for i in range(400_000))
    (tmp_path / "watchlist.yaml").write_text(
        LIMIT_HEAD + filler + "topics:\n  t:\n    entities: [x]\n", encoding="utf-8"
    )
    size = (tmp_path / "watchlist.yaml").stat().st_size
    assert size > 5 * 1024 * 1024
    with pytest.raises(ConfigError) as caught:
        load_watchlist(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'watchlist.yaml'}: {size:,} bytes, more than the limit of 5,242,880 bytes"
    )


def test_an_unknown_group_of_blocking_words_is_a_located_error(tmp_path):
    message = error_for(
        tmp_path,
        LIMIT_HEAD + "    not_before: [{group: shops}]\ntopics:\n  t:\n    entities: [x]\n",
    )
    assert message.endswith(
        "watchlist.yaml:7: entities.x.not_before[0].group: unknown group 'shops'"
    )
