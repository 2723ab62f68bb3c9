"""Dates a page shows rather than declares: in its URL, in <time> elements, in its visible text.

Used when the page's metadata (JSON-LD, <meta>, microdata) gives no date: what a reader sees is a
better guess than htmldate's search through every attribute, which often lands on a copyright year
or a related article's date.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from lxml import etree
from mediawatch.scrapers.extract_clean import parse_date

T = TypeVar("T")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# full month names of the other languages the monitored press writes in most (de, fr, es, it, pt, nl)
_FOREIGN_MONTHS = (
    ("januar", "janvier", "enero", "gennaio", "janeiro", "januari"),
    ("februar", "février", "febrero", "febbraio", "fevereiro", "februari"),
    ("märz", "mars", "marzo", "março", "maart"),
    ("avril", "abril", "aprile"),
    ("mai", "mayo", "maggio", "maio", "mei"),
    ("juni", "juin", "junio", "giugno", "junho"),
    ("juli", "juillet", "julio", "luglio", "julho"),
    ("août", "agosto", "augustus"),
    ("septembre", "septiembre", "setiembre", "settembre", "setembro"),
    ("oktober", "octobre", "octubre", "ottobre", "outubro"),
    ("novembre", "noviembre", "novembro"),
    ("dezember", "décembre", "diciembre", "dicembre", "dezembro"),
)
_MONTHS.update(
    (name, number) for number, names in enumerate(_FOREIGN_MONTHS, start=1) for name in names
)
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(\d{{4}})\b", re.I
)
_FOREIGN_MONTH = "(" + "|".join(name for names in _FOREIGN_MONTHS for name in names) + ")"
_DAY_MONTH_YEAR_FOREIGN = re.compile(  # '17. Mai 2021', '3 de mayo de 2024', '12 août 2025'
    rf"\b(\d{{1,2}})\.?(?:er)?\s+(?:de\s+)?{_FOREIGN_MONTH},?\s+(?:de\s+)?(\d{{4}})\b", re.I
)
# 04-Aug-2021, 12-ago-2021: a day, a month's short name and a year joined by dashes (a CMS's
# stamp, in English or in the short names of the other languages above)
_SHORT_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "ene", "gen", "janv"),
            ("feb", "fév", "fev", "févr"),
            ("mar", "mär", "mrz"),
            ("apr", "abr", "avr"),
            ("may", "mai", "mag", "mei"),
            ("jun", "giu", "juin"),
            ("jul", "lug", "juil"),
            ("aug", "ago", "aoû"),
            ("sep", "sept", "set"),
            ("oct", "okt", "ott", "out"),
            ("nov",),
            ("dec", "dic", "dez", "déc"),
        ),
        start=1,
    )
    for name in names
}
_DASHED_DAY = re.compile(
    r"(?<![\w-])(\d{1,2})-(" + "|".join(sorted(_SHORT_MONTHS, key=len, reverse=True)) + r")\.?-"
    r"((?:19|20)\d{2})(?![\w-])",
    re.I,
)
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR_FIRST = re.compile(r"(?<![\d./])((?:19|20)\d{2})([./])(\d{1,2})\2(\d{1,2})(?![\d./]\d)")
# 17.05.2021, 2/24/2026, 05-03-2024: day and month by the separator's custom (a dot or a dash puts
# the day first, a slash the month, as in the US) unless a number over 12 says which is the day
_NUMERIC_DAY = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2((?:19|20)\d{2})(?![\d./-]\d)")
_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|$)")
_URL_MONTH_DAY = re.compile(rf"/((?:19|20)\d{{2}})/{_MONTH}/(\d{{1,2}})(?:/|[-_]|$)", re.I)
_HIDDEN = frozenset(("script", "style", "noscript", "template"))
MAX_TIME_ELEMENTS = 6
MAX_TEXT_CHARS = 200_000


def _day(year: str, month: int | str, day: str) -> datetime | None:
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    parsed = parse_date(found)
    return parsed[0] if parsed else None


def url_date(url: str | None) -> datetime | None:
    """A /YYYY/MM/DD/ path: publishers that put the day in the address put the publication day."""
    if not url:
        return None
    path = url.split("?")[0]
    found = _URL_DAY.search(path)
    if found:
        return _day(*found.groups())
    named = _URL_MONTH_DAY.search(path)  # /2023/october/03/
    return _day(named[1], _MONTHS[named[2].lower()], named[3]) if named else None


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_YEAR_LEAD = 32  # the longest text a year closes: 'September 30th, ' and the like
_YEAR_TAIL = 10  # the longest text a year opens: '-12-17', '.12.17' and what must not follow
_DATE_FORMS = (  # (pattern, group of year, of month, of day; a month by name is looked up)
    (_MONTH_DAY_YEAR, 3, 1, 2),
    (_DAY_MONTH_YEAR, 3, 2, 1),
    (_DAY_MONTH_YEAR_FOREIGN, 3, 2, 1),
    (_DASHED_DAY, 3, 2, 1),
    (_ISO_DAY, 1, 2, 3),
    (_YEAR_FIRST, 1, 3, 4),  # 2025.12.17, 2025/12/17: year first, then month
    (_NUMERIC_DAY, 4, 0, 0),  # the order of day and month is read by _numeric_day_month
)


def _numeric_day_month(match: re.Match) -> tuple[str, str]:
    """(month, day) of a _NUMERIC_DAY match."""
    first, separator, second = match[1], match[2], match[3]
    if int(first) > 12 or separator != "/" and int(second) <= 12:
        return second, first
    return first, second


def _text_dates(text: str) -> list[tuple[int, datetime, bool]]:
    """(position, day, in numbers only) of every full date in text. Only the text around each
    year is searched: the patterns over a whole page cost more than the other date rules."""
    found: dict[int, tuple[datetime, bool]] = {}
    for year in _YEAR.finditer(text):
        start = max(0, year.start() - _YEAR_LEAD)
        window = text[start : year.end() + _YEAR_TAIL]
        for pattern, y, m, d in _DATE_FORMS:
            for match in pattern.finditer(window):
                at = start + match.start()
                if at in found or at > 0 and text[at - 1].isalnum():
                    continue  # seen, or a word cut at the window's edge
                month: int | str
                if not m:
                    month, day = _numeric_day_month(match)
                else:
                    name = match[m].lower()
                    month = match[m] if name.isdigit() else _MONTHS.get(name) or _SHORT_MONTHS[name]
                    day = match[d]
                moment = _day(match[y], month, day)
                if moment:
                    found[at] = (moment, not m)
    return [(at, *found[at]) for at in sorted(found)]


# (tree, {what: value}): the date rules ask several times about one page, one page at a time
_LAST_PAGE: list = [None, {}]


def _per_page(tree, key, compute: Callable[[], T]) -> T:
    """compute(), once per page and key."""
    if _LAST_PAGE[0] is not tree:
        _LAST_PAGE[:] = [tree, {}]
    found = _LAST_PAGE[1]
    if key not in found:
        found[key] = compute()
    return found[key]


def _dates(tree, with_time_text: bool) -> list[tuple[int, datetime, bool]]:
    """_text_dates of the page's text (that of <time> elements included or not) and the text."""
    return _per_page(
        tree, ("dates", with_time_text), lambda: _text_dates(_page_text(tree)[with_time_text])
    )


