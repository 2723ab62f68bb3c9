"""Turning raw page values into clean ones: headlines without the site name, author names, dates."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from mediawatch.times import utc_iso

# ---------------------------------------------------------------- dates

EARLIEST_YEAR = 1990
_ISO_START = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})")
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_RFC2822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T|Z))?$"
)


def _plausible(moment: datetime) -> bool:
    latest = datetime.now(UTC) + timedelta(days=2)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.year >= EARLIEST_YEAR and aware <= latest


def parse_date(value) -> tuple[datetime, bool] | None:
    """(moment, has_time) from an ISO 8601, RFC 2822, epoch or free-form date; None if implausible.

    A moment without a time zone stays naive: the caller decides what it means.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value, True) if _plausible(value) else None
    if isinstance(value, date):
        day = datetime(value.year, value.month, value.day)
        return (day, False) if _plausible(day) else None
    text = " ".join(str(value).split())
    if not text:
        return None
    moment: datetime | None = None
    has_time = True
    epoch = _EPOCH.match(text)
    if epoch:
        moment = datetime.fromtimestamp(int(epoch.group(1)), UTC)
    elif _ISO_START.match(text):
        candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
        candidate = re.sub(r"(\.\d{6})\d+", r"\1", candidate)
        candidate = re.sub(r"\s*(UTC|GMT)$", "+00:00", candidate)
        try:
            moment = datetime.fromisoformat(candidate)
            has_time = len(candidate) > 10
        except ValueError:
            moment = None
    if moment is None and _RFC2822.match(text):
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            moment = None
    if moment is None:
        moment, has_time = _free_form(text)
    if moment is None or not _plausible(moment):
        return None
    return moment, has_time


# Zone abbreviations seen in bylines and meta tags (hours from UTC); ambiguous ones (IST) by their
# most common meaning in South Asian news.
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "PKT": 5, "IST": 5.5, "NPT": 5.75, "BDT": 6, "ICT": 7, "CST": -6, "CDT": -5, "EST": -5,
    "EDT": -4, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "JST": 9, "KST": 9, "AEST": 10,
    "AEDT": 11,
}  # fmt: skip


