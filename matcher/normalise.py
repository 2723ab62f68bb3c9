"""Text normalisation for matching, with a map from every normalised offset back to the original.

One alias has to catch every spelling of a script: NFKC, case folding, Arabic-script letter
variants, zero-width characters, diacritics (Latin accents, Arabic harakat) and hyphen/apostrophe
variants are folded away. Every character that is not part of a word (punctuation, symbols,
whitespace, hyphens, apostrophes) becomes a space and runs of spaces collapse, so "China–Pakistan",
"China-Pakistan" and "China  Pakistan" read the same, and a term padded with spaces matches whole
words only, inside the automaton.

Speed matters (MB/s with thousands of terms): characters that map to exactly one character go
through `str.translate` (on CPython's ASCII fast path when the text allows); only the rare ones
that vanish or expand (zero-width, combining marks, ligatures, astral characters) take a slow path.
The map back to original offsets is built only when a caller asks for an offset.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache, lru_cache
from itertools import accumulate, chain
from operator import sub

# Combining marks that are spelling noise: Latin/Greek/Cyrillic accents, Arabic harakat and
# Quranic marks, the Devanagari nukta. Other marks (Devanagari vowel signs) are letters' parts.
_STRIP_MARKS = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x08D3, 0x08FF),
    (0x093C, 0x093C),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)

# Characters that carry nothing: dropped, so "Bal\u200bochistan" is "Balochistan".
_DROP = set(
    "\u00ad\u034f\u061c\u0640\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d"
    "\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)

# Letter variants one alias should catch: Arabic-script yeh/kaf/heh/alef forms, and Latin
# letters that have no decomposition.
_VARIANTS = {
    "ي": "ی",
    "ى": "ی",
    "ې": "ی",
    "ۍ": "ی",
    "ێ": "ی",
    "ے": "ی",
    "ۓ": "ی",
    "ئ": "ی",
    "ك": "ک",
    "ڪ": "ک",
    "ه": "ہ",
    "ە": "ہ",
    "ۀ": "ہ",
    "ۂ": "ہ",
    "ة": "ہ",
    "ۃ": "ہ",
    "ھ": "ہ",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ؤ": "و",
    "ۋ": "و",
    "ڡ": "ف",
    "ı": "i",
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ħ": "h",
    "Ħ": "H",
    "ŧ": "t",
    "Ŧ": "T",
    "ƒ": "f",
    "ँ": "ं",
}

# Letters that tell Urdu from Persian and Arabic: Urdu writes ے, ہ, ھ where Persian writes ی and
# ه. Matching folds them together (one alias catches both scripts); an exact form (`case: true`)
# keeps them apart, so "نے" (Urdu) is not the Persian "نی", nor "کردہ" the Persian "کرده".
_SCRIPT_LETTERS = frozenset("ےۓہۂھۃهۀة")
_EXACT_VARIANTS = {"ۓ": "ے", "ۂ": "ہ", "ۃ": "ہ", "ۀ": "ه", "ة": "ه"}

_NO_SPACE_SCRIPTS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x20000, 0x3FFFF),
)

SPECIAL = "\x00"
BREAK = "\x01"  # sentence punctuation, in the marked copy of a normalised text

# Punctuation a phrase does not run across ("Qadir Baloch, leader of ..." is not "Baloch leader"),
# though it reads as a space like all punctuation; hyphens, apostrophes and slashes join words.
PHRASE_BREAKS = frozenset(
    '.,;:!?…()[]{}<>"“”„«»‹›،؛؟۔。，、；：！？（）【】「」『』\n'
)  # stands for a character that does not map to exactly one character


def _in_ranges(cp: int, ranges) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def is_word_char(ch: str) -> bool:
    """Letters, digits and the marks that belong to letters (Devanagari vowel signs)."""
    return unicodedata.category(ch)[0] in "LNM"


def no_space_script(ch: str) -> bool:
    """Scripts written without spaces between words, where a term may start or end anywhere."""
    return _in_ranges(ord(ch), _NO_SPACE_SCRIPTS)


def is_arabic_script(ch: str) -> bool:
    cp = ord(ch)
    return 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF


@cache
def fold_char(ch: str, casefold: bool = True) -> str:
    """What one character becomes: '' (dropped), ' ' (not part of a word), or its folded letters.
    Without `casefold`, the exact form a `case: true` term is checked against: case kept, and
    Urdu ے ہ ھ not folded into Persian ی ه (Arabic ي ك still are: both languages write them so)."""
    if ch in _DROP:
        return ""
    category = unicodedata.category(ch)
    if category == "Nd":
        return str(unicodedata.digit(ch))
    out: list[str] = []
    for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", ch)):
        if _in_ranges(ord(c), _STRIP_MARKS) or c in _DROP:
            continue
        if not casefold and c in _SCRIPT_LETTERS:
            c = _EXACT_VARIANTS.get(c, c)
        else:
            c = _VARIANTS.get(c, c)
        if casefold:
            # casefold, but keep one character where lower() does (ß stays ß, no expansion)
            folded = c.casefold()
            if len(folded) > 1 and len(c.lower()) == 1:
                folded = c.lower()
            out.extend(_VARIANTS.get(f, f) for f in folded)
        else:
            out.append(c)
    text = unicodedata.normalize("NFC", "".join(out))
    if not text:
        return "" if category[0] in "LNM" else " "
    text = "".join(c if is_word_char(c) else " " for c in text)
    if not text.strip():
        return " "
    return text


_STRIP_POINTS = frozenset(cp for lo, hi in _STRIP_MARKS for cp in range(lo, hi + 1))
_HANGUL = range(0xAC00, 0xD7A4)  # syllables: NFD splits them into jamo, NFC joins them again


def _plain(ch: str, casefold: bool) -> str | None:
    """What `fold_char` answers for the three in four BMP characters that nothing folds (no
    decomposition, no variant, no case change, not dropped): the character itself when it is part
    of a word, else a space. None for the others. Every process that matches builds both tables;
    asking fold_char for all 65,536 characters cost about a third of a second per table."""
    if ch in _DROP or ch in _VARIANTS or ord(ch) in _STRIP_POINTS:
        return None
    if not (unicodedata.is_normalized("NFKD", ch) or ord(ch) in _HANGUL):
        return None
    if (ch.casefold() != ch) if casefold else (ch in _SCRIPT_LETTERS):
        return None
    category = unicodedata.category(ch)
    if category == "Nd":
        return None
    return ch if category[0] in "LNM" else " "


@lru_cache(maxsize=2)
def _tables(casefold: bool = True) -> tuple[str, re.Pattern]:
    """A translate table for the BMP (SPECIAL where a character is not one-to-one), and a pattern
    finding those characters (plus astral ones, which the table does not cover)."""
    table = []
    special = []
    for cp in range(0x10000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            table.append(" ")
            continue
        folded = _plain(ch, casefold) or fold_char(ch, casefold)
        if folded == " " and ch in PHRASE_BREAKS:
            table.append(BREAK)
        elif len(folded) == 1 and cp != 0:
            table.append(folded)
        else:
            table.append(SPECIAL)
            special.append(cp)
    ranges: list[list[int]] = []
    for cp in special:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = [_class_range(lo, hi) for lo, hi in ranges]
    parts.append(_class_range(0x10000, 0x10FFFF))
    return "".join(table), re.compile("[" + "".join(parts) + "]+")


def _class_range(lo: int, hi: int) -> str:
    if lo == hi:
        return re.escape(chr(lo))
    return f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


_SPACE_RUN = re.compile("  +")
_PLUS_ONE = (1).__add__
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Frequent non-ASCII punctuation of English text: replaced first so the rest takes the ASCII path.
_COMMON = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("\xa0", " "))


class OffsetMap:
    """Piecewise map from normalised offsets to original offsets (slope one between breakpoints).

    Built lazily: normalising costs nothing extra until the first offset is asked for."""

    __slots__ = ("_norm", "_orig", "_make", "norm_len", "orig_len")

    def __init__(self, make, norm_len: int, orig_len: int):
        self._norm: list[int] | None = None
        self._orig: list[int] = []
        self._make = make
        self.norm_len = norm_len
        self.orig_len = orig_len

    def orig(self, pos: int) -> int:
        """Original offset of the character at normalised offset `pos` (end of text maps to end)."""
        if pos >= self.norm_len:
            return self.orig_len
        if self._norm is None:
            self._norm, self._orig = self._make()
            self._make = None
        i = bisect_right(self._norm, pos) - 1
        return self._orig[i] + (pos - self._norm[i])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of a normalised span, covering marks that were dropped inside it."""
        o_start = self.orig(start)
        o_end = self.orig(end - 1) + 1 if end > start else o_start
        return o_start, max(o_end, o_start)