def _own_times(tree) -> list:
    """The first <time> elements, those that stand alone first: a <time> marked up like several
    others (class of it and its parent) belongs to a list of other posts (related, latest)."""
    times = []
    for number, node in enumerate(tree.iter("time")):
        if number >= 2 * MAX_TIME_ELEMENTS:
            break
        parent = node.getparent()
        times.append(
            (node, (node.get("class"), parent.get("class") if parent is not None else None))
        )
    counts: dict = {}
    for _, key in times:
        counts[key] = counts.get(key, 0) + 1
    alone = [node for node, key in times if counts[key] == 1]
    listed = [node for node, key in times if counts[key] > 1]
    return (alone + listed)[:MAX_TIME_ELEMENTS]


# 'Published on 3 May 2024' names the date a reader is meant to take as the article's
_LABEL_CHARS = 40
_PUBLISHED = re.compile(
    r"(?<!last )(?:published|posted|written|created)\W*(?:on|at)?\W*$", re.I
)  # 'Last published Apr 8' is the author's latest post


def shown_date(tree, numeric: bool = False) -> tuple[datetime, bool, str] | None:
    """(moment, has_time, rule) for the date the page shows as its publication: a <time> element
    (its datetime attribute keeps the time and zone), else a full date in the visible text: the
    first one labelled 'published' or 'posted', else the first in the byline under the headline
    (numbers-only ones too: they are the byline's), else the first one. Elsewhere, dates in numbers
    only (17.05.2021, 2/24/2026) count when `numeric`: in lists of other posts they outnumber the
    article's own, so they come after htmldate's look at elements marked as dates."""
    for node in _own_times(tree):
        for value in (node.get("datetime"), " ".join(node.text_content().split())):
            if value and len(value) >= 8 and any(ch.isdigit() for ch in value):
                digits = _NUMERIC_DAY.fullmatch(value.strip())
                if digits:  # '02-12-2025': dateutil would read the month first
                    day = _day(digits[4], *_numeric_day_month(digits))
                    parsed = (day, False) if day else None
                else:
                    parsed = parse_date(value)
                if parsed:
                    return (*parsed, "time-element")
    text = _page_text(tree)[0]
    after = _headline_end(tree, text)
    plain = near = None
    for position, moment, in_numbers in _dates(tree, False):
        if after is not None and near is None and after <= position <= after + _BYLINE_CHARS:
            near = moment
        if in_numbers and not numeric:
            continue
        if _labelled(_PUBLISHED, text, position):
            return moment, False, "page-text"
        if plain is None:
            plain = moment
    if near is not None:
        return near, False, "page-byline"
    return (plain, False, "page-text") if plain is not None else None


