"""Every form of the watchlist language, each on a small watchlist written for the test."""

from __future__ import annotations

from mediawatch import matcher


def flagged(watchlist: dict, text: str, title: str = "") -> set[str]:
    return {m.topic for m in matcher.compile(watchlist).match(title, text)}


def one(aliases, **entity) -> dict:
    """A watchlist with one topic `t` over one entity `e`."""
    spec = {"name": "E", "type": "place", "aliases": aliases, **entity}
    return {"entities": {"e": spec}, "topics": {"t": {"entities": ["e"]}}}


def test_alias_matches_whole_words_only():
    wl = one(["Sui"])
    assert flagged(wl, "The Sui gas field") == {"t"}
    assert flagged(wl, "a suit, pursuit, suicide") == set()


def test_braces_expand_to_alternative_spellings():
    wl = one(["B{a,e}l{o,u}chistan"])
    for spelling in ("Balochistan", "Baluchistan", "Belochistan", "Beluchistan"):
        assert flagged(wl, f"in {spelling} province") == {"t"}
    assert flagged(wl, "in Bilochistan") == set()


def test_star_lifts_the_word_boundary_on_its_side():
    wl = one(["Baloch nationalis*", "*abad"])
    assert flagged(wl, "Baloch nationalists said") == {"t"}
    assert flagged(wl, "Baloch nationalism") == {"t"}
    assert flagged(wl, "in Jaffarabad") == {"t"}
    assert flagged(wl, "Baloch nation") == set()


def test_acronyms_are_case_sensitive_aliases_are_not():
    wl = one(["Baloch Liberation Army"], acronyms=["BLA"])
    assert flagged(wl, "the BLA said") == {"t"}
    assert flagged(wl, "bla bla bla") == set()
    assert flagged(wl, "Bla said") == set()
    assert flagged(wl, "the baloch LIBERATION army") == {"t"}


def test_a_case_sensitive_alias_and_a_case_sensitive_phrase_in_a_rule():
    wl = {
        "entities": {
            "e": {"name": "E", "type": "place", "aliases": [{"form": "Sui", "case": True}]}
        },
        "topics": {
            "t": {"entities": ["e"]},
            "u": {"rules": [{"any": [{"phrase": "BRI", "case": True}]}]},
        },
    }
    assert flagged(wl, "Sui field") == {"t"}
    assert flagged(wl, "sui generis") == set()
    assert flagged(wl, "the BRI and bri") == {"u"}
    assert flagged(wl, "bri") == set()


def test_context_requirement():
    wl = one([], acronyms=[{"form": "BLA", "context": ["Baloch*", "Pakistan"]}])
    assert flagged(wl, "The BLA attacked a post in Pakistan.") == {"t"}
    assert flagged(wl, "BLA claims, say Baloch sources") == {"t"}
    assert flagged(wl, "The FDA accepted the BLA.") == set()


def test_context_within_n_words():
    wl = one([{"form": "Kalat", "context": ["Balochistan"], "within": 3}])
    assert flagged(wl, "Kalat district of Balochistan") == {"t"}
    assert flagged(wl, "Kalat is a town. " + "word " * 10 + "Balochistan") == set()


def test_unless():
    wl = one([{"form": "Quetta", "unless": ["wicket*", "PSL"]}])
    assert flagged(wl, "A blast in Quetta") == {"t"}
    assert flagged(wl, "Quetta took three wickets in the PSL") == set()


def test_not_in_not_after_not_before():
    wl = one(
        [
            {"form": "Quetta", "not_in": ["Quetta Gladiators"]},
            {"form": "Baluchestan", "not_after": ["Sistan and", "Sistan"]},
            {"form": "Baloch", "not_before": ["Regiment"]},
        ]
    )
    assert flagged(wl, "Quetta Gladiators won") == set()
    assert flagged(wl, "Quetta Gladiators won; later a blast in Quetta") == {"t"}
    assert flagged(wl, "Sistan and Baluchestan province") == set()
    assert flagged(wl, "Sistan-Baluchestan province") == set()
    assert flagged(wl, "Baluchestan region") == {"t"}
    assert flagged(wl, "the Baloch Regiment") == set()
    assert flagged(wl, "the Baloch people") == {"t"}


def test_entity_conditions_apply_to_every_form_and_a_form_may_replace_them():
    wl = one(
        ["Kech", {"form": "Turbat", "context": ["Kech"]}],
        context=["Pakistan"],
    )
    assert flagged(wl, "Kech district") == set()
    assert flagged(wl, "Kech district, Pakistan") == {"t"}
    assert flagged(wl, "Turbat, Kech") == {"t"}  # its own context replaces the entity's


