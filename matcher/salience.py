"""Where a mention stands, and what that says about coverage: a dateline or an item of a list of
places says little about what a text is about; a sentence about the place says a lot.

Two roles are recognised on the original text, language by language only through their
separators, so they hold in English, Urdu and Persian alike:
- dateline: the mention opens a paragraph of the body and is followed, within a few words, by a
  colon ("QUETTA:", "QUETTA, Mar 13 (APP):", "کوئٹہ:"): it says where the story was filed.
- list: the mention is one item of a run of three or more short items separated by commas or
  "and"/"or" ("Punjab, Sindh, Balochistan and Khyber Pakhtunkhwa"), with at least one comma.
How much of the text concerns the topic: when at least half its words stand within
COVERAGE_WINDOW words of a plain mention of the topic, the score gains COVERAGE_WEIGHT. A
one-sentence report about Quetta is about Quetta; one sentence in eight that names it is a mention.

A venue ("a meeting held in Quetta", "Iran's Consul General in Quetta", "کوئٹہ میں منعقدہ") says
where people met, not what they discussed. Origin ("a resident of Quetta", "hailing from Quetta",
"born in Quetta", "Balochistan-based groups", "کوئٹہ کے رہائشی", "کوئٹہ میں مقیم", "کا تعلق
کوئٹہ سے", Persian "اهل زاهدان", "متولد زاهدان", "در زاهدان به دنیا آمد") says where someone or
something comes from or sits, not where the story happens. A visit's destination ("during his
trip to Quetta", "کوئٹہ کے دورے") is a venue too. Persian agency copy opening "به گزارش خبرگزاری
فارس از زاهدان،" gives a dateline.
Each role multiplies the mention's weight (DATELINE_FACTOR, LIST_FACTOR, VENUE_FACTOR, ORIGIN_FACTOR) - a list only when fewer
than half its items are the topic's own (a list of Balochistan's districts is coverage of
Balochistan); the topic's score, the sum of its mentions' weights, must then reach its min_score.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

COVERAGE_WEIGHT = (
    1.0  # added when at least COVERAGE_SHARE of the text's sentences mention the topic
)
COVERAGE_SHARE = 0.5
COVERAGE_WINDOW = 12  # words either side of a mention that concern it
DATELINE_FACTOR = 0.0
ORIGIN_FACTOR = 0.5
VENUE_FACTOR = 0.5
ROUTE_FACTOR = 0.5
LIST_FACTOR = 0.25
LIST_MIN_ITEMS = 3
LIST_OWN_SHARE = 0.5  # a list at least this much the topic's own counts in full
LIST_ITEM_WORDS = 4  # an item of a list is at most this many words
LIST_REACH = 300  # characters either side of a mention searched for its list
AND_CHAIN_MIN_ITEMS = 4  # "Karachi and Gwadar and Chabahar and Bandar Abbas": a list without commas
ALONE_FACTOR = 0.25  # the topic's one mention, with nothing else in the text about it
_VENUE_REACH = 40  # characters before a mention searched for a venue ("a meeting held in")
_ORIGIN_REACH = 30  # ... for an origin ("a resident of")
_ROUTE_REACH = 20  # ... for a route ("via")

# "QUETTA:", "QUETTA, Mar 13 (APP):", "URUMQI (China), Oct 20 (APP):", "کوئٹہ (ویب ڈیسک):"
_DATELINE_TAIL = re.compile(
    r"[^\S\n]*(?:[,(\-–—][^\n:.!?؟۔]{0,40})?[:：]"
    # wire copy: "QUETTA, Pakistan (Reuters) -", "QUETTA (AP) —"
    r"|(?:,[^\S\n]*[^\W\d][^\n:.!?()]{0,25})?[^\S\n]*\([^()\n]{1,30}\)[^\S\n]*[-–—]"
    # Urdu agencies and desks: "کوئٹہ (این این آئی)", "کوئٹہ (نامہ نگار)"
    r"|[^\S\n]*\([^()\n]{0,12}(?:ویب ڈیسک|نیوز ڈیسک|مانیٹرنگ ڈیسک|نمائندہ|نامہ نگار|خبر نگار"
    r"|این این آئی|اے پی پی|آن لائن|ثنا نیوز|آئی این پی|پی پی آئی|اسٹاف رپورٹر)[^()\n]{0,12}\)"
)
# Persian agency copy opens "به گزارش خبرگزاری فارس از زاهدان،" (Fars reports from Zahedan) or
# "به گزارش خبرنگار ایرنا در چابهار،": where the story was filed, as "QUETTA:" in English.
_FA_DATELINE_HEAD = re.compile(
    r"\s*به\s+گزارش\s+(?:[^\s،,.:]+\s+){0,6}(?:از|در)\s+(?:شهر\s+|استان\s+)?"
)
_FA_DATELINE_REACH = 80  # characters of a line before the mention such an opening may take
_FA_DATELINE_TAIL = re.compile(r"\s*[،,]|\s+به\s+نقل")
# "a resident of Quetta", "hailing from Quetta": where someone comes from, not where the story
# happens ("residents of Quetta protested" is the story).
_ORIGIN_BEFORE = re.compile(
    r"(?:\b(?:a|the|was|is) (?:resident|native) of|\bhail(?:s|ed|ing)? from|\bbelong(?:s|ed|ing)? to"
    r"|\bborn (?:and (?:raised|brought up) )?in|\bgrew up in"
    r"|(?<!\w)(?:اهل|زاده|متولد|مستقر در|ساکن|بومی|تعلق))"
    r"\s+(?:the\s+)?(?:شهر\s+|استان\s+)?$",
    re.IGNORECASE,
)
# "a meeting held in Quetta", "Iran's Consul General in Quetta": where people met or an envoy sits.
_VENUE_BEFORE = re.compile(
    r"(?:\b(?:held|hosted|convened|organised|organized|chaired)"
    r"|\b(?:meeting|ceremony|seminar|conference|workshop|summit|moot)|\bconsul(?:ate)?"
    r"(?: general)?(?: of \w+)?|\bsub-missions?|\bembassy|\bhigh commission)\s+(?:in|at)\s+"
    r"(?:the\s+)?$"
    # "during his trip to Quetta": where someone went, not what happened there
    r"|\b(?:his|her|their|its|a|the)\s+(?:\w+\s+)?(?:trip|visit|tour|journey)\s+to\s+$"
    # Persian: "سرکنسول ایران در کویته", "کنسولگری پاکستان در زاهدان", "نشستی در زاهدان"
    r"|(?<!\w)(?:سرکنسول|کنسول|کنسولگری|سرکنسولگری|سفارت|نشست|همایش|اجلاس)(?:ی)?"
    r"(?:\s+[^\s,،.]+){0,3}\s+در\s+(?:شهر\s+)?$",
    re.IGNORECASE,
)
# "(39) from Naseerabad", "(aged 45) from Karak": a person's hometown in a roll of names
_ORIGIN_AGE = re.compile(r"\(\s*(?:aged\s+)?\d{1,3}\s*(?:years?)?\s*\),?\s+from\s+$", re.IGNORECASE)
_ORIGIN_LEAD = re.compile(r"\)\s*,?\s+from\s+(?:[A-Z][\w'.-]*\s+){0,2}$")
_ORIGIN_ITEM = re.compile(r"\)\s*,?\s+from\s+([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,2})")
# "projects such as CPEC", "groups like the SCO and BRI", "including in CPEC projects", Persian
# "گروه‌هایی مانند جیش العدل", Urdu "مثلاً": an example, given before the list it heads.
_EXAMPLE_CUE = re.compile(
    r"(?:\bsuch as|\blike|\bincluding(?: in)?|\be\.g\.,?|\bnamely|\bas well as"
    r"|(?<!\w)(?:مانند|مثل|همچون|نظیر|از جمله|جیسے کہ|مثلاً|مثلا|بشمول|بشمولیت))\s+"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
# what may stand between the cue and the mention: earlier items of the same list
_LIST_ITEM = r"(?:[^\s,،;؛.!?؟۔:()]+\s+){0,3}[^\s,،;؛.!?؟۔:()]+"
_LIST_JOINT = r"\s*(?:[,،]\s*(?:(?:and|or|اور|و|یا)\s+)?|\s(?:and|or|&|اور|و|یا)\s+)(?:the\s+)?"
_EXAMPLE_RUN = re.compile(rf"(?:{_LIST_ITEM}{_LIST_JOINT}){{0,5}}$", re.IGNORECASE)
_NEXT_WORD = re.compile(r"(?:\s+[^\s,،;؛.!?؟۔:()]+){1,2}")
# Urdu puts the cue after the list: "بی ایل اے اور بی ایل ایف جیسی تنظیمیں" (groups like ...)
_EXAMPLE_AFTER = re.compile(
    rf"(?:{_LIST_JOINT}{_LIST_ITEM}){{0,5}}\s+(?:جیسی|جیسے|جیسا|و غیره|وغیرہ|وغیره)(?!\w)",
    re.IGNORECASE,
)
# "استان خوزستان: ... استان زنجان: ...", "Sindh: 13,695; Balochistan: 456": labelled entries.
_ENTRY_TAIL = re.compile(r"(?:[^\S\n]+[^\s:：.!?؟۔,،()]+){0,3}[^\S\n]*[:：]")
_ENTRY = re.compile(
    r"(?:^|(?<=[\n)\]؛;.]))[^\S\n]*((?:[^\s:：.!?؟۔,،()]+[^\S\n]+){0,3}[^\s:：.!?؟۔,،()]+)"
    r"[^\S\n]*[:：]"
)
ENTRY_MIN_ITEMS = 3
_ENTRY_TAIL_REACH = 60  # characters after a mention searched for its entry's colon
# Urdu "کوئٹہ میں منعقدہ اجلاس", Persian "... در زاهدان برگزار شد": where a meeting was held
_VENUE_AFTER = re.compile(
    r"\s*(?:میں|مں)\s+(?:منعقد|منعقدہ|ہونے والے اجلاس|ہونے والی میٹنگ)"
    r"|\s+(?:برگزار\s+(?:شد|شده|می\s*شود|خواهد)|میزبان)"
    # Urdu "کوئٹہ کے دورے کے دوران" (during a visit to Quetta)
    r"|\s+(?:کے|کا)\s+(?:دورے|دورہ)(?!\w)"
)
# "Balochistan-based groups", "a Quetta-based journalist", "کوئٹہ میں مقیم", "کوئٹہ میں پیدا ہونے
# والے": what someone or something is by where it sits, not news of the place.
_ORIGIN_AFTER = re.compile(
    r"\s*(?:کے|کی)\s+(?:رہائشی|رہنے والے|باشندے)|\s*سے تعلق|[-‐‑–]based\b"
    r"|\s*میں\s+(?:مقیم|پیدا)"
    # Persian "در زاهدان به دنیا آمد" (was born in Zahedan)
    r"|\s+(?:به\s+دنیا\s+(?:آمد|آمده)|متولد\s+(?:شد|شده))",
    re.IGNORECASE,
)
_SENTENCE_MARKS = ".!?؟۔\n"
_SENTENCE_PUNCT = frozenset(_SENTENCE_MARKS)
_SENTENCE_END = re.compile(rf"[{re.escape(_SENTENCE_MARKS)}]+(?=\s|$)|\n")
_SEPARATOR = re.compile(
    r"\s*(?:[,،;؛]\s*(?:(?:and|or|اور|و|یا)\s+)?|\s(?:and|or|&|اور|و|یا)\s+)\s*", re.IGNORECASE
)
# What every _SEPARATOR match holds: a comma or semicolon, or whitespace and an "and" word with
# whitespace after it. Searching for these skips the letters in C, where _SEPARATOR, which may
# start with whitespace, is tried at every character (see separator_spans).
_SEPARATOR_ANCHOR = re.compile(r"[,،;؛]|\s(?:and|or|&|اور|و|یا)\s", re.IGNORECASE)
_COMMA = re.compile(r"[,،]")
_AND = re.compile(r"(?<!\w)(?:and|or|&|اور|و|یا)(?!\w)", re.IGNORECASE)
_ASIDE = re.compile(
    r"\s*(?:particularly|especially|notably|mainly|mostly|namely|i\.e\.|e\.g\.)\b"
    r"|\s*(?:خاص طور پر|خصوصاً|خصوصا|بالخصوص|به ویژه|بویژه|به خصوص|بخصوص|مخصوصا)(?!\w)",
    re.I,
)
# Lower-case words that still make a place item: "north and eastern Balochistan, upper Sindh"
_QUALIFIERS = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upper",
        "lower",
        "coastal",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
    ]
)
_TRAILING = " \t\n)]\"'”’"
_PARENS = re.compile(r"\([^()]*\)")  # "the Balochistan Liberation Army (BLA)" is one item
# A clause or a time is no item of a list of names: "in Siravan, Iran, early on Thursday, the
# Foreign Office said, adding ..." is a sentence's asides, not a list of five.
_NOT_AN_ITEM = re.compile(
    r"\b(?:said|says|told|added|stated|reported|announced|claimed|confirmed"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tonight)\b",
    re.I,
)


def is_dateline(original: str, start: int, end: int, body_start: int) -> bool:
    """The mention opens a line of the body and a colon follows it within a few words, or a
    wire agency in brackets and a dash ("QUETTA (Reuters) -"), or an Urdu agency or desk in
    brackets ("کوئٹہ (این این آئی)"); the name's own acronym in brackets is no agency."""
    if start < body_start:
        return False  # a title has no dateline
    line_start = original.rfind("\n", 0, start) + 1
    line_start = max(line_start, body_start)
    if start - line_start >= _FA_DATELINE_REACH and not original[line_start].isspace():
        return False  # words before it on its line, too many for a Persian agency's (speed)
    if original[line_start:start].strip():
        # Persian: "به گزارش خبرگزاری فارس از زاهدان،"
        return bool(
            start - line_start < _FA_DATELINE_REACH
            and _FA_DATELINE_HEAD.fullmatch(original, line_start, start)
            and _FA_DATELINE_TAIL.match(original, end)
        )
    tail = _DATELINE_TAIL.match(original, end)
    if tail is None:
        return False
    # "Balochistan Liberation Army (BLA) - ...": the name's own acronym, not a wire agency
    initials = "".join(w[0] for w in original[start:end].split()).lower()
    return not any(
        p.group()[1:-1].replace(" ", "").replace(".", "").lower() == initials
        for p in _PARENS.finditer(tail.group())
    )