def _labelled(label: re.Pattern, text: str, position: int) -> bool:
    """Whether the words right before a date in the page's text are `label` ('Published',
    'Updated on')."""
    return bool(label.search(text[max(0, position - _LABEL_CHARS) : position]))


_BYLINE_CHARS = 300  # a byline follows the headline closely: 'By The Currency editors 12.12.2025'


def _headline_end(tree, text: str) -> int | None:
    """Where the first <h1>'s text ends in the page's text."""
    for node in tree.iter("h1"):
        headline = " ".join(node.text_content().split())
        if len(headline) >= 10:
            at = text.find(headline)
            return at + len(headline) if at >= 0 else None
    return None


_UPDATED = re.compile(r"(?:updated|modified|revised)\W*(?:on|at)?\W*$", re.I)


def updated_date(tree) -> datetime | None:
    """The first full date (in words) the page labels as its revision ('Updated on Jul 4, 2024',
    'Last modified: 3 May 2024')."""
    text = _page_text(tree)[1]
    for position, moment, digits in _dates(tree, True):
        if not digits and _labelled(_UPDATED, text, position):
            return moment
    return None


_BYLINE_PAIR = 80  # 'Published Apr 26, 2023 Updated Aug 21, 2025': the two dates of one byline


def published_before(tree, day: date) -> datetime | None:
    """The date a byline labels as the publication when the given day follows it in the same
    byline ('Published Apr 26, 2023 · Updated Aug 21, 2025'): metadata that states the revision
    as the publication."""
    text = _page_text(tree)[1]
    found = [(position, moment) for position, moment, digits in _dates(tree, True) if not digits]
    for number, (position, moment) in enumerate(found):
        if not _labelled(_PUBLISHED, text, position):
            continue
        for later, other in found[number + 1 :]:
            if later - position > _BYLINE_PAIR:
                break
            if other.date() == day and moment.date() < day:
                return moment
    return None


def time_days(tree) -> set[date]:
    """The calendar days in <time> elements' datetime attributes (cheap: no text is read)."""
    days: set[date] = set()
    for value in tree.xpath("//time/@datetime")[: 4 * MAX_TIME_ELEMENTS]:
        parsed = parse_date(value) if _ISO_DAY.match(value.strip()) else None
        if parsed:
            days.add(parsed[0].date())
    return days