def normalise(text: str, casefold: bool = True) -> tuple[str, OffsetMap]:
    """The matching form of `text` and the map of its offsets back into `text`."""
    norm, _stage, offsets = normalise_staged(text, casefold)
    return norm, offsets


def normalise_staged(text: str, casefold: bool = True) -> tuple[str, str, OffsetMap]:
    """Like `normalise`, plus the stage before spaces collapse, from which `mark` makes the copy
    with BREAKs: most texts never need it, and making it cost as much as the rest (speed)."""
    table, special = _tables(casefold)
    stage = _one_to_one(text, table)
    first: tuple[list[int], list[int]] | None = None
    if SPECIAL in stage:
        stage, first = _slow(text, table, special, casefold)
    spaced = stage.replace(BREAK, " ") if BREAK in stage else stage
    # every run of spaces and breaks becomes one space
    norm = _SPACE_RUN.sub(" ", spaced) if "  " in spaced else spaced
    collapsed = len(norm) != len(stage)

    def make() -> tuple[list[int], list[int]]:
        if not collapsed:
            return first or ([0], [0])
        if first is None:
            return _collapsed(stage)
        return _compose(stage, first[0], first[1], len(text))

    return norm, stage, OffsetMap(make, len(norm), len(text))


def mark(stage: str) -> str:
    """The normalised text of a `normalise_staged` stage with BREAK where a run of spaces held
    sentence punctuation (the same length as the normalised text)."""
    marked = _SPACE_RUN.sub(" ", stage) if "  " in stage else stage
    if BREAK in marked:
        # every run of spaces and breaks with a break in it becomes one break
        for pair in (" " + BREAK, BREAK + " ", BREAK + BREAK):
            while pair in marked:
                marked = marked.replace(pair, BREAK)
    return marked