def is_origin(original: str, start: int, end: int, cue: bool = True) -> bool:
    """The mention says where a person comes from ("a resident of Quetta", "Sepoy Nawab (30)
    from Quetta"). Without a `cue` (see has_cue) the words before it are not searched."""
    if cue:
        before = original[max(0, start - _ORIGIN_REACH) : start]
        if _ORIGIN_BEFORE.search(before) or _ORIGIN_AGE.search(before):
            return True
    return bool(_ORIGIN_AFTER.match(original, end))


# "smuggled from Quetta to Punjab", "enter Iran via Taftan": a stop on someone's way, not the scene
_ROUTE_BEFORE = re.compile(
    r"(?:\b(?:via|through)\s+(?:the\s+)?"
    r"|(?<!\w)(?:از طریق|از مسیر|از راه|براستہ|بذریعہ)\s+(?:(?:بندر|شهر|شہر)\s+)?)$",
    re.IGNORECASE,
)
# Urdu "چمن کے راستے" (via Chaman), Persian "بندر چابهار هم یکی از مسیرهای آن است" (one of its routes)
_ROUTE_AFTER = re.compile(
    r"\s+(?:کے راستے|کے ذریعے)(?!\w)|\s+(?:(?:هم|نیز)\s+)?(?:یکی از\s+)?(?:مسیر|گذرگاه)"
)
_FROM_BEFORE = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_TO_AFTER = re.compile(r"\s+to\s+(?:the\s+)?[A-Z]")
# "... where Zahedan will be its first stop"
_STOP_AFTER = re.compile(
    r"\s+(?:will be |is |was |as )?(?:its |the |a )?(?:first |next |last |final |main )?"
    r"(?:stop|stopover|halt|transit point)\b",
    re.IGNORECASE,
)