def test_groups_and_references():
    wl = {
        "groups": {
            "pakistan": ["Pakistan*", "Islamabad", {"entity": "quetta"}],
            "country": {"terms": [{"group": "pakistan"}, "Iran"], "weight": 0},
        },
        "entities": {"quetta": {"name": "Quetta", "type": "place", "aliases": ["Quetta"]}},
        "topics": {"t": {"rules": [{"all": ["attack", {"group": "country"}]}]}},
    }
    assert flagged(wl, "An attack in Quetta") == {"t"}  # entity inside group inside group
    assert flagged(wl, "An attack in Pakistani territory") == {"t"}
    assert flagged(wl, "An attack in Chile") == set()


def test_all_any_not():
    wl = {
        "topics": {
            "t": {
                "rules": [
                    {
                        "all": ["Chinese nationals", {"any": ["attack*", "killed"]}],
                        "not": ["Tajikistan"],
                    }
                ]
            }
        }
    }
    assert flagged(wl, "Chinese nationals were killed in Karachi") == {"t"}
    assert flagged(wl, "Chinese nationals were attacked") == {"t"}
    assert flagged(wl, "Chinese nationals arrived") == set()
    assert flagged(wl, "Chinese nationals were killed in Tajikistan") == set()


def test_a_rule_whose_first_operand_is_a_not_still_flags():
    wl = {"topics": {"t": {"rules": [{"all": [{"not": ["drill"]}, "attack"]}]}}}
    assert flagged(wl, "An attack on the post.") == {"t"}
    assert flagged(wl, "An attack drill on the post.") == set()


def test_near_within_n_words():
    wl = {"topics": {"t": {"rules": [{"all": ["Chinese engineers", "attack*"], "near": 3}]}}}
    assert flagged(wl, "Chinese engineers came under attack") == {"t"}
    assert flagged(wl, "an attack on Chinese engineers") == {"t"}  # either order
    text = "Chinese engineers arrived in the city on Monday, and a week later there was an attack"
    assert flagged(wl, text) == set()


def test_a_possessive_is_not_a_word_of_its_own():
    """ "Iran's province" is two words: the apostrophe folds to a space, the "s" is no word."""
    wl = {"topics": {"t": {"rules": [{"all": ["deaths", "Sistan"], "near": 7}]}}}
    assert flagged(wl, "the deaths of labourers in Iran's province of Sistan") == {"t"}
    assert flagged(wl, "the deaths of labourers in the Iran province of Sistan") == set()


def test_near_with_any_as_one_operand():
    wl = {
        "topics": {
            "t": {"rules": [{"all": ["Jaffar Express"], "any": ["hijack*", "hostage*"], "near": 5}]}
        }
    }
    assert flagged(wl, "Militants hijacked the Jaffar Express") == {"t"}
    assert flagged(wl, "The Jaffar Express left on time. " + "x " * 10 + "hostages") == set()


def test_more_compares_mentions():
    wl = {
        "groups": {"iran": ["Iran*"], "pakistan": ["Pakistan*"]},
        "topics": {
            "t": {
                "rules": [
                    {
                        "all": ["Baloch activists"],
                        "not": [{"more": [{"group": "iran"}, {"group": "pakistan"}]}],
                    }
                ]
            }
        },
    }
    assert flagged(wl, "Baloch activists in Pakistan") == {"t"}
    assert flagged(wl, "Baloch activists in Iran said Iranian forces") == set()
    assert flagged(wl, "Baloch activists in Iran and Pakistan") == {"t"}  # a tie is not more


def test_exclude_blocks_the_topic():
    wl = {
        "entities": {"q": {"name": "Quetta", "type": "place", "aliases": ["Quetta"]}},
        "topics": {"t": {"entities": ["q"], "exclude": ["Quetta Gladiators"]}},
    }
    assert flagged(wl, "a blast in Quetta") == {"t"}
    assert flagged(wl, "Quetta Gladiators and Quetta") == set()


def test_keywords_count_like_entities():
    wl = {"topics": {"t": {"keywords": ["economic corridor", "CPEC"]}}}
    assert flagged(wl, "the CPEC projects") == {"t"}


def test_includes_and_implies():
    entities = {
        "bla": {"name": "BLA", "type": "organisation", "aliases": ["Baloch Liberation Army"]},
        "q": {"name": "Quetta", "type": "place", "aliases": ["Quetta"]},
    }
    by_includes = {
        "entities": entities,
        "topics": {
            "balochistan": {"entities": ["q"], "includes": ["bla"]},
            "bla": {"entities": ["bla"]},
        },
    }
    by_implies = {
        "entities": entities,
        "topics": {
            "balochistan": {"entities": ["q"]},
            "bla": {"entities": ["bla"], "implies": ["balochistan"]},
        },
    }
    for wl in (by_includes, by_implies):
        assert flagged(wl, "The Baloch Liberation Army said") == {"bla", "balochistan"}
        assert flagged(wl, "Quetta") == {"balochistan"}
        found = matcher.compile(wl).match("", "The Baloch Liberation Army said")
        balochistan = next(m for m in found if m.topic == "balochistan")
        assert balochistan.entities[0]["name"] == "BLA"


