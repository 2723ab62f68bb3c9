"""The shortcuts the matcher takes for speed give the answers of the full checks they stand for.

Where a mention stands (matcher.salience) is judged with patterns around it; for speed the
matcher finds sentence ends once per text instead of scanning a window per mention, and skips
the patterns of the words before a mention when the word before it cannot end any of them. Both
must agree with the patterns themselves, also after someone edits a pattern: these tests draw
texts from the patterns' own words and compare.
"""

from __future__ import annotations

import random
import re
import re._parser as sre_parse  # the parsed form of a pattern, to write texts it matches

from mediawatch.matcher import salience
from mediawatch.matcher.salience import Sentences, has_cue

BEFORE_PATTERNS = {
    "venue": (salience._VENUE_BEFORE, salience._VENUE_REACH),
    "origin": (salience._ORIGIN_BEFORE, salience._ORIGIN_REACH),
    "origin age": (salience._ORIGIN_AGE, salience._ORIGIN_REACH),
    "route": (salience._ROUTE_BEFORE, salience._ROUTE_REACH),
    "from": (salience._FROM_BEFORE, salience._ROUTE_REACH),
}


def sample(pattern: re.Pattern, rng: random.Random) -> str:
    """A random text the pattern is meant to match (anchors and lookarounds left out)."""
    out: list[str] = []

    def char_of(items) -> str:
        if items and items[0][0] is sre_parse.NEGATE:
            return rng.choice("xQ")
        op, av = rng.choice(items)
        if op is sre_parse.LITERAL:
            return chr(av)
        if op is sre_parse.RANGE:
            return chr(rng.randint(*av))
        return category(av)

    def category(av) -> str:
        name = str(av)
        if "SPACE" in name:
            return rng.choice(" \n\u00a0") if "NOT" not in name else "x"
        if "DIGIT" in name:
            return str(rng.randint(0, 9)) if "NOT" not in name else " "
        return rng.choice("abکQ") if "NOT" not in name else " "

    def walk(seq) -> None:
        for op, av in seq:
            if op is sre_parse.LITERAL:
                ch = chr(av)
                out.append(ch.upper() if ch.isalpha() and rng.random() < 0.1 else ch)
            elif op is sre_parse.NOT_LITERAL:
                out.append("x")
            elif op is sre_parse.IN:
                out.append(char_of(av))
            elif op is sre_parse.ANY:
                out.append("y")
            elif op is sre_parse.CATEGORY:
                out.append(category(av))
            elif op is sre_parse.BRANCH:
                walk(rng.choice(av[1]))
            elif op is sre_parse.SUBPATTERN:
                walk(av[3])
            elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
                low, high, sub = av
                for _ in range(rng.randint(low, min(high, low + 2))):
                    walk(sub)

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return "".join(out)


def test_cue_words_cover_every_pattern_of_the_words_before_a_mention():
    rng = random.Random(12)
    prefixes = ["", "x", "said ", "(", "x" * 35, "The officials "]
    matched = {name: 0 for name in BEFORE_PATTERNS}
    for name, (pattern, reach) in BEFORE_PATTERNS.items():
        for _ in range(4000):
            before = rng.choice(prefixes) + sample(pattern, rng)
            text = before + "Quetta said"
            if not pattern.search(text[max(0, len(before) - reach) : len(before)]):
                continue
            matched[name] += 1
            assert has_cue(text, len(before)), (
                f"{name}: {before!r} matches, but its last word is not in salience._CUE_WORDS"
            )
    assert all(count > 100 for count in matched.values()), matched


def test_no_cue_where_the_word_before_is_another():
    text = "Officials said Quetta, the capital of Balochistan, was calm in Quetta."
    assert not has_cue(text, text.index("Quetta"))
    assert has_cue(text, text.index("Balochistan"))  # "of"
    assert has_cue(text, text.rindex("Quetta"))  # "in"
    assert has_cue("born İN Quetta", len("born İN "))  # as IGNORECASE reads it