def _page_text(tree) -> tuple[str, str]:
    """(text outside <time> elements, all text) a reader sees in the body, whitespace folded."""
    return _per_page(tree, "text", lambda: _read_text(tree))


def _read_text(tree) -> tuple[str, str]:
    try:
        return _transformed_text(tree)
    except etree.Error:  # libxslt's depth limit on a pathologically nested page
        return _walked_text(tree)


# Both texts in one pass of libxslt, <time> text set off by two noncharacters: half the time of a
# walk in Python, which builds an element proxy for every node (and a fifth of XPath's ancestor
# test on every text node).
_TIME_OPEN, _TIME_CLOSE = "\ufdd0", "\ufdd1"
_TEXT_XSLT = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/"><xsl:apply-templates select="//body"/></xsl:template>
<xsl:template match="script|style|noscript|template"/>
<xsl:template match="time">{_TIME_OPEN}<xsl:apply-templates/>{_TIME_CLOSE}</xsl:template>
<xsl:template match="time[ancestor::time]"><xsl:apply-templates/></xsl:template>
<xsl:template match="text()"><xsl:value-of select="."/><xsl:text> </xsl:text></xsl:template>
</xsl:stylesheet>"""
_TIMED = re.compile(f"{_TIME_OPEN}[^{_TIME_CLOSE}]*{_TIME_CLOSE}")
_LOCAL = threading.local()  # an XSLT object per thread


def _transformed_text(tree) -> tuple[str, str]:
    transform = getattr(_LOCAL, "transform", None)
    if transform is None:
        transform = _LOCAL.transform = etree.XSLT(etree.XML(_TEXT_XSLT))
    text = str(transform(tree))
    if _TIME_OPEN in text:
        outside = _TIMED.sub(" ", text)
        text = text.replace(_TIME_OPEN, " ").replace(_TIME_CLOSE, " ")
    else:
        outside = text
    return _folded([outside]), _folded([text])


def _walked_text(tree) -> tuple[str, str]:
    """_page_text by walking the tree (its parser drops comments, whose tails a walk misses)."""
    body = tree if tree.tag == "body" else tree.find("body")
    if body is None:
        body = tree.find(".//body")
    outside: list[str] = []
    shown: list[str] = []
    hidden = timed = 0
    if body is not None:
        for event, node in etree.iterwalk(body, events=("start", "end")):
            tag = node.tag
            if event == "start":
                if tag in _HIDDEN:
                    hidden += 1
                elif tag == "time":
                    timed += 1
                value = node.text
            else:
                if tag in _HIDDEN:
                    hidden -= 1
                elif tag == "time":
                    timed -= 1
                value = node.tail if node is not body else None
            if value and not hidden:
                shown.append(value)
                if not timed:
                    outside.append(value)
    return _folded(outside), _folded(shown)


def _folded(pieces: list[str]) -> str:
    return " ".join(" ".join(pieces).split())[:MAX_TEXT_CHARS]


def shown_days(tree) -> set[date]:
    """Every calendar day the page shows: in <time> elements' datetime and in its visible text
    (the text of <time> elements included)."""
    return _per_page(tree, "days", lambda: _shown_days(tree))


def _shown_days(tree) -> set[date]:
    days = time_days(tree)
    days.update(moment.date() for _, moment, _ in _dates(tree, True))
    return days


SAME_MOMENT = timedelta(minutes=15)  # a post's <time> and its meta tag may be saved apart


def same_moment_locally(moment: datetime, stated: list) -> datetime:
    """The moment (in UTC) with the UTC offset of another value the page states for about the
    same moment ('2025-12-19T03:05Z' and <time datetime='2025-12-18T19:05-08:00'>): the same
    instant, told on the day the publisher's readers saw it."""
    for value in stated:
        if not value or len(str(value)) < 16:
            continue
        parsed = parse_date(value)
        if parsed is None or not parsed[1] or parsed[0].tzinfo is None:
            continue
        other = parsed[0]
        offset = other.utcoffset()
        if offset and abs(other - moment) <= SAME_MOMENT:
            return moment.astimezone(other.tzinfo)
    return moment