def is_route(original: str, start: int, end: int, cue: bool = True) -> bool:
    """The mention is a stop on a way ("from Quetta to Punjab", "via Taftan", "Zahedan will be
    its first stop"). Without a `cue` (see has_cue) the words before it are not searched."""
    before = original[max(0, start - _ROUTE_REACH) : start] if cue else ""
    if (
        (cue and _ROUTE_BEFORE.search(before))
        or _STOP_AFTER.match(original, end)
        or _ROUTE_AFTER.match(original, end)
    ):
        return True
    return bool(cue and _FROM_BEFORE.search(before) and _TO_AFTER.match(original, end))


# Every pattern of the words right after a mention that is/venue/origin/route read, as one: when
# none matches there (most mentions), those roles are decided without trying each (speed). Built
# from the patterns themselves, so it stays in step when one is edited. (_ENTRY_TAIL, which may
# read three long words, is bounded by entry_items and gated by may_entry instead.)
_AFTER_PATTERNS = (_VENUE_AFTER, _ORIGIN_AFTER, _STOP_AFTER, _ROUTE_AFTER)
_AFTER_ANY = re.compile(
    "|".join(f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})" for p in _AFTER_PATTERNS)
)


def may_follow(original: str, end: int) -> bool:
    """Whether any pattern of the words after a mention (_AFTER_PATTERNS) matches at `end`;
    when not, is_venue, is_origin and is_route need not read after it."""
    return _AFTER_ANY.match(original, end) is not None


