"""Language of an article: declared by the page when plausible, else detected with py3langid.

The writing system decides first (a Urdu page is in Arabic script, a Japanese one has kana) and
py3langid only chooses among the languages of that script: on short news text this keeps Urdu from
being read as Persian, or Chinese as Wu.
"""

from __future__ import annotations

import re
from functools import lru_cache

SAMPLE_CHARS = 1500  # plenty for py3langid on prose; its cost grows with the sample
MIN_CONFIRM_CHARS = 200  # below this, a declared language is not second-guessed within its script
MAX_MARGIN_PER_BYTE = (
    0.5  # model log-score per byte by which another language must beat the declared
)

# Unicode ranges -> script name. Only the scripts the decision needs; everything else is "other".
_RANGES = (
    (0x0041, 0x005A, "latin"),
    (0x0061, 0x007A, "latin"),
    (0x00C0, 0x024F, "latin"),
    (0x1E00, 0x1EFF, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B00, 0x0B7F, "oriya"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x0F00, 0x0FFF, "tibetan"),
    (0x1000, 0x109F, "myanmar"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "hangul"),
    (0x1200, 0x139F, "ethiopic"),
    (0x1780, 0x17FF, "khmer"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
)

# Scripts written by (practically) one language in py3langid's model.
_SINGLE = {
    "greek": "el",
    "armenian": "hy",
    "hebrew": "he",
    "bengali": "bn",
    "gurmukhi": "pa",
    "gujarati": "gu",
    "oriya": "or",
    "tamil": "ta",
    "telugu": "te",
    "kannada": "kn",
    "malayalam": "ml",
    "sinhala": "si",
    "thai": "th",
    "lao": "lo",
    "myanmar": "my",
    "georgian": "ka",
    "hangul": "ko",
    "ethiopic": "am",
    "khmer": "km",
    "kana": "ja",
}

# The model's candidates per script; labels that are not ISO 639-1 map to their macrolanguage.
_CANDIDATES = {
    "arabic": ("ur", "fa", "ar", "ps", "ug", "sdh", "ary", "arz"),
    "devanagari": ("hi", "mr", "ne", "sa"),
    "cyrillic": ("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn", "tg", "tt", "ba"),
    "han": ("zh", "wuu", "yue"),
}
_ALIASES = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "sdh": "ku", "uzs": "uz"}

# Letters Urdu uses and Persian and Arabic do not (yeh barree, noon ghunna, retroflex tteh, ddal, rreh,
# heh goal, heh doachashmee): any Urdu sentence has some, a Persian or Arabic one practically none.
_URDU_ONLY = re.compile("[\u06d2\u06d3\u06ba\u0679\u0688\u0691\u06c1\u06c2\u06be]")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")

_LATIN_LANGUAGES = frozenset(
    "en de fr es it pt nl sv no nb nn da fi is et lv lt pl cs sk sl hr bs hu ro sq tr az id ms"  # noqa: SIM905
    " vi tl sw ha yo ig zu xh af so om ga cy eu ca gl mt lb eo la".split()
)

# Which script a declared language is written in, to catch templates that say lang="en" on Urdu text.
SCRIPT_OF_LANGUAGE = {
    **{code: script for script, code in _SINGLE.items()},
    **{code: "arabic" for code in ("ar", "fa", "ur", "ps", "ug", "sd", "ku")},
    **{code: "devanagari" for code in ("hi", "mr", "ne", "sa")},
    **{code: "cyrillic" for code in ("ru", "uk", "bg", "mk", "be", "kk", "ky", "mn", "tg", "tt")},
    "zh": "han",
    **dict.fromkeys(_LATIN_LANGUAGES, "latin"),
}


def _pattern(ranges) -> re.Pattern:
    return re.compile(
        "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges) + "]"
    )


_SCRIPTS = {name for _, _, name in _RANGES}
_SCRIPT_PATTERNS = {
    name: _pattern([(lo, hi) for lo, hi, n in _RANGES if n == name]) for name in sorted(_SCRIPTS)
}
_NON_LATIN = _pattern([(lo, hi) for lo, hi, n in _RANGES if n != "latin"])


def script_counts(text: str) -> dict[str, int]:
    """Letters per writing system, by regex passes (C speed); Latin-only text takes two passes."""
    counts = {"latin": len(_SCRIPT_PATTERNS["latin"].findall(text))}
    if _NON_LATIN.search(text):
        for name, pattern in _SCRIPT_PATTERNS.items():
            if name != "latin":
                counts[name] = len(pattern.findall(text))
    return {name: n for name, n in counts.items() if n}


def dominant_script(text: str) -> str | None:
    """The writing system of most letters in text; Han with any kana counts as Japanese."""
    counts = script_counts(text[:SAMPLE_CHARS])
    if not counts:
        return None
    best = max(counts, key=counts.__getitem__)
    if best == "han" and counts.get("kana", 0) >= 0.05 * counts["han"]:
        return "kana"
    return best


@lru_cache(maxsize=1)
def _identifier():
    from mediawatch.scrapers.langid_cache import identifier  # unpacked once per user, not per crawl

    return identifier()


def _iso639_1(label: str) -> str | None:
    label = _ALIASES.get(label, label)
    return label if len(label) == 2 and label != "zxx" else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of text, or None when there is no text to judge."""
    if not text or not text.strip():
        return None
    sample = text[:SAMPLE_CHARS]
    script = dominant_script(sample)
    if script is None:
        return None
    if script in _SINGLE:
        return _SINGLE[script]
    allowed = _CANDIDATES.get(script)
    if script == "arabic":
        markers = len(_URDU_ONLY.findall(sample))
        if markers >= 2:
            return "ur"
        if markers == 0 and allowed and len(_ARABIC_LETTER.findall(sample)) >= 15:
            allowed = tuple(label for label in allowed if label != "ur")
    ranking = _identifier().rank(sample)
    for label, _score in ranking:
        if allowed is not None and label not in allowed:
            continue
        if (
            script == "latin"
            and SCRIPT_OF_LANGUAGE.get(_ALIASES.get(label, label), "latin") != "latin"
        ):
            continue
        code = _iso639_1(label)
        if code:
            return code
    return None


def normalise_declared(value: str | None) -> str | None:
    """'en-US', 'ur_PK', 'EN' -> ISO 639-1; None for anything that is not a language tag."""
    if not value or not isinstance(value, str):
        return None
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", value)
    if not match:
        return None
    code = match.group(1).lower()
    code = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "urd": "ur", "eng": "en"}.get(
        code, code
    )
    return code if len(code) == 2 else None


def plausible(declared: str, text: str) -> bool:
    """False when the text is clearly not in the declared language: a different script (lang="en" on
    Urdu), or, on enough text, a language the model rates far above it (lang="en" on Zulu text)."""
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return True
    expected = SCRIPT_OF_LANGUAGE.get(declared)
    actual = dominant_script(sample)
    if actual is None:
        return True
    if expected is not None:
        if declared == "ja":
            return actual in ("kana", "han")
        if actual != expected:
            return False
    if len(sample) < MIN_CONFIRM_CHARS or actual != "latin":
        return True
    labels = {label for label in _identifier().labels if _ALIASES.get(label, label) == declared}
    labels |= {"no"} if declared in ("nb", "nn") else set()
    if not labels:
        return True
    scores = dict(_identifier().rank(sample))
    best = max(scores.values())
    mine = max(scores[label] for label in labels)
    return (best - mine) / len(sample.encode("utf-8")) < MAX_MARGIN_PER_BYTE
