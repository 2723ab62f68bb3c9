"""Normalisation: one alias catches every spelling of a script, and offsets lead back to the original."""

from __future__ import annotations

import random

import pytest
from mediawatch.matcher.normalise import _plain, fold_char, normalise, normalise_term


def norm(text: str) -> str:
    return normalise(text)[0]


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("ＢＡＬＯＣＨＩＳＴＡＮ", "balochistan"),  # NFKC: full-width letters
        ("Balochistan", "BALOCHISTAN"),  # case folding
        ("Baluchistán", "baluchistan"),  # Latin accents
        ("Bal\u200bochi\u00adstan", "balochistan"),  # zero-width space, soft hyphen
        ("Bal\u0301ochistan", "balochistan"),  # a combining accent
        ("ﬁeld", "field"),  # ligature
        ("Straße", "STRAßE"),  # ß stays one letter
        ("İstanbul", "istanbul"),  # dotted capital I
        ("𝐁𝐋𝐀", "bla"),  # mathematical letters (outside the BMP)
        ("China–Pakistan", "China-Pakistan"),  # en dash, hyphen
        ("China—Pakistan", "China Pakistan"),
        ("Baloch’s", "Baloch's"),  # apostrophes
        ("Jaish al-‘Adl", "Jaish al Adl"),  # apostrophe and hyphen together, collapsed
        ("Sistan  and\n\tBaluchestan", "Sistan and Baluchestan"),  # whitespace runs
        ("«Quetta»", "Quetta"),
    ],
)
def test_spellings_fold_together(written, same_as):
    assert norm(written).strip() == norm(same_as).strip()


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("بلوچستان", "بلوچستان"),
        ("كويته", "کویتہ"),  # Arabic kaf/yeh/heh -> Persian/Urdu forms
        ("پاكستان", "پاکستان"),
        ("سيستان", "سیستان"),
        ("ةکراچی", "ہکراچی"),  # teh marbuta -> heh
        ("بَلُوچِسْتَان", "بلوچستان"),  # harakat
        ("بلوچ\u200cها", "بلوچها"),  # zero-width non-joiner
        ("بلوچـستان", "بلوچستان"),  # tatweel
        ("أحمد", "احمد"),  # alef with hamza
        ("۲۰۲۵", "2025"),  # Extended Arabic-Indic digits
        ("٢٠٢٥", "2025"),  # Arabic-Indic digits
        ("ज़ाहेदान", "जाहेदान"),  # Devanagari nukta
    ],
)
def test_arabic_script_and_devanagari_variants(written, same_as):
    assert norm(written) == norm(same_as)


def test_devanagari_vowel_signs_are_kept():
    """Marks that are part of Hindi letters are not diacritics: बलूच and बलच stay apart."""
    assert norm("बलूच") != norm("बलच")


def test_case_kept_when_asked():
    assert normalise("BLA–J", casefold=False)[0] == "BLA J"
    assert normalise_term("  Balochistan Liberation Army ") == "balochistan liberation army"


def test_an_exact_form_keeps_urdu_letters_apart_from_persian():
    """Matching folds Urdu ے/ہ/ھ into ی/ه (one alias for both scripts); the exact form used by
    `case: true` keeps them apart, so Urdu "نے" is not Persian "نی", "کردہ" not "کرده"."""
    assert norm("نے") == norm("نی") and norm("کردہ") == norm("کرده")
    assert normalise("نے", casefold=False)[0] != normalise("نی", casefold=False)[0]
    assert normalise("کردہ", casefold=False)[0] != normalise("کرده", casefold=False)[0]
    assert normalise("تھا", casefold=False)[0] != normalise("تها", casefold=False)[0]
    # the variants both languages share still fold: Arabic yeh and kaf
    assert normalise("كرده", casefold=False)[0] == normalise("کرده", casefold=False)[0]


def test_fold_char_contract():
    assert fold_char("\u200b") == ""  # dropped
    assert fold_char(",") == " "  # not part of a word
    assert fold_char("Ä") == "a"
    assert fold_char("ﬁ") == "fi"  # expands


def reference(text: str) -> tuple[str, list[int]]:
    """Character by character, the slow obvious way: folded text and original index of each char."""
    out, origin = [], []
    for i, ch in enumerate(text):
        for c in fold_char(ch):
            if c == " " and out and out[-1] == " ":
                continue
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def test_offsets_map_back_to_the_original_on_random_text():
    rng = random.Random(3)
    pieces = list("ab AZ-’ß\u200bé\u0301ﬁيك\n…İ.,“х") + ["𝐁", "  ", "Ä", "\u00a0", "中"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        got, offsets = normalise(text)
        expected, origin = reference(text)
        assert got == expected
        assert [offsets.orig(i) for i in range(len(got))] == origin


def test_offsets_of_a_span_cover_dropped_marks():
    text = "In Bal\u200bochistan’s capital"
    got, offsets = normalise(text)
    start = got.index("balochistan")
    a, b = offsets.span(start, start + len("balochistan"))
    assert text[a:b] == "Bal\u200bochistan"


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII text, with punctuation -- and CAPITALS.",
        "English with “curly quotes”, an en–dash and it’s apostrophes",
        "Deutsch: Anschläge in Belutschistan, die Straße gesperrt",
        "اردو: کوئٹہ میں دھماکہ، پانچ افراد جاں بحق",
        "中文：巴基斯坦俾路支省发生爆炸，造成五人死亡。",
        "Emoji 🔥 and 𝐁𝐋𝐀 outside the BMP",
    ],
)
def test_every_fast_path_agrees_with_the_reference(text):
    got, offsets = normalise(text)
    expected, origin = reference(text)
    assert got == expected
    assert [offsets.orig(i) for i in range(len(got))] == origin


@pytest.mark.parametrize("casefold", [True, False])
def test_the_tables_shortcut_answers_as_fold_char_for_every_bmp_character(casefold):
    """The translate tables skip fold_char for characters nothing folds; every one of those
    answers must be fold_char's own."""
    differ = [
        hex(cp)
        for cp in range(0x10000)
        if not 0xD800 <= cp <= 0xDFFF
        and (plain := _plain(chr(cp), casefold)) is not None
        and plain != fold_char(chr(cp), casefold)
    ]
    assert differ == []