def may_entry(original: str, end: int, ceil: int) -> bool:
    """Whether a colon follows within the reach of entry_items' _ENTRY_TAIL: without one the
    mention heads no labelled entry, and that pattern need not be tried (speed)."""
    hi = min(ceil, end + _ENTRY_TAIL_REACH)
    return original.find(":", end, hi) >= 0 or original.find("：", end, hi) >= 0


# The last word each pattern of the words before a mention can end with (_VENUE_BEFORE,
# _ORIGIN_BEFORE, _ORIGIN_AGE, _ROUTE_BEFORE, _FROM_BEFORE), as _cue_key writes it: after any
# other word those searches cannot match and are skipped, the most frequent case by far (speed).
# Keep in step with the patterns: tests/test_matcher_shortcuts.py checks them against it.
_CUE_WORDS = frozenset(
    ["in", "at", "the", "of", "from", "to", "via", "through"]
    + ["در", "شهر", "استان", "اهل", "زاده", "متولد", "ساکن", "بومی", "تعلق"]
    + ["طریق", "مسیر", "راه", "براستہ", "بذریعہ", "بندر", "شہر"]
)
_CUE_MAX = max(len(w) for w in _CUE_WORDS)
_CUE_REACH = (_VENUE_REACH, _ORIGIN_REACH, _ROUTE_REACH)
_CUE_LOOK = max(_CUE_REACH)
_CUE_NEAR = min(_CUE_REACH)
_LAST_WORD = re.compile(r"\w+\Z")