def _one_to_one(text: str, table: str) -> str:
    """The text through the table, on the fastest path it allows."""
    if text.isascii():
        return text.translate(table)
    ascii_text = text
    for old, new in _COMMON:
        if old in ascii_text:
            ascii_text = ascii_text.replace(old, new)
    if ascii_text.isascii():
        return ascii_text.translate(table)
    if len(text.encode("utf-16-le")) != 2 * len(text):
        return (
            SPECIAL  # astral characters (emoji, mathematical letters): the table stops at the BMP
        )
    extra = len(text.encode("utf-8")) - len(text)
    if extra * 8 > len(text):
        return text.translate(table)  # mostly non-ASCII: one pass is cheapest
    # Mostly ASCII with accents here and there: ASCII bytes through bytes.translate, the rest
    # character by character: a text has a few distinct ones ("ü", "é"), each replaced in one
    # C pass, unless one's replacement is another to replace (then run by run, in order).
    done = ascii_text.encode("utf-8").translate(_ascii(table)).decode("utf-8")
    chars = set("".join(_NON_ASCII.findall(done)))
    pairs = [(c, table[ord(c)]) for c in chars]
    if any(new in chars and new != old for old, new in pairs):
        return _NON_ASCII.sub(lambda m: m.group().translate(table), done)
    for old, new in pairs:
        if new != old:
            done = done.replace(old, new)
    return done