def test_sentence_bounds_are_those_of_the_sentence_pattern():
    rng = random.Random(13)
    alphabet = list("ab .!?؟۔\n\t,;") + ["\u00a0", "\u2028", "  ", "x", "\u3000", "Mr."]
    for trial in range(3000):
        size = 1500 if trial % 20 == 0 else 40
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, size)))
        sentences = Sentences(text)
        for _ in range(10):
            lo = rng.randint(0, len(text))
            start = rng.randint(lo, len(text))
            expected = lo
            for m in salience._SENTENCE_END.finditer(text, lo, start):
                expected = m.end()
            assert sentences.start_after(lo, start) == expected, (text, lo, start)
            end = rng.randint(0, len(text))
            hi = rng.randint(end, len(text))
            found = salience._SENTENCE_END.search(text, end, hi)
            expected = found.start() if found else hi
            assert sentences.stop_within(end, hi) == expected, (text, end, hi)


def test_lists_found_with_a_shared_sentence_index_are_those_found_alone():
    rng = random.Random(14)
    words = ["Quetta", "Karachi", "and", "or", "Sindh", "upper", ",", ";", ".", "\n", "(BLA)"]
    words += ["particularly", "اور", "کوئٹہ", "،", "Sistan and Baluchestan", "people", "said"]
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 80)))
        shared = Sentences(text)
        for _ in range(8):
            a = rng.randint(0, len(text))
            b = min(len(text), a + rng.randint(1, 12))
            alone = salience.list_items(text, a, b, 0, len(text))
            assert salience.list_items(text, a, b, 0, len(text), shared) == alone


def test_separators_found_from_their_anchors_are_the_pattern_s_own():
    rng = random.Random(15)
    parts = ["a", "AND", "and", "or", "&", "اور", "و", "یا", ",", "،", ";", "؛", " ", "\n"]
    parts += ["\u00a0", "andy", "band", "Quetta", sample(salience._SEPARATOR, rng)]
    for _ in range(20000):
        if rng.random() < 0.3:
            parts[-1] = sample(salience._SEPARATOR, rng)
        text = "".join(rng.choice(parts) + rng.choice(["", " "]) for _ in range(rng.randint(0, 25)))
        lo = rng.randint(0, len(text))
        hi = rng.randint(lo, len(text))
        expected = [m.span() for m in salience._SEPARATOR.finditer(text, lo, hi)]
        assert salience.separator_spans(text, lo, hi) == expected, (text, lo, hi)


def test_words_after_a_mention_are_tried_as_one_pattern_only_where_one_could_match():
    """may_follow (one pattern for the venue/origin/route patterns of the words after a mention)
    says no only where each of them says no, and yes where one of them matches."""
    rng = random.Random(16)
    tails = ["", " said", ", ", "\n", " x" * 30, "!"]
    matched = 0
    for pattern in salience._AFTER_PATTERNS:
        for _ in range(1500):
            text = "Quetta" + sample(pattern, rng) + rng.choice(tails)
            end = len("Quetta")
            found = any(p.match(text, end) for p in salience._AFTER_PATTERNS)
            matched += found
            assert salience.may_follow(text, end) == found, text
    assert matched > 1000


def test_an_entry_is_looked_for_only_with_a_colon_in_reach():
    """may_entry says no only where entry_items finds no entry (its tail needs a colon)."""
    rng = random.Random(17)
    names = ["استان خوزستان", "Sindh", "Balochistan"]
    words = [*names, ":", "：", "13,695;", "\n", "x" * 50, "456", "said", "."]
    entries = 0
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        for _ in range(5):
            name = rng.choice(names)
            a = text.find(name, rng.randint(0, len(text)))
            a = a if a >= 0 else rng.randint(0, len(text))
            b = min(len(text), a + len(name))
            ceil = rng.randint(b, len(text)) if rng.random() < 0.3 else len(text)
            items = salience.entry_items(text, a, b, 0, ceil)
            entries += bool(items)
            if not salience.may_entry(text, b, ceil):
                assert items == [], (text, a, b, ceil)
    assert entries > 100