def _cue_key(word: str) -> str:
    """A word as IGNORECASE compares it: "İn" and "ın" match "in"."""
    if not word.isascii():
        word = word.replace("İ", "i").replace("ı", "i").replace("ſ", "s").replace("K", "k")
    return word.lower()


def has_cue(original: str, start: int) -> bool:
    """Whether one of the patterns of the words before a mention could match before `start`:
    they all end with one of _CUE_WORDS and whitespace. The word is taken as each pattern's
    window would cut it (a word cut by the window's start is a word of its own there)."""
    lo = max(0, start - _CUE_LOOK)
    stop = start
    while stop > lo and original[stop - 1].isspace():
        stop -= 1
    if stop == start:
        return False  # every pattern ends with whitespace
    found = _LAST_WORD.search(original, max(lo, stop - _CUE_MAX - 1), stop)
    if found is None:
        return False
    if found.start() >= start - _CUE_NEAR:
        return _cue_key(found.group()) in _CUE_WORDS  # every window holds the whole word
    for reach in _CUE_REACH:
        word = original[max(found.start(), start - reach) : stop]
        if word and _cue_key(word) in _CUE_WORDS:
            return True
    return False


class Sentences:
    """Where the sentences of one text end, found once: every mention's role asks for the
    sentence around it, and scanning a window of the text each time cost more than all the rest
    of the role (speed; the answers are exactly those of _SENTENCE_END within that window).

    A _SENTENCE_END match can end at e when original[e - 1] is sentence punctuation followed by
    whitespace or the end of the text, or a newline (found for the whole text at once); at
    a window's own end, where `$` matches, the punctuation alone is enough. Also keeps the list
    separators of each sentence window (list_items asks the same window for every mention)."""

    __slots__ = ("original", "_all", "_pieces")

    def __init__(self, original: str):
        self.original = original
        self._all: list[int] | None = None
        self._pieces: dict[tuple[int, int], tuple] = {}

    def _ends(self) -> list[int]:
        """Where matches can end, in order: after sentence punctuation followed by whitespace or
        the text's end, and after a newline. Found for the whole text when a mention first asks
        (a text's mentions ask all over it); each punctuation character with str.find, several
        times faster than a pattern whose class holds non-ASCII characters."""
        found = self._all
        if found is None:
            original = self.original
            size = len(original)
            found = []
            for mark in _SENTENCE_PUNCT:
                at = original.find(mark)
                while at != -1:
                    at += 1
                    if mark == "\n" or at == size or original[at].isspace():
                        found.append(at)
                    at = original.find(mark, at)
            found.sort()
            self._all = found
        return found

    def start_after(self, lo: int, start: int) -> int:
        """The end of the last _SENTENCE_END match in original[lo:start], or lo: where the
        sentence holding `start` begins, looking no further back than lo."""
        if start > lo and self.original[start - 1] in _SENTENCE_PUNCT:
            return start  # punctuation right before the window's end ends a match there
        # the last end e with lo < e < start, on a character from lo to start - 2
        if start - 2 < lo:
            return lo
        ends = self._all if self._all is not None else self._ends()
        i = bisect_left(ends, start) - 1
        if i >= 0 and ends[i] > lo:
            return ends[i]
        return lo

    def stop_within(self, end: int, hi: int) -> int:
        """The start of the first _SENTENCE_END match in original[end:hi], or hi: where the
        sentence holding `end` stops, looking no further ahead than hi."""
        original = self.original
        last = min(hi, len(original))
        if last <= end:
            return hi
        # the first end e with end < e < last, on a character from end to last - 2
        ends = self._all if self._all is not None else self._ends()
        i = bisect_right(ends, end)
        if i < len(ends) and ends[i] < last:
            at = ends[i] - 1  # the first run of punctuation that can end a match
        elif original[last - 1] not in _SENTENCE_PUNCT:
            return hi
        else:
            at = last - 1  # a run cut by the window's end ends a match there
        while at > end and original[at - 1] in _SENTENCE_PUNCT:
            at -= 1  # the match starts where its run does (or where the window does)
        return at

    def pieces(self, lo: int, hi: int, start: int, end: int) -> tuple[list, list, dict] | None:
        """original[lo:hi] cut at list separators (but those inside the mention itself: "Sistan
        and Baluchestan"): (pieces as spans, the separator after each, a memo for list_items),
        or None when they cannot make a list (_may_list). Kept per window: the mentions of one
        sentence share it."""
        cut = self._pieces.get((lo, hi))
        if cut is None:
            spans = separator_spans(self.original, lo, hi)
            whole: tuple[list, list, dict] | None = None
            if len(spans) + 1 >= min(LIST_MIN_ITEMS, AND_CHAIN_MIN_ITEMS):  # pieces <= spans + 1
                pieces, seps = _cut(self.original, lo, hi, spans, -1, -1)
                whole = (pieces, seps, {}) if _may_list(pieces, seps) else None
            cut = self._pieces[(lo, hi)] = (spans, [b for _a, b in spans], whole)
        spans, ends, whole = cut
        if whole is None and len(spans) + 1 < min(LIST_MIN_ITEMS, AND_CHAIN_MIN_ITEMS):
            return None  # too few pieces, with or without the mention's own separators
        # the first separator that ends after the mention starts (they are sorted and apart)
        i = bisect_right(ends, start)
        if i < len(spans) and spans[i][0] < end:  # a separator inside the mention
            pieces, seps = _cut(self.original, lo, hi, spans, start, end)
            return (pieces, seps, {}) if _may_list(pieces, seps) else None
        return whole

    def span(self, start: int, end: int, floor: int, ceil: int) -> tuple[int, int]:
        return self.start_after(floor, start), self.stop_within(end, ceil)


