"""The compiled matcher: one Aho-Corasick scan per article, then cheap checks on the few hits.

The automaton holds every term of the watchlist (aliases, keywords, context words, not_in phrases),
so the cost of a scan does not grow with the number of terms; everything after it (word boundaries,
case, context, rules, scores) works only on the hits.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

import ahocorasick
from mediawatch.matcher.normalise import (
    BREAK,
    PHRASE_BREAKS,
    mark,
    normalise,
    normalise_staged,
    normalise_term,
)
from mediawatch.matcher.result import LEAD_CHARS, TopicMatch, position_weight
from mediawatch.matcher.salience import (
    Sentences,
    entry_items,
    has_cue,
    is_dateline,
    is_origin,
    is_route,
    is_venue,
    lead_chars,
    list_items,
    may_entry,
    may_follow,
    origin_items,
)
from mediawatch.matcher.schema import (
    ARABIC,
    STRICT,
    Compiled,
    Expr,
    Form,
    Leaf,
    TopicSpec,
    describe,
)
from mediawatch.matcher.topics import Occ, TopicResult, outermost, overlap, trigger_leaves

# Clitics that Arabic-script writing glues to a name (Arabic "wa-", "bi-", "al-"; Persian plural
# "-ha", "-i"; Urdu plural/oblique "-on"): a term still counts with them attached.
_PREFIXES = frozenset(
    normalise_term(p)
    for p in ["و", "ف", "ب", "ل", "ک", "ال", "وال", "بال", "فال", "کال", "لل", "ولل", "وب", "ول"]
)
_SUFFIXES = frozenset(
    normalise_term(s)
    for s in [
        "ها",
        "های",
        "هایی",
        "ی",
        "ای",
        "یی",
        "ان",
        "یان",
        "ه",
        "ون",
        "ین",
        "یه",
        "ات",
        "ں",
        "وں",
        "یوں",
        "یون",
        "ة",
        "ية",
        "يين",
        "يون",
        "ے",
    ]
)
_AFFIX_MAX = 4


_GAPS = " \n"
_PHRASE_BREAK = re.compile("[" + re.escape("".join(sorted(PHRASE_BREAKS))) + "]")
_POSSESSIVE = re.compile(" s ")  # as str.count finds them: non-overlapping
# A code the name is glued to: "AP-BLA", "PK/BLA", "A320-BLA" before it; "BLA-320", "BLA7" after.
_CODE_BEFORE = re.compile(r"(?:(?<![\w-])[A-Z]{1,2}|(?<![\w-])[\w]*\d[\w]*)[-/]$|\d$")
_CODE_AFTER = re.compile(r"[-/]?\d")  # all a normalised text has between words


class Matcher:
    """A compiled watchlist. Pure: no I/O, no shared state between calls."""

    def __init__(self, compiled: Compiled):
        self.forms: list[Form] = compiled.forms
        self.leaves: list[Leaf] = compiled.leaves
        self._topics: list[TopicSpec] = compiled.topics
        self.topics: list[str] = [t.name for t in compiled.topics]
        # A side that must be a word boundary is padded with a space (the normalised text has a
        # space wherever a word ends), so the automaton itself reports whole words only.
        entries: dict[str, tuple[list[int], list[int]]] = {}
        for index, form in enumerate(self.forms):
            key = (
                (" " if form.left == STRICT else "")
                + form.key
                + (" " if form.right == STRICT else "")
            )
            plain, checked = entries.setdefault(key, ([], []))
            needs_check = ARABIC in (form.left, form.right) or form.cased is not None or form.phrase
            (checked if needs_check else plain).append(index)
        self._automaton = ahocorasick.Automaton()
        for key, (plain, checked) in entries.items():
            lpad = 1 if key.startswith(" ") else 0
            rpad = 1 if key.endswith(" ") else 0
            self._automaton.add_word(key, (len(key), lpad, rpad, tuple(plain), tuple(checked)))
        self._automaton.make_automaton()
        # forms whose hits all count (no condition to check): occ() takes them without _reject
        self._unconditioned = [
            not (
                f.code_after
                or f.code_before
                or f.not_in
                or f.not_after
                or f.not_before
                or f.context
                or f.unless
            )
            for f in self.forms
        ]
        self._includes = _closure({t.name: t.includes for t in compiled.topics})
        # Which groups a leaf's mentions also count for, and which leaves can give a topic
        # evidence: a scan then looks only at topics that some hit can concern.
        parents: dict[int, set[int]] = {}
        for index, leaf in enumerate(self.leaves):
            for member in leaf.members:
                parents.setdefault(member, set()).add(index)
        self._lifted: list[frozenset[int]] = []
        for index in range(len(self.leaves)):
            seen = {index}
            todo = [index]
            while todo:
                for parent in parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._lifted.append(frozenset(seen))
        # Entities of the topics a topic includes or is included by: a list made of them is a
        # list of the topic's own kind ("BLA, BRA and BLF" for the BLA).
        self.related: dict[str, tuple[int, ...]] = {}
        for topic in compiled.topics:
            kin = set(self._includes[topic.name])
            kin |= {n for n, inc in self._includes.items() if topic.name in inc}
            leaves: set[int] = set(topic.leaves)
            for other in compiled.topics:
                if other.name in kin:
                    leaves |= set(other.leaves)
            self.related[topic.name] = tuple(sorted(leaves))
        self._sources: dict[str, frozenset[int]] = {}
        for topic in compiled.topics:
            found = set(topic.leaves)
            for rule in topic.rules:
                found |= trigger_leaves(rule)
            self._sources[topic.name] = frozenset(found)
        # where each leaf stands among each topic's entities and keywords: a scan sorts the few
        # leaves it touched into their topics once, instead of every topic testing all of its own
        self._ranks: dict[int, list[tuple[str, int]]] = {}
        for topic in compiled.topics:
            for rank, ranked in enumerate(topic.leaves):
                self._ranks.setdefault(ranked, []).append((topic.name, rank))
        # the same, inverted: which topics a leaf can give evidence to
        self._concerns: dict[int, list[str]] = {}
        for name, sources in self._sources.items():
            for source in sources:
                self._concerns.setdefault(source, []).append(name)

    def match(self, title: str, text: str) -> list[TopicMatch]:
        """The flagged topics of one article (score at least the topic's min_score)."""
        scan = Scan(self, title, text, explain=False)
        return [r.topic_match(scan) for r in scan.topic_results(only_hit=True) if r.flagged]

    def explain(self, title: str, text: str) -> dict[str, Any]:
        """Every topic: terms that counted and those that did not (and why), rules, score, verdict."""
        scan = Scan(self, title, text, explain=True)
        topics = {}
        for result in scan.topic_results():
            topics[result.spec.name] = result.explain(scan)
        return {
            "flagged": [name for name, t in topics.items() if t["flagged"]],
            "topics": topics,
        }


def _closure(includes: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every topic that flags `name` through `includes`, directly or transitively."""
    out = {}
    for name in includes:
        seen: list[str] = []
        todo = list(includes[name])
        while todo:
            other = todo.pop(0)
            if other != name and other not in seen:
                seen.append(other)
                todo.extend(includes.get(other, ()))
        out[name] = seen
    return out


class Scan:
    """One article being matched: normalised text, raw hits per form, memoised leaf occurrences."""

    def __init__(self, matcher: Matcher, title: str, text: str, explain: bool):
        self.m = matcher
        self.explaining = explain
        title = title or ""
        text = text or ""
        self.original = f"{title}\n\n{text}"
        self.title_len = len(title)
        self.text_start = len(title) + 2
        self.lead: int | None = None  # characters of the text that weigh as its lead
        norm_title, self._title_stage, self.title_map = normalise_staged(title)
        norm_text, self._text_stage, self.text_map = normalise_staged(text)
        # " title \n text ": every word has a space on both sides, and as "\n" never occurs in
        # normalised text no term can run from the title into the text.
        self.split = 1 + len(norm_title)
        self.text_at = self.split + 3
        self.norm = f" {norm_title} \n {norm_text} "
        self._marked: str | None = None
        self.hits: dict[int, list[tuple[int, int]]] = {}
        self.leaf_hits: dict[int, list[int]] = {}  # leaf -> its forms that were hit
        self.rejected: dict[int, list[tuple[Occ, str]]] = {}
        self.memo: dict[int, list[Occ]] = {}
        self.word_cache: dict[int, int] = {}
        self._known: list[int] = []  # offsets asked of word(), in order ...
        self._known_spaces: list[int] = []  # ... and the spaces before each
        self._possessives: list[int] = []  # where each " s " starts (set by _count_words)
        self.span_cache: dict[tuple[int, int], tuple[int, int]] = {}
        self.place_cache: dict[int, float] = {}  # normalised start -> position weight
        self.context_found: dict[tuple[int, int], str] = {}  # explanations only
        self.role_cache: dict[tuple[int, int], tuple[str, list[tuple[int, int]]]] = {}
        self.sentences = Sentences(self.original)  # found once a role asks
        self._scan()
        self.touched: set[int] = set()  # leaves with a hit, and the groups those count for
        for leaf in self.leaf_hits:
            self.touched |= matcher._lifted[leaf]
        self._by_topic: dict[str, list[tuple[int, int]]] | None = None  # see topic_leaves

    def topic_leaves(self, topic: str) -> list[int]:
        """The topic's entities and keywords (TopicSpec.leaves, in order) that were touched."""
        by_topic = self._by_topic
        if by_topic is None:
            by_topic = self._by_topic = {}
            ranks = self.m._ranks
            for leaf in self.touched:
                for name, rank in ranks.get(leaf, ()):
                    by_topic.setdefault(name, []).append((rank, leaf))
        found = by_topic.get(topic)
        return [leaf for _rank, leaf in sorted(found)] if found else []

    @property
    def marked(self) -> str:
        """`norm` with BREAK where the text had sentence punctuation (made when a phrase or an
        adjacency asks)."""
        if self._marked is None:
            self._marked = f" {mark(self._title_stage)} \n {mark(self._text_stage)} "
        return self._marked

    # -- offsets -----------------------------------------------------------------------------
    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        found = self.span_cache.get((start, end))
        if found is None:
            if start < self.split:
                found = self.title_map.span(start - 1, end - 1)
            else:
                a, b = self.text_map.span(start - self.text_at, end - self.text_at)
                found = (a + self.text_start, b + self.text_start)
            self.span_cache[(start, end)] = found
        return found

    def surface(self, occ: Occ) -> str:
        return self.surface_at(*self.orig_span(occ.start, occ.end))

    def surface_at(self, a: int, b: int) -> str:
        """The original text of a span, its line breaks and space runs folded to one space."""
        text = self.original[a:b]
        return " ".join(text.split()) if "\n" in text or "  " in text else text

    def word(self, pos: int) -> int:
        """Word index of a normalised offset (spaces before it; the title/text break counts one).
        A possessive "'s" is no word of its own ("Iran's province" is two words, not three).

        Spaces are counted from the nearest offset already asked before `pos`, not from the
        text's start: a text with many mentions is counted about once in all (speed)."""
        cached = self.word_cache.get(pos)
        if cached is None and not self._known:
            self._count_words()  # the first ask: every offset a mention can ask, in one sweep
            cached = self.word_cache.get(pos)
        if cached is None:
            norm = self.norm
            known = self._known
            i = bisect_right(known, pos) - 1
            if i < 0:
                spaces = norm.count(" ", 0, pos)
            else:
                spaces = self._known_spaces[i] + norm.count(" ", known[i], pos)
            known.insert(i + 1, pos)
            self._known_spaces.insert(i + 1, spaces)
            # a " s " counts once it ends by pos + 1, as str.count(" s ", 0, pos + 1) has it
            cached = spaces - bisect_left(self._possessives, pos - 1)
            self.word_cache[pos] = cached
        return cached

    def _count_words(self) -> None:
        """word() of every offset a hit's words() asks (its start and last character) and of the
        text's last character, counted in one sweep from the start: a text's mentions then cost
        a dictionary look-up each (speed; the same counts as word() makes one offset at a time)."""
        norm = self.norm
        wanted = {len(norm) - 1}
        for spans in self.hits.values():
            for start, end in spans:
                wanted.add(start)
                wanted.add(max(start, end - 1))
        possessives = self._possessives = [m.start() for m in _POSSESSIVE.finditer(norm)]
        known = self._known = sorted(wanted)
        known_spaces = self._known_spaces
        cache = self.word_cache
        spaces = 0
        last = 0
        for pos in known:
            spaces += norm.count(" ", last, pos)
            last = pos
            known_spaces.append(spaces)
            cache[pos] = spaces - bisect_left(possessives, pos - 1)

    def words(self, occ: Occ) -> tuple[int, int]:
        return self.word(occ.start), self.word(max(occ.start, occ.end - 1))

    # -- the scan ----------------------------------------------------------------------------
    def _scan(self) -> None:
        forms = self.m.forms
        hits = self.hits
        leaf_hits = self.leaf_hits
        for last, (length, lpad, rpad, plain, checked) in self.m._automaton.iter(self.norm):
            start = last - length + 1 + lpad
            end = last + 1 - rpad
            for index in plain:
                spans = hits.get(index)
                if spans is None:
                    hits[index] = [(start, end)]
                    leaf = forms[index].leaf
                    if leaf >= 0:
                        leaf_hits.setdefault(leaf, []).append(index)
                else:
                    spans.append((start, end))
            for index in checked:
                form = forms[index]
                if form.left == ARABIC and not self._left_ok(start):
                    continue
                if form.right == ARABIC and not self._right_ok(end):
                    continue
                if form.phrase and not self._phrase_ok(form, start, end):
                    continue
                if form.cased is not None and not self._case_ok(form, start, end):
                    if self.explaining and form.leaf >= 0:
                        occ = Occ(start, end, form.leaf, index)
                        why = f"case differs (needs {form.cased!r}, exactly as written)"
                        self.rejected.setdefault(form.leaf, []).append((occ, why))
                    continue
                spans = hits.get(index)
                if spans is None:
                    hits[index] = [(start, end)]
                    if form.leaf >= 0:
                        leaf_hits.setdefault(form.leaf, []).append(index)
                else:
                    spans.append((start, end))

    def _left_ok(self, start: int) -> bool:
        """An Arabic-script term's start: a word boundary, or a clitic (و-، ب-، ال-) before it."""
        norm = self.norm
        if start == 0 or norm[start - 1] in _GAPS:
            return True
        i = start - 1
        while i >= 0 and norm[i] not in _GAPS and start - i <= _AFFIX_MAX:
            i -= 1
        if i >= 0 and norm[i] not in _GAPS:
            return False
        return norm[i + 1 : start] in _PREFIXES

    def _right_ok(self, end: int) -> bool:
        """An Arabic-script term's end: a word boundary, or a suffix (-ها، -ی، -وں) after it."""
        norm = self.norm
        if end >= len(norm) or norm[end] in _GAPS:
            return True
        i = end
        while i < len(norm) and norm[i] not in _GAPS and i - end < _AFFIX_MAX:
            i += 1
        if i < len(norm) and norm[i] not in _GAPS:
            return False
        return norm[end:i] in _SUFFIXES

    def _phrase_ok(self, form: Form, start: int, end: int) -> bool:
        """A phrase's words are not split by sentence punctuation it is not written with."""
        a, b = self.orig_span(start, end)
        if not _PHRASE_BREAK.search(self.original, a, b):
            return True  # no punctuation in the original span: no BREAK (and no `marked` needed)
        if BREAK not in self.marked[start:end]:
            return True
        if not form.breaks:
            return False
        return not any(c in PHRASE_BREAKS and c not in form.breaks for c in self.original[a:b])

    def _adjacent(self, first: tuple[int, int], second: tuple[int, int], allowed) -> bool:
        """`first` right before `second`: one space apart, no sentence punctuation between (but
        what the blocking phrase is written with, as in ", Iran")."""
        gap = self.marked[first[1] : second[0]]
        if first[1] > second[0] or gap not in ("", " ", BREAK):
            return False
        if gap != BREAK:
            return True
        if not allowed:
            return False
        a = self.orig_span(*first)[1]
        b = self.orig_span(*second)[0]
        return not any(c in PHRASE_BREAKS and c not in allowed for c in self.original[a:b])

    def _case_ok(self, form: Form, start: int, end: int) -> bool:
        a, b = self.orig_span(start, end)
        return normalise(self.original[a:b], casefold=False)[0].strip() == form.cased

    # -- leaves --------------------------------------------------------------------------------
    def occ(self, leaf: int) -> list[Occ]:
        """Counted occurrences of an entity, group or phrase (conditions applied, overlaps merged)."""
        found = self.memo.get(leaf)
        if found is not None:
            return found
        if leaf not in self.touched:
            return []  # no form of it, or of its members, was hit
        self.memo[leaf] = []  # conditions never loop (checked at compile time)
        out: list[Occ] = []
        unconditioned = self.m._unconditioned
        for index in self.leaf_hits.get(leaf, ()):
            if unconditioned[index]:
                out.extend([Occ(start, end, leaf, index) for start, end in self.hits[index]])
                continue
            form = self.m.forms[index]
            for start, end in self.hits[index]:
                occ = Occ(start, end, leaf, index)
                why = self._reject(form, occ)
                if why:
                    if self.explaining:
                        self.rejected.setdefault(leaf, []).append((occ, why))
                    continue
                out.append(occ)
        for member in self.m.leaves[leaf].members:
            # a member's mentions count as mentions of this group (its weight, its name)
            out.extend(Occ(o.start, o.end, leaf, o.form) for o in self.occ(member))
        out = outermost(out)
        self.memo[leaf] = out
        return out

    def _reject(self, form: Form, occ: Occ) -> str | None:
        if form.code_after or form.code_before:
            a, b = self.orig_span(occ.start, occ.end)
            if form.code_after and _CODE_BEFORE.search(self.original, max(0, a - 16), a):
                return "part of a code such as a registration or flight number (not_after code)"
            if form.code_before and _CODE_AFTER.match(self.original, b):
                return "part of a code such as a registration or flight number (not_before code)"
        for blocker in form.not_in:
            for start, end in self.hits.get(blocker, ()):
                if start <= occ.start and occ.end <= end:
                    return f"inside {self._quote(start, end)} (not_in)"
        here = (occ.start, occ.end)
        forms = self.m.forms
        for blocker in form.not_after:
            for span in self.hits.get(blocker, ()):
                if self._adjacent(span, here, forms[blocker].breaks):
                    return f"right after {self._quote(*span)} (not_after)"
        for blocker in form.not_before:
            for span in self.hits.get(blocker, ()):
                if self._adjacent(here, span, forms[blocker].breaks):
                    return f"right before {self._quote(*span)} (not_before)"
        if form.context and not self._has_context(form, occ):
            names = ", ".join(self.describe(c) for c in form.context)
            near = f" within {form.within} words" if form.within else ""
            return f"no context{near} (needs one of: {names})"
        for leaf in form.unless:
            found = [o for o in self.occ(leaf) if not overlap(o, occ)]
            if found:
                return f"unless: found {self.surface(found[0])!r} ({self.describe(leaf)})"
        return None

    def _quote(self, start: int, end: int) -> str:
        a, b = self.orig_span(start, end)
        return repr(" ".join(self.original[a:b].split()))

    def _has_context(self, form: Form, occ: Occ) -> bool:
        ws, we = self.words(occ)
        for leaf in form.context:
            for other in self.occ(leaf):
                if overlap(other, occ):
                    continue
                if form.within is not None:
                    os_, oe = self.words(other)
                    gap = os_ - we if os_ > we else ws - oe
                    if gap > form.within:
                        continue
                if self.explaining:
                    near = f" within {form.within} words" if form.within else ""
                    self.context_found[(occ.start, occ.end)] = (
                        f"context {self.surface(other)!r} ({self.describe(leaf)}) found{near}"
                    )
                return True
        return False

    def describe(self, leaf: int) -> str:
        return describe(self.m.leaves[leaf])

    # -- rules ---------------------------------------------------------------------------------
    def evaluate(self, expr: Expr) -> tuple[bool, list[Occ], str]:
        """(passed, evidence, why) of a rule node."""
        if expr.leaf >= 0:
            found = self.occ(expr.leaf)
            return bool(found), found, "" if found else f"{expr.text} not found"
        operands: list[list[Occ]] = []
        failed = []
        for sub in expr.all:
            ok, evidence, why = self.evaluate(sub)
            if not ok:
                if not self.explaining:
                    return False, [], why  # the verdict is known: spare the other operands
                failed.append(why)
            operands.append(evidence)
        if expr.any:
            pooled: list[Occ] = []
            for sub in expr.any:
                ok, evidence, _why = self.evaluate(sub)
                pooled.extend(evidence)
            if not pooled:
                failed.append("none of " + ", ".join(s.text for s in expr.any) + " found")
            operands.append(pooled)
        if expr.more:
            first = self.evaluate(expr.more[0])[1]
            second = self.evaluate(expr.more[1])[1]
            if len(first) <= len(second):
                failed.append(
                    f"{expr.more[0].text} ({len(first)}) not more than {expr.more[1].text} ({len(second)})"
                )
        if failed:
            return False, [], "; ".join(failed)
        if expr.near:
            evidence = self._near(operands, expr.near)
            if not evidence:
                return False, [], f"terms found but not within {expr.near} words of each other"
        else:
            evidence = [o for group in operands for o in group]
        for sub in expr.not_:
            ok, found, _why = self.evaluate(sub)
            if ok:
                seen = f" ({self.surface(found[0])!r} found)" if found else ""
                return False, [], f"excluded by not {sub.text}{seen}"
        return True, evidence, ""

    def _near(self, operands: list[list[Occ]], window: int) -> list[Occ]:
        """Occurrences that sit one per operand with at most `window` words between them.

        For a set of occurrences the distance is (latest start word) - (earliest end word); each
        occurrence's end word is tried as the earliest end.
        """
        placed = [[(*self.words(o), o) for o in group] for group in operands]
        ends = sorted({we for group in placed for _ws, we, _o in group})
        chosen: dict[tuple[int, int, int], Occ] = {}
        for low in ends:
            inside = [
                [o for ws, we, o in group if we >= low and ws <= low + window] for group in placed
            ]
            if all(inside):
                for group in inside:
                    for o in group:
                        chosen[(o.start, o.end, o.leaf)] = o
        return list(chosen.values())

    # -- topics ----------------------------------------------------------------------------------
    def topic_results(self, only_hit: bool = False) -> list[TopicResult]:
        """Every topic's result; with `only_hit`, skip topics no hit can concern (never flagged)."""
        topics = self.m._topics
        if only_hit:
            concerns = self.m._concerns
            wanted = {name for leaf in self.touched for name in concerns.get(leaf, ())}
            for name in list(wanted):
                wanted.update(n for n, inc in self.m._includes.items() if name in inc)
            topics = [t for t in topics if t.name in wanted]
        results = {t.name: TopicResult(t, self) for t in topics}
        for name, result in results.items():
            for other in self.m._includes.get(name, ()):
                inner = results.get(other)
                if inner is None:
                    continue
                if inner.own_flagged:
                    result.included_from.append(other)
        for result in results.values():
            if result.included_from:
                result.flagged = True
                for other in result.included_from:
                    result.merge(results[other])
        return list(results.values())

    def weight(self, occ: Occ, factor: float = 1.0) -> float:
        """The entity's weight x where the mention stands (title, lead, body) x `factor` (its
        role, judged by the topic: see TopicResult.factor)."""
        weight = self.m.leaves[occ.leaf].weight
        if not weight:
            return 0.0
        place = self.place_cache.get(occ.start)  # the original start depends on the start only
        if place is None:
            a, _b = self.orig_span(occ.start, occ.end)
            if self.lead is None:
                self.lead = lead_chars(self.original, self.text_start, LEAD_CHARS)
            place = self.place_cache[occ.start] = position_weight(
                a, self.title_len, self.text_start, self.lead
            )
        return weight * place * factor

    def role(self, occ: Occ) -> tuple[str, list[tuple[int, int]]]:
        """("dateline" | "list" | "venue" | "origin" | "route" | "", list items as original spans) of a
        mention: a dateline or an item of a list of places (commas, "and"s, labelled entries, a
        roll of hometowns) says little about what the text covers (matcher.salience)."""
        key = (occ.start, occ.end)
        found = self.role_cache.get(key)
        if found is None:
            a, b = self.orig_span(occ.start, occ.end)
            if is_dateline(self.original, a, b, self.text_start):
                found = ("dateline", [])
            else:
                floor, ceil = (
                    (0, self.title_len)
                    if a < self.title_len
                    else (self.text_start, len(self.original))
                )
                original = self.original
                sentences = self.sentences
                # may_entry and may_follow only skip patterns that cannot match (speed)
                items = (
                    list_items(original, a, b, floor, ceil, sentences)
                    or (
                        entry_items(original, a, b, floor, ceil)
                        if may_entry(original, b, ceil)
                        else []
                    )
                    or origin_items(original, a, b, floor, ceil, sentences)
                )
                cue = False if items else has_cue(original, a)
                if items:
                    found = ("list", items)
                elif not (cue or may_follow(original, b)):
                    found = ("", [])  # no pattern before or after it can match
                elif is_venue(self.original, a, b, cue):
                    found = ("venue", [])
                elif is_origin(self.original, a, b, cue):
                    found = ("origin", [])
                elif is_route(self.original, a, b, cue):
                    found = ("route", [])
                else:
                    found = ("", [])
            self.role_cache[key] = found
        return found


__all__ = ["Matcher"]