@lru_cache(maxsize=2)
def _ascii(table: str) -> bytes:
    """A bytes.translate table: ASCII bytes as the table says, UTF-8 lead/trail bytes unchanged."""
    return bytes(ord(table[b]) for b in range(128)) + bytes(range(128, 256))


def _slow(text: str, table: str, special: re.Pattern, casefold: bool):
    """Characters that vanish or expand: one breakpoint each in the map to the original."""
    bp_norm = [0]
    bp_orig = [0]
    parts = []
    last = 0
    n = 0
    for m in special.finditer(text):
        start, end = m.span()
        if start > last:
            parts.append(text[last:start].translate(table))
            n += start - last
        for i in range(start, end):
            folded = fold_char(text[i], casefold)
            for j in range(len(folded)):
                bp_norm.append(n + j)
                bp_orig.append(i)
            parts.append(folded)
            n += len(folded)
        bp_norm.append(n)
        bp_orig.append(end)
        last = end
    if last < len(text):
        parts.append(text[last:].translate(table))
    return "".join(parts), (bp_norm, bp_orig)


def _collapsed(stage: str) -> tuple[list[int], list[int]]:
    """Breakpoints of collapsed -> stage, when stage is one-to-one with the original.

    Each run of gaps [start, end) becomes one space: the collapsed offset of `end` grows by
    start + 1 - (the previous run's end). Computed with C iterators: texts have a run at every
    sentence and paragraph break."""
    # the runs of [ BREAK]{2,}, found as runs of spaces once BREAK is a space: a pattern that
    # starts with a literal is searched for much faster than one that starts with a class
    spaced = stage.replace(BREAK, " ") if BREAK in stage else stage
    flat = list(chain.from_iterable(map(re.Match.span, _SPACE_RUN.finditer(spaced))))
    starts = flat[0::2]
    c_stage = [0, *flat[1::2]]
    c_norm = list(accumulate(map(sub, map(_PLUS_ONE, starts), c_stage), initial=0))
    return c_norm, c_stage


def _compose(stage: str, b_norm: list[int], b_orig: list[int], orig_len: int):
    """Breakpoints of result -> original, where result is `stage` with space runs collapsed."""
    first = _Piecewise(b_norm, b_orig, len(stage), orig_len)
    c_norm, c_stage = _collapsed(stage)
    length = c_norm[-1] + len(stage) - c_stage[-1]
    points = set(c_norm)
    seg = 0
    for s in b_norm:
        while seg + 1 < len(c_stage) and c_stage[seg + 1] <= s:
            seg += 1
        r = c_norm[seg] + (s - c_stage[seg])
        nxt = c_norm[seg + 1] if seg + 1 < len(c_norm) else length + 1
        if r < nxt:
            points.add(r)
    norm = sorted(p for p in points if p <= length)
    orig = []
    seg = 0
    for r in norm:
        while seg + 1 < len(c_norm) and c_norm[seg + 1] <= r:
            seg += 1
        orig.append(first.orig(c_stage[seg] + (r - c_norm[seg])))
    return norm, orig


class _Piecewise:
    def __init__(self, norm: list[int], orig: list[int], norm_len: int, orig_len: int):
        self.norm, self.orig_, self.norm_len, self.orig_len = norm, orig, norm_len, orig_len

    def orig(self, pos: int) -> int:
        if pos >= self.norm_len:
            return self.orig_len
        i = bisect_right(self.norm, pos) - 1
        return self.orig_[i] + (pos - self.norm[i])


def normalise_term(term: str, casefold: bool = True) -> str:
    """A watchlist term in matching form, trimmed."""
    return normalise(term, casefold)[0].strip()