def separator_spans(original: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The spans of _SEPARATOR.finditer(original, lo, hi), found from their anchors: a match
    starts where the whitespace before its anchor does (no earlier match can start), and is
    the pattern's own match from there."""
    spans: list[tuple[int, int]] = []
    at = lo
    while True:
        anchor = _SEPARATOR_ANCHOR.search(original, at, hi)
        if anchor is None:
            return spans
        start = anchor.start()
        while start > at and original[start - 1].isspace():
            start -= 1
        found = _SEPARATOR.match(original, start, hi)
        if found is None:  # an anchor the pattern does not take: let the pattern decide
            return spans + [m.span() for m in _SEPARATOR.finditer(original, at, hi)]
        spans.append(found.span())
        at = found.end()


def _cut(original: str, lo: int, hi: int, spans, start: int, end: int) -> tuple[list, list]:
    """original[lo:hi] cut at the separator spans: (pieces, the separator text after each)."""
    pieces: list[tuple[int, int]] = []
    seps: list[str] = []
    last = lo
    for a, b in spans:
        if a < end and b > start:
            continue  # a separator inside the mention itself ("Sistan and Baluchestan")
        if original[last:a].strip():
            pieces.append((last, a))
            seps.append(original[a:b])
        elif seps:
            seps[-1] += original[a:b]
        last = b
    if original[last:hi].strip():
        pieces.append((last, hi))
    return pieces, seps


def _may_list(pieces: list, seps: list[str]) -> bool:
    """What any list needs (list_items, _and_chain): enough pieces, and a comma or enough "and"s
    between them. Most sentences fail it, and are then not looked at item by item (speed)."""
    if len(pieces) < min(LIST_MIN_ITEMS, AND_CHAIN_MIN_ITEMS):
        return False
    if any(_COMMA.search(sep) for sep in seps):
        return True
    return sum(1 for sep in seps if _AND.search(sep)) >= AND_CHAIN_MIN_ITEMS - 1


def sentence_span(
    original: str, start: int, end: int, floor: int, ceil: int, sentences: Sentences | None = None
) -> tuple[int, int]:
    """The bounds of the sentence a mention stands in."""
    return (sentences or Sentences(original)).span(start, end, floor, ceil)


def origin_items(
    original: str,
    start: int,
    end: int,
    floor: int,
    ceil: int,
    sentences: Sentences | None = None,
) -> list[tuple[int, int]]:
    """The hometowns of a roll of names ("Havildar Sohrab Khan (39) from Naseerabad, Sepoy
    Nawab (30) from Quetta, ..."), as spans, when the mention is one of three or more."""
    if not _ORIGIN_LEAD.search(original, max(floor, start - 60), start):
        return []  # not a hometown after "(30) from": no roll to look for (speed)
    # the roll's sentence, looked for near the mention only: scanning from the start of the
    # text for every mention made long texts with many mentions quadratic
    near_floor = max(floor, start - 2 * LIST_REACH)
    lo, hi = sentence_span(
        original, start, end, near_floor, min(ceil, end + 2 * LIST_REACH), sentences
    )
    return _run_holding(_ORIGIN_ITEM, original, lo, hi, start, end, LIST_MIN_ITEMS)


def example_end(original: str, start: int, end: int, sentences: Sentences | None = None) -> int:
    """Where the example phrase ends when the mention is given as an example, alone or as one
    item of the examples a cue heads ("projects such as CPEC", "platforms like the SCO and BRI",
    "گروه‌هایی مانند جیش العدل", "بی ایل اے اور بی ایل ایف جیسی تنظیمیں"); 0 when it is not."""
    lo = (sentences or Sentences(original)).start_after(max(0, start - 120), start)
    cues = list(_EXAMPLE_CUE.finditer(original, lo, start))
    if cues and _EXAMPLE_RUN.fullmatch(original, cues[-1].end(), start):
        return end
    after = _EXAMPLE_AFTER.match(original, end, min(len(original), end + 120))
    if after is None:
        return 0
    noun = _NEXT_WORD.match(original, after.end())  # "... جیسی کالعدم تنظیمیں": what they are
    return noun.end() if noun else after.end()


def entry_items(
    original: str, start: int, end: int, floor: int, ceil: int
) -> list[tuple[int, int]]:
    """The labels of a run of labelled entries ("استان خوزستان: ... استان زنجان: ...") the
    mention heads one of, as spans; [] unless the run has ENTRY_MIN_ITEMS entries or more."""
    if not _ENTRY_TAIL.match(original, end, min(ceil, end + _ENTRY_TAIL_REACH)):
        return []
    lo = max(floor, start - LIST_REACH)
    hi = min(ceil, end + LIST_REACH)
    return _run_holding(_ENTRY, original, lo, hi, start, end, ENTRY_MIN_ITEMS)


def _run_holding(
    item: re.Pattern, original: str, lo: int, hi: int, start: int, end: int, min_items: int
) -> list[tuple[int, int]]:
    """The spans of `item`'s first group in [lo, hi) when there are at least `min_items` and one
    holds the mention; [] otherwise."""
    items = [m.span(1) for m in item.finditer(original, lo, hi)]
    if len(items) < min_items or not any(a <= start and end <= b for a, b in items):
        return []
    return items


def is_venue(original: str, start: int, end: int, cue: bool = True) -> bool:
    """The mention says where a meeting was held or an envoy sits ("held in Quetta"). Without a
    `cue` (see has_cue) the words before it are not searched."""
    if cue and _VENUE_BEFORE.search(original[max(0, start - _VENUE_REACH) : start]):
        return True
    return bool(_VENUE_AFTER.match(original, end))


def list_items(
    original: str,
    start: int,
    end: int,
    floor: int,
    ceil: int,
    sentences: Sentences | None = None,
) -> list[tuple[int, int]]:
    """The items of the list a mention stands in, as spans ([] when it is not in a list).

    The sentence is cut at separators; pieces of at most LIST_ITEM_WORDS words next to the
    mention's make a run, and a longer piece at either end of the run adds one item (its last or
    first words: "commissioners of Punjab, Sindh, ..."). A mention that ends a long piece heads a
    run to its right ("snowfall over hills for Balochistan, upper Sindh, Islamabad"), one that
    starts it closes a run to its left. A list has LIST_MIN_ITEMS items or more, a comma, and an
    "and"/"or" or two short items; an aside ("Balochistan, particularly Gwadar,") is no item."""
    if sentences is None:
        sentences = Sentences(original)
    lo = sentences.start_after(max(floor, start - LIST_REACH), start)
    hi = sentences.stop_within(end, min(ceil, end + LIST_REACH))
    cut = sentences.pieces(lo, hi, start, end)
    if cut is None:
        return []
    pieces, seps, memo = cut
    here = bisect_right(pieces, (start, len(original))) - 1
    if here < 0 or end > pieces[here][1] or len(pieces) < 2:
        return []

    def short(i: int) -> bool:
        """A list item: a few words, not an aside, a name (capitalised) in cased scripts."""
        found = memo.get(i)
        if found is None:
            text = original[pieces[i][0] : pieces[i][1]]
            if "(" in text:
                text = _PARENS.sub(" ", text)
            words = text.split()
            found = (
                len(words) <= LIST_ITEM_WORDS
                and not _ASIDE.match(text)
                and not _NOT_AN_ITEM.search(text)
                and any(
                    not w[0].islower() or w.lower() in _QUALIFIERS for w in words if w[0].isalpha()
                )
            )
            memo[i] = found
        return found

    def joined_by_and(i: int) -> bool:
        return bool(_AND.search(seps[i]))

    a, b = pieces[here]
    left_ok = right_ok = short(here)
    if not left_ok:
        right_ok = not original[end:b].strip(_TRAILING)  # the mention ends its piece
        left_ok = not original[a:start].strip()  # the mention starts its piece
        if not (left_ok or right_ok):
            return []
    first = last_ = here
    if left_ok:
        while first > 0 and short(first - 1):
            first -= 1
        if first > 0:
            first -= 1  # the longer piece that opens the list ("... commissioners of Punjab")
    if right_ok:
        # "A, B and C": the piece after an "and" is the last item
        while last_ < len(pieces) - 1 and not any(joined_by_and(i) for i in range(first, last_)):
            last_ += 1
            if not short(last_):
                break
    shorts = sum(1 for i in range(first, last_ + 1) if short(i))
    joints = seps[first:last_]
    items = last_ - first + 1
    if items < LIST_MIN_ITEMS or not any(_COMMA.search(j) for j in joints):
        return _and_chain(pieces, seps, here, short)
    if shorts < 2 and not any(_AND.search(j) for j in joints):
        return []
    return pieces[first : last_ + 1]


def _and_chain(pieces, seps, here, short) -> list[tuple[int, int]]:
    """Short items joined by "and" alone ("Karachi and Gwadar and Chabahar and Bandar Abbas
    ports"): a list once it has AND_CHAIN_MIN_ITEMS items, a longer piece opening it included."""
    if not short(here):
        return []
    first = last = here
    while first > 0 and _AND.search(seps[first - 1]) and not _COMMA.search(seps[first - 1]):
        first -= 1
        if not short(first):
            break
    while (
        last < len(pieces) - 1
        and _AND.search(seps[last])
        and not _COMMA.search(seps[last])
        and short(last + 1)
    ):
        last += 1
    if last - first + 1 < AND_CHAIN_MIN_ITEMS:
        return []
    return pieces[first : last + 1]


def own_share(items: list[tuple[int, int]], mentions: list[tuple[int, int]]) -> float:
    """The share of a list's items that hold a mention of the topic itself."""
    own = sum(1 for a, b in items if any(a <= s and e <= b for s, e in mentions))
    return own / len(items) if items else 0.0


# "ISLAMABAD:", "KARACHI, Mar 3:" opening a line: where a story starts after a standfirst
_DATELINE_LINE = re.compile(r"(?m)^[^\S\n]*[A-Z][A-Z .'-]{2,30}(?:,[^\n:]{0,30})?:[^\S\n]")
LEAD_SEARCH = 1500  # characters of a text searched for a dateline that opens the story


def lead_chars(original: str, text_start: int, lead: int) -> int:
    """How many characters of the text weigh as its lead: `lead`, or, when a dateline line starts
    the story after a standfirst (Dawn's bullet points before "ISLAMABAD: ..."), up to the end of
    the sentence that dateline opens: the story's first sentence is its lead wherever it stands."""
    found = _DATELINE_LINE.search(original, text_start + 1, text_start + min(LEAD_SEARCH, lead * 3))
    if found is None or found.start() - text_start < lead // 2:
        return lead
    stop = _SENTENCE_END.search(original, found.end(), found.end() + lead)
    end = stop.start() if stop else found.end() + lead
    return max(lead, end - text_start)