def test_min_score_and_position_weights():
    wl = one(["Quetta"])
    wl["topics"]["t"]["min_score"] = 2.5
    assert flagged(wl, "Nothing here.", title="Blast in Quetta") == {"t"}  # title weighs 3
    other = " Other news of the day follows in this long report." * 6
    assert flagged(wl, "Blast in Quetta." + other) == set()  # lead weighs 2
    assert flagged(wl, "Blast in Quetta. Quetta mourns." + other) == {"t"}
    # one passing mention at the end of a long article weighs less than one in the body
    late = "Other news. " * 1000 + "Quetta."
    topic = matcher.compile(one(["Quetta"])).explain("", late)["topics"]["t"]
    assert topic["score"] < 1.0 and not topic["flagged"]


def test_weight_of_an_entity():
    wl = one(["Quetta"], weight=0.5)
    assert flagged(wl, "x " * 300 + "Quetta") == set()  # body 1.0 x 0.5
    assert flagged(wl, "x " * 300 + "Quetta and Quetta") == {"t"}


def test_scripts_without_spaces_and_arabic_clitics():
    wl = one(["俾路支", "بلوچستان", "البلوش"])
    assert flagged(wl, "巴基斯坦俾路支省发生爆炸") == {"t"}
    assert flagged(wl, "والبلوش") == {"t"}  # "and the Baloch"
    assert flagged(wl, "بلوچستانی") == {"t"}  # suffix -i
    assert flagged(wl, "بلوچستانیان") == {"t"}  # Persian plural -ian
    assert flagged(wl, "بلوچستانوالا") == set()  # not a clitic: a longer word


def test_result_carries_entities_terms_and_highlighted_snippets():
    wl = one(["Quetta", "کوئٹہ"])
    title = "Blast in QUETTA"
    text = "A bomb went off in Quetta’s main market. Police in کوئٹہ said five died."
    (found,) = matcher.compile(wl).match(title, text)
    combined = f"{title}\n\n{text}"
    (entity,) = found.entities
    assert entity["name"] == "E" and entity["type"] == "place" and entity["count"] == 3
    assert [combined[a:b] for a, b in entity["offsets"]] == ["QUETTA", "Quetta", "کوئٹہ"]
    assert {t["term"]: t["count"] for t in found.terms} == {"QUETTA": 1, "Quetta": 1, "کوئٹہ": 1}
    assert 1 <= len(found.snippets) <= 2
    for snippet in found.snippets:
        marked = [snippet["text"][a:b] for a, b in snippet["highlights"]]
        assert marked and all(m in ("QUETTA", "Quetta", "کوئٹہ") for m in marked)
    assert found.snippets[0]["text"] == title  # the title mention weighs most
    row = found.to_dict()
    assert set(row) == {"topic", "score", "entities", "terms", "snippets"}
    assert row["score"] == found.score > 0


def test_explain_says_why_not():
    wl = one(
        [{"form": "Quetta", "not_in": ["Quetta Gladiators"]}],
        acronyms=[{"form": "BLA", "context": ["Pakistan"]}],
    )
    explained = matcher.compile(wl).explain("", "Quetta Gladiators won. BLA")
    topic = explained["topics"]["t"]
    assert explained["flagged"] == [] and topic["flagged"] is False
    whys = {miss["term"]: miss["why"] for miss in topic["not_counted"]}
    assert "Quetta Gladiators" in whys["Quetta"]
    assert "no context" in whys["BLA"]
    assert topic["reason"] == "no term or rule counted"


def test_explain_lists_rules_passed_and_failed():
    wl = {"topics": {"t": {"rules": [{"all": ["CPEC"]}, {"all": ["Gwadar", "China"], "near": 5}]}}}
    topic = matcher.compile(wl).explain("", "CPEC talks")["topics"]["t"]
    assert [r["passed"] for r in topic["rules"]] == [True, False]
    assert "Gwadar" in topic["rules"][1]["why"]
    assert topic["flagged"] and topic["match"]["topic"] == "t"


def test_compiled_once_used_many_times_without_state():
    m = matcher.compile(one(["Quetta"]))
    assert m.topics == ["t"]
    for _ in range(3):
        assert [x.topic for x in m.match("", "Quetta")] == ["t"]
        assert m.match("", "nothing") == []


def test_phrases_do_not_run_across_sentence_punctuation():
    wl = one(["Baloch leader", "Hyderabad, Sindh"])
    assert flagged(wl, "Baloch leader Akhtar Mengal said") == {"t"}
    assert flagged(wl, "said Qadir Baloch, leader of the party in Lyari") == set()
    assert flagged(wl, "in Hyderabad, Sindh") == {"t"}  # written with its comma


def test_blocking_words_must_be_adjacent_in_the_same_sentence():
    wl = one([{"form": "Balochistan", "not_before": ["Iran", ", Iran"]}])
    assert flagged(wl, "Balochistan Iran region") == set()
    assert flagged(wl, "Baloch areas of Balochistan, Iran") == set()  # ", Iran" has its comma
    assert flagged(wl, "Violence in Balochistan. Iran said it would help.") == {"t"}
