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
_SENTENCE_END = re.compile(r"[.!?؟۔\n]+(?=\s|$)|\n")
_SEPARATOR = re.compile(
    r"\s*(?:[,،;؛]\s*(?:(?:and|or|اور|و|یا)\s+)?|\s(?:and|or|&|اور|و|یا)\s+)\s*", re.IGNORECASE
)
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


def is_dateline(original: str, start: int, end: int, body_start: int) -> bool:
    """The mention opens a line of the body and a colon follows it within a few words, or a
    wire agency in brackets and a dash ("QUETTA (Reuters) -"), or an Urdu agency or desk in
    brackets ("کوئٹہ (این این آئی)"); the name's own acronym in brackets is no agency."""
    if start < body_start:
        return False  # a title has no dateline
    line_start = original.rfind("\n", 0, start) + 1
    line_start = max(line_start, body_start)
    if original[line_start:start].strip():
        # Persian: "به گزارش خبرگزاری فارس از زاهدان،"
        return bool(
            start - line_start < 80
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


def is_origin(original: str, start: int, end: int) -> bool:
    """The mention says where a person comes from ("a resident of Quetta", "Sepoy Nawab (30)
    from Quetta")."""
    before = original[max(0, start - 30) : start]
    return bool(
        _ORIGIN_BEFORE.search(before)
        or _ORIGIN_AGE.search(before)
        or _ORIGIN_AFTER.match(original, end)
    )


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


def is_route(original: str, start: int, end: int) -> bool:
    """The mention is a stop on a way ("from Quetta to Punjab", "via Taftan", "Zahedan will be
    its first stop")."""
    before = original[max(0, start - 20) : start]
    if (
        _ROUTE_BEFORE.search(before)
        or _STOP_AFTER.match(original, end)
        or _ROUTE_AFTER.match(original, end)
    ):
        return True
    return bool(_FROM_BEFORE.search(before) and _TO_AFTER.match(original, end))


def sentence_span(original: str, start: int, end: int, floor: int, ceil: int) -> tuple[int, int]:
    """The bounds of the sentence a mention stands in."""
    lo = floor
    for m in _SENTENCE_END.finditer(original, floor, start):
        lo = m.end()
    stop = _SENTENCE_END.search(original, end, ceil)
    return lo, (stop.start() if stop else ceil)


def origin_items(
    original: str, start: int, end: int, floor: int, ceil: int
) -> list[tuple[int, int]]:
    """The hometowns of a roll of names ("Havildar Sohrab Khan (39) from Naseerabad, Sepoy
    Nawab (30) from Quetta, ..."), as spans, when the mention is one of three or more."""
    if not _ORIGIN_LEAD.search(original, max(floor, start - 60), start):
        return []  # not a hometown after "(30) from": no roll to look for (speed)
    # the roll's sentence, looked for near the mention only: scanning from the start of the
    # text for every mention made long texts with many mentions quadratic
    near_floor = max(floor, start - 2 * LIST_REACH)
    lo, hi = sentence_span(original, start, end, near_floor, min(ceil, end + 2 * LIST_REACH))
    items = [m.span(1) for m in _ORIGIN_ITEM.finditer(original, lo, hi)]
    if len(items) < LIST_MIN_ITEMS or not any(a <= start and end <= b for a, b in items):
        return []
    return items


def example_end(original: str, start: int, end: int) -> int:
    """Where the example phrase ends when the mention is given as an example, alone or as one
    item of the examples a cue heads ("projects such as CPEC", "platforms like the SCO and BRI",
    "گروه‌هایی مانند جیش العدل", "بی ایل اے اور بی ایل ایف جیسی تنظیمیں"); 0 when it is not."""
    lo = max(0, start - 120)
    for m in _SENTENCE_END.finditer(original, lo, start):
        lo = m.end()
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
    if not _ENTRY_TAIL.match(original, end, min(ceil, end + 60)):
        return []
    lo = max(floor, start - LIST_REACH)
    hi = min(ceil, end + LIST_REACH)
    items = [m.span(1) for m in _ENTRY.finditer(original, lo, hi)]
    if len(items) < ENTRY_MIN_ITEMS or not any(a <= start and end <= b for a, b in items):
        return []
    return items


def is_venue(original: str, start: int, end: int) -> bool:
    """The mention says where a meeting was held or an envoy sits ("held in Quetta")."""
    before = original[max(0, start - 40) : start]
    return bool(_VENUE_BEFORE.search(before) or _VENUE_AFTER.match(original, end))


def list_items(original: str, start: int, end: int, floor: int, ceil: int) -> list[tuple[int, int]]:
    """The items of the list a mention stands in, as spans ([] when it is not in a list).

    The sentence is cut at separators; pieces of at most LIST_ITEM_WORDS words next to the
    mention's make a run, and a longer piece at either end of the run adds one item (its last or
    first words: "commissioners of Punjab, Sindh, ..."). A mention that ends a long piece heads a
    run to its right ("snowfall over hills for Balochistan, upper Sindh, Islamabad"), one that
    starts it closes a run to its left. A list has LIST_MIN_ITEMS items or more, a comma, and an
    "and"/"or" or two short items; an aside ("Balochistan, particularly Gwadar,") is no item."""
    lo = max(floor, start - LIST_REACH)
    for m in _SENTENCE_END.finditer(original, lo, start):
        lo = m.end()
    stop = _SENTENCE_END.search(original, end, min(ceil, end + LIST_REACH))
    hi = stop.start() if stop else min(ceil, end + LIST_REACH)
    pieces: list[tuple[int, int]] = []
    seps: list[str] = []
    last = lo
    for sep in _SEPARATOR.finditer(original, lo, hi):
        if sep.start() < end and sep.end() > start:
            continue  # a separator inside the mention itself ("Sistan and Baluchestan")
        if original[last : sep.start()].strip():
            pieces.append((last, sep.start()))
            seps.append(sep.group())
        elif seps:
            seps[-1] += sep.group()
        last = sep.end()
    if original[last:hi].strip():
        pieces.append((last, hi))
    here = next((i for i, (a, b) in enumerate(pieces) if a <= start and end <= b), None)
    if here is None or len(pieces) < 2:
        return []

    memo: dict[int, bool] = {}

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