def _free_form(text: str) -> tuple[datetime | None, bool]:
    import warnings

    from dateutil import parser as dateutil_parser

    tzinfos = {name: int(hours * 3600) for name, hours in _ZONES.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            moment = dateutil_parser.parse(
                text,
                fuzzy=True,
                default=datetime(1, 1, 1),
                tzinfos=tzinfos,
                dayfirst=bool(
                    _DOTTED.search(text)
                ),  # 06.01.2026 is 6 January wherever dots are used
            )
    except (ValueError, OverflowError, TypeError):
        return None, False
    if moment.year == 1:
        return None, False
    has_time = bool(moment.hour or moment.minute or moment.second)
    return moment.replace(microsecond=0), has_time


def local_iso(moment: datetime) -> str:
    """The moment with the offset the page gave it (Z when it gave none)."""
    if moment.tzinfo is None or moment.utcoffset() == timedelta(0):
        return utc_iso(moment)
    return moment.replace(microsecond=0).isoformat()


# ---------------------------------------------------------------- titles

# Strong separators: a site name may sit behind them. Weak ones only cut an exact site or section name.
_STRONG = re.compile(r"\s+[|\-–—·•»«~*/]\s+|\s*[|｜ǀ¦│ㅣ]\s*|\s*::\s*|\s*：\s*|\s+:\s+")
_WEAK = re.compile(r"\s*[-–—:]\s*")
_DATE_SEGMENT = re.compile(
    r"^\W*(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}|\d{1,2}\.? \w+ \d{4}|\w+ \d{1,2}, \d{4})\W*$"
)
_BYLINE_SEGMENT = re.compile(r"^(by|von|par|por|door|av|af)\s+\S+(\s+\S+){0,4}$", re.I)
_GENERIC_SITE_WORDS = {
    "news",
    "online",
    "digital",
    "web",
    "de",
    "com",
    "net",
    "org",
    "the",
    "tv",
    "at",
}


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def norm(text: str) -> str:
    """Letters and digits only, case- and accent-folded: 'Börsen-Zeitung' == 'boersen-zeitung.de'."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(ch for ch in folded if ch.isalnum())


def site_names(names, host: str | None) -> set[str]:
    """Normalised names a site goes by: declared names (without '©', years, '(www.x.com)'), the host
    and the host's main label."""
    variants: list[str] = []
    for name in names:
        if not name:
            continue
        name = name.strip().lstrip("@")
        bare = re.sub(r"^\W*(?:©|\(c\)|copyright)?\s*(?:\d{4}\s*[-–]?\s*)*", "", name, flags=re.I)
        inner = re.findall(r"\(([^)]*)\)", bare)
        bare = re.sub(r"\([^)]*\)", "", bare)
        variants += [name, bare, *inner]
        for value in (bare, *inner):
            value = value.strip().lower()
            if re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+", value):
                variants.append(value.removeprefix("www.").split(".")[0])
    if host:
        from mediawatch.scrapers.canonical import site_of

        host = host.lower().removeprefix("www.")
        registrable = site_of(
            host
        )  # 'edition.cnn.com' -> 'cnn.com', 'www.bbc.co.uk' -> 'bbc.co.uk'
        variants += [host, registrable, registrable.split(".")[0]]
    return {n for n in (norm(v) for v in variants) if len(n) >= 2}


def _is_site(segment: str, names: set[str], sections: Collection[str], strong: bool) -> bool:
    seg = norm(segment)
    if not seg:
        return True  # a separator followed by nothing
    if seg in names or seg in sections:
        return True
    if not strong:
        return False
    if _DATE_SEGMENT.match(segment.strip()) or _BYLINE_SEGMENT.match(segment.strip()):
        return True
    if len(segment.split()) > 5:
        return False
    for name in names:
        if len(name) < 4:
            continue
        if seg.startswith(name) or seg.endswith(name):
            rest = seg.replace(name, "", 1)
            if len(rest) <= 3 or rest in _GENERIC_SITE_WORDS:
                return True
    return False


def split_title(title: str) -> list[str]:
    """A title's segments at strong separators ('A | B - C' -> ['A', 'B', 'C'])."""
    return [part for part in _STRONG.split(" ".join(html.unescape(title).split())) if part.strip()]


def is_site_name(name: str, names: set[str]) -> bool:
    """True when name is the site's own name (an 'author' that says only who published it)."""
    return bool(norm(name)) and _is_site(name, names, set(), strong=True)


def _cuts(title: str) -> list[tuple[int, int, bool]]:
    cuts = [(m.start(), m.end(), True) for m in _STRONG.finditer(title)]
    strong_spans = [(s, e) for s, e, _ in cuts]
    for m in _WEAK.finditer(title):
        if not any(s <= m.start() < e for s, e in strong_spans):
            cuts.append((m.start(), m.end(), False))
    return sorted(cuts)


def _all_site(text: str, names: set[str], sections: Collection[str], strong: bool) -> bool:
    """True when every segment of text (split at strong separators) is a site name, date or byline."""
    parts = _STRONG.split(text)
    if len(parts) == 1:
        return _is_site(text, names, sections, strong)
    return all(_is_site(p, names, sections, True) for p in parts)


_MARKUP = re.compile(r"^#{1,6}\s+|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|\s+[⋆★☆✦•·|]+$")


_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # '？' -> '?', 'Ａ' -> 'A'
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _halfwidth(text: str) -> str:
    """Fullwidth letters and signs as plain ASCII outside Chinese, Japanese and Korean text: in a
    Latin headline they are an input method's leftovers ('How Does It Work？')."""
    if not any("\uff01" <= ch <= "\uff5e" for ch in text) or _CJK.search(text):
        return text
    return text.translate(_FULLWIDTH)


def clean_title(
    title: str | None, names: set[str], sections: Collection[str] = frozenset()
) -> str | None:
    """The headline without the site name, section or date that sites add before or after it."""
    if not title:
        return None
    title = " ".join(_halfwidth(html.unescape(title)).split())
    title = _MARKUP.sub("", title).strip()  # Markdown left in a title: '## Title', '*Title*'
    if not title:
        return None
    changed = True
    while changed:
        changed = False
        for start, end, strong in _cuts(title):  # leftmost cut whose whole tail is site-ish
            head, tail = title[:start].strip(), title[end:]
            if len(norm(head)) >= 2 and _all_site(tail, names, sections, strong):
                title, changed = head, True
                break
        if changed:
            continue
        for start, end, strong in reversed(_cuts(title)):  # rightmost cut whose head is site-ish
            head, tail = title[:start], title[end:].strip()
            if (
                strong
                and norm(head)
                and len(norm(tail)) >= 2
                and _all_site(head, names, sections, True)
            ):
                title, changed = tail, True
                break
    return title or None


# ---------------------------------------------------------------- authors

_PREFIX = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|reported\s+by|text\s*:|texto\s*:|autor(?:in)?\s*:|author\s*:"
    r"|by|von|por|par|door|av|af|przez|från)\s*[:\-]?\s+",
    re.I,
)
_SPLIT = re.compile(
    r"\s*(?:,|;|\||\s&\s|\s+\band\b\s+|\s+\bund\b\s+|\s+\by\b\s+|\s+\bet\b\s+|\s+\bog\b\s+"
    r"|\s+\boch\b\s+|\s+\bи\b\s+|\n)\s*",
    re.I,
)
_URL = re.compile(r"^(?:https?://|www\.)|^[\w-]+(?:\.[\w-]+)+/|\.html?\b", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_NOT_NAMES = {
    "",
    "admin",
    "administrator",
    "author",
    "authors",
    "by",
    "null",
    "none",
    "undefined",
    "unknown",
    "staff",
    "editor",
    "user",
    "guest",
    "anonymous",
    "nobody",
    "redaktion",
    "redacción",
    "rédaction",
}
MAX_NAME_WORDS = 6
# Post-nominal letters: 'Jane Doe, MS, RD' is one author with her credentials, not three authors.
_CREDENTIAL = re.compile(
    r"^(?:[A-Z][A-Za-z]{0,2}\.?){1,4}\.?®?$|^(?:[A-Z]{2,6}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?"
    r"|I{2,3}|IV)(?:[ ,]+[A-Z]{2,6})*®?$"
)
# 'Jane Doe, Shipping Expert': a job title after the name describes her, it is not an author.
_JOB_TITLE = re.compile(
    r"\b(?:expert|editor|writer|director|dietitian|nutritionist|specialist|manager|founder"
    r"|reporter|correspondent|columnist|contributor|consultant|analyst|professor|attorney"
    r"|lawyer|physician|coach|trainer|educator|strategist|officer)s?$",
    re.I,
)
_AGENCIES = {
    "AP",
    "AFP",
    "APP",
    "PTI",
    "IANS",
    "ANI",
    "UPI",
    "DPA",
    "EFE",
    "NNI",
    "INP",
    "BBC",
    "CNN",
}
# Dates, 'Updated ...' and other words a byline heuristic picks up beside a name.
_NOT_A_NAME = re.compile(
    r"\b(?:january|feb(?:ruary)?|march|apr(?:il)?|july|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|updated|published|posted|written|reviewed"
    r"|minutes?|min read|read more|learn more|(?:view|see|show) (?:all|more)|all posts"
    r"|more from|articles by|posts by"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)$)\b"
    r"|^(?:the )?author$|^[\w-]+(?:\.[\w-]+){2,}$|(?:-[A-Z][a-z]+){3,}",
    re.I,
)
_LAST_FIRST = re.compile(r"^([^\W\d][\w'-]*), ([^\W\d][\w'.-]*(?: [^\W\d][\w'.-]*)?)$")


def joins_names(value: str) -> bool:
    """Whether a byline joins several names ('A and B', 'A & B', 'A, B'), as clean_authors cuts
    it: 'Morgan & Morgan' does, though it gives one name once the repeat is dropped."""
    return len(_SPLIT.split(" ".join(value.split()))) > 1


def clean_authors(raw: list[str], inverted: bool = False) -> list[str]:
    """Names from bylines: 'By A and B' -> [A, B]; URLs, e-mail addresses and placeholders dropped.

    'Doe, Jane' stays one name (read as 'Jane Doe' when inverted: citation_author's convention).
    """
    names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        if not isinstance(value, str):
            continue
        value = " ".join(html.unescape(value).split())
        value = _EMAIL.sub("", value)
        value = re.sub(r"\([^)]*(?:www\.|https?:|@)[^)]*\)?", "", value).strip(" -–—,;:|•·")
        value = _PREFIX.sub("", value)
        last_first = _LAST_FIRST.match(value)
        if last_first:
            parts = [f"{last_first[2]} {last_first[1]}" if inverted else value]
        else:
            parts = _SPLIT.split(value)
        for part in _with_credentials(parts):
            name = _PREFIX.sub("", part).strip(" -–—,;:|•·()[]\"'")
            if name.count("(") > name.count(")"):
                name += ")"  # 'Jean-Luc Aufranc (CNXSoft)' lost its closing bracket to strip()
            if not name or _URL.search(name) or name.casefold() in _NOT_NAMES:
                continue
            if _NOT_A_NAME.search(name):
                continue
            if (
                len(name.split()) > MAX_NAME_WORDS
                or len(name) > 80
                or not any(c.isalpha() for c in name)
            ):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names


def _with_credentials(parts: list[str]) -> list[str]:
    """Parts that are post-nominal letters (MS, RD, Ph.D., CFP) stay with the name before them."""
    joined: list[str] = []
    for part in parts:
        bare = part.strip()
        credential = (
            bool(_CREDENTIAL.match(bare))
            and not bare.isalpha()
            or (bare.isupper() and 2 <= len(bare) <= 6 and bare not in _AGENCIES)
            or bool(_JOB_TITLE.search(bare))
        )
        if joined and bare and credential:
            joined[-1] = f"{joined[-1]}, {bare}"
        else:
            joined.append(part)
    return joined


def shortest_agreed(title: str, others: list[str]) -> str:
    """Another candidate that is title cut at a separator ('X | Sport' vs the h1 'X') is the headline:
    two sources agree on it, and the rest is what one of them appended."""
    best = title
    for other in others:
        if len(norm(other)) < 10 or len(other) >= len(best) or not best.startswith(other):
            continue
        rest = best[len(other) :]
        if _STRONG.match(rest) or re.match(r"\s*[-–—:]\s", rest):
            best = other
    return best


def looks_like_person(name: str) -> bool:
    """Two to four capitalised words: what a byline heuristic may offer instead of a declared author."""
    words = name.split()
    if not any(c.isupper() or c.islower() for c in name):  # scripts without case: CJK, Arabic, ...
        return 1 <= len(words) <= 3 and 2 <= len(name) <= 20
    return (
        2 <= len(words) <= 4
        and all(w[0].isupper() or not w[0].isalpha() for w in words)
        and any(w[0].isupper() for w in words)
    )
