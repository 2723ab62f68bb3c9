"""One topic's verdict on one article: its evidence, score, inclusion, and what it reports."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol

from mediawatch.matcher.result import TopicMatch, make_snippets
from mediawatch.matcher.salience import (
    ALONE_FACTOR,
    COVERAGE_SHARE,
    COVERAGE_WEIGHT,
    COVERAGE_WINDOW,
    DATELINE_FACTOR,
    LIST_FACTOR,
    LIST_OWN_SHARE,
    ORIGIN_FACTOR,
    ROUTE_FACTOR,
    VENUE_FACTOR,
    Sentences,
    example_end,
    own_share,
    sentence_span,
)
from mediawatch.matcher.schema import Expr, Leaf, TopicSpec


class Compiled(Protocol):
    """What a topic reads of the compiled watchlist (matcher.engine.Matcher)."""

    @property
    def leaves(self) -> list[Leaf]: ...
    @property
    def related(self) -> dict[str, tuple[int, ...]]: ...  # topic -> leaves that count for it


class Scan(Protocol):
    """What a topic reads of one article being matched (matcher.engine.Scan): the engine calls
    the topics, never the other way round."""

    @property
    def m(self) -> Compiled: ...

    original: str
    norm: str
    title_len: int
    text_start: int
    explaining: bool
    touched: set[int]
    rejected: dict[int, list[tuple[Occ, str]]]
    context_found: dict[tuple[int, int], str]
    sentences: Sentences

    def occ(self, leaf: int) -> list[Occ]: ...
    def topic_leaves(self, topic: str) -> list[int]: ...
    def orig_span(self, start: int, end: int) -> tuple[int, int]: ...
    def surface(self, occ: Occ) -> str: ...
    def surface_at(self, a: int, b: int) -> str: ...
    def word(self, pos: int) -> int: ...
    def words(self, occ: Occ) -> tuple[int, int]: ...
    def describe(self, leaf: int) -> str: ...
    def evaluate(self, expr: Expr) -> tuple[bool, list[Occ], str]: ...
    def weight(self, occ: Occ, factor: float = 1.0) -> float: ...
    def role(self, occ: Occ) -> tuple[str, list[tuple[int, int]]]: ...


@dataclass(slots=True)
class Occ:
    """One counted occurrence: normalised span, the leaf it counts for, the form that found it."""

    start: int
    end: int
    leaf: int
    form: int


_START = attrgetter("start")


def overlap(a: Occ, b: Occ) -> bool:
    return a.start < b.end and b.start < a.end


def outermost(found: list[Occ]) -> list[Occ]:
    """Drop occurrences inside a longer one of the same leaf ("Baloch" inside "Baloch people")."""
    if len(found) < 2:
        return found
    found.sort(key=lambda o: (o.start, -o.end))
    out: list[Occ] = []
    reach = -1
    for occ in found:
        if occ.end <= reach:
            continue
        out.append(occ)
        reach = max(reach, occ.end)
    return out


class TopicResult:
    """Evidence (entity and keyword mentions, and the mentions of each rule that passed), the
    score it adds up to, exclusions, and the topics whose flag this one inherits."""

    def __init__(self, spec: TopicSpec, scan: Scan):
        self.spec = spec
        self.scan = scan
        found: list[Occ] = []
        self.rules: list[tuple[Expr, bool, str]] = []
        for leaf in scan.topic_leaves(spec.name):
            found.extend(scan.occ(leaf))
        for rule in spec.rules:
            ok, evidence, why = scan.evaluate(rule)
            self.rules.append((rule, ok, why))
            if ok:
                found.extend(evidence)
        self.excluded: list[tuple[Expr, str]] = []
        if found:
            for rule in spec.exclude:
                ok, evidence, _why = scan.evaluate(rule)
                if ok:
                    self.excluded.append((rule, scan.surface(evidence[0]) if evidence else ""))
        self.evidence = self._distinct(found)
        self._roles: dict[tuple[int, int], tuple[float, str]] = {}
        self._weights: dict[tuple[int, int, int], float] = {}
        self._shown: list[Occ] | None = None
        self._own: list[tuple[int, int]] | None = None
        self._lists: dict[tuple[int, int], list[Occ]] | None = None  # see _same_list
        # Roles and coverage only lower a mention's weight or add COVERAGE_WEIGHT: when even the
        # full weights and the bonus fall short, the verdict is known without them (speed).
        if spec.dateline_needs:  # a dateline about the place may weigh above its entity
            leaves = scan.m.leaves
            upper = sum(
                scan.weight(o, local_lift(leaves[o.leaf].weight)) for o in self.evidence.values()
            )
            upper += COVERAGE_WEIGHT
        else:
            upper = sum(map(scan.weight, self.evidence.values())) + COVERAGE_WEIGHT
        if upper < spec.min_score and not scan.explaining:
            self.coverage = (0, 0, 0.0)
            self.own_score = round(upper - COVERAGE_WEIGHT, 2)
        else:
            self.coverage = self._coverage()
            self.own_score = round(
                sum(map(self.weight, self.evidence.values())) + self.coverage_bonus(), 2
            )
        self.score = self.own_score
        self.own_flagged = bool(found) and self.own_score >= spec.min_score and not self.excluded
        self.flagged = self.own_flagged
        self.included_from: list[str] = []

    def _distinct(self, found: list[Occ]) -> dict[tuple[int, int], Occ]:
        """One mention per span, the heaviest; mentions inside a longer weighted one are dropped.
        Context words (weight 0) are kept for explanations but never hide a weighted mention."""
        leaves = self.scan.m.leaves
        best: dict[tuple[int, int], Occ] = {}
        for occ in found:
            key = (occ.start, occ.end)
            if key not in best or leaves[occ.leaf].weight > leaves[best[key].leaf].weight:
                best[key] = occ
        weighted = outermost([o for o in best.values() if leaves[o.leaf].weight > 0])
        out = {(o.start, o.end): o for o in weighted}
        for key, occ in best.items():
            if leaves[occ.leaf].weight == 0:
                out.setdefault(key, occ)
        return out

    def factor(self, occ: Occ) -> tuple[float, str]:
        """How much a mention's place says about coverage of this topic (matcher.salience): a
        dateline nothing, an item of a list little, unless most of the list is this topic's."""
        key = (occ.start, occ.end)
        found = self._roles.get(key)
        if found is None:
            scan = self.scan
            role, items = scan.role(occ)
            spelled = self._spelled_out(occ)
            if spelled:
                found = (0.0, f"short for {spelled!r} right before it: one mention")
            elif role == "dateline":
                local = self._local(occ)
                if local:
                    # local news of the province: the town weighs as the province would
                    lift = local_lift(scan.m.leaves[occ.leaf].weight)
                    found = (lift, f"dateline, and the story goes on about it ({local!r})")
                else:
                    found = (DATELINE_FACTOR, "dateline: where the story was filed")
            elif role == "venue":
                found = (VENUE_FACTOR, "venue: where people met or an envoy sits")
            elif role == "origin":
                found = (ORIGIN_FACTOR, "origin: where someone comes from")
            elif role == "route":
                found = (ROUTE_FACTOR, "route: a stop on someone's way, not the scene")
            elif role == "list":
                share = own_share(items, self._own_spans())
                n_own = round(share * len(items))
                same = self._same_list(occ, items) if share < LIST_OWN_SHARE else ""
                if same:
                    found = (0.0, f"in the same list as {same!r}: a list counts once")
                elif share < LIST_OWN_SHARE:
                    found = (
                        LIST_FACTOR,
                        f"item of a list of {len(items)} ({n_own} of them this topic's)",
                    )
                else:
                    found = (
                        1.0,
                        f"in a list of {len(items)}, {n_own} of them this topic's: counts in full",
                    )
            else:
                found = (1.0, "")
            if found[0] >= 1:
                term = scan.m.leaves[occ.leaf]
                if term.kind == "group" and 0 < term.weight < 1 and not self._anchored():
                    found = (0.0, "supporting word, but no full mention of the topic to support")
                elif self.spec.alone_needs:  # (without it, _alone has nothing to judge by)
                    alone = self._alone(occ)
                    if alone:
                        found = (ALONE_FACTOR, alone)
            self._roles[key] = found
        return found

    def _local(self, occ: Occ) -> str:
        """The word after a dateline that says the story is about the place it was filed from
        (dateline_needs: "QUETTA: ... the provincial capital", "به گزارش فارس از زاهدان،
        مدیرکل ... استان گفت"), or "" when none follows it."""
        scan = self.scan
        if not self.spec.dateline_needs or scan.m.leaves[occ.leaf].kind != "entity":
            return ""
        for leaf in self.spec.dateline_needs:
            for other in scan.occ(leaf):
                if other.start >= occ.end:
                    return scan.surface(other)
        return ""

    def _own_spans(self) -> list[tuple[int, int]]:
        """The original spans of the names of this topic and its kin (what makes a list its
        own), found once per topic: every item of a list asks."""
        if self._own is None:
            scan = self.scan
            own = [*self.shown()]
            touched = scan.touched
            for leaf in scan.m.related[self.spec.name]:
                if leaf in touched:
                    own.extend(scan.occ(leaf))
            # names only: a supporting word ("تروریستی" before "مانند داعش، ...") is no item
            leaves = scan.m.leaves
            self._own = [
                scan.orig_span(o.start, o.end)
                for o in own
                if not (leaves[o.leaf].kind == "group" and leaves[o.leaf].weight < 1)
            ]
        return self._own

    def _same_list(self, occ: Occ, items: list[tuple[int, int]]) -> str:
        """Another of the topic's mentions in the same list that weighs more (or as much and
        stands first): the list is one passing mention however many of its items are ours."""
        scan = self.scan
        if self._lists is None:  # the topic's list items by their list, in order (speed)
            self._lists = {}
            for other in self.shown():
                role, its = scan.role(other)
                if role == "list" and its:
                    self._lists.setdefault(its[0], []).append(other)
        mine = (scan.weight(occ), -occ.start)
        for other in self._lists.get(items[0], ()):
            if (other.start, other.end) == (occ.start, occ.end):
                continue
            if (scan.weight(other), -other.start) > mine:
                return scan.surface(other)
        return ""

    def _anchored(self) -> bool:
        """A full (not discounted) mention of one of the topic's names: what supporting words
        such as "killed" need beside them to count."""
        leaves = self.scan.m.leaves
        return any(leaves[o.leaf].kind == "entity" and self.factor(o)[0] >= 1 for o in self.shown())

    def _alone(self, occ: Occ) -> str:
        """Why the topic's only plain mention is a passing one ("" when it is not): nothing of
        the topic's field (alone_needs) elsewhere in the text, or, when the mention is an example
        ("projects such as CPEC"), after it or in another sentence (not in the words it is an
        example of). Datelines, list items and examples of the same cue ("such as the BLF and
        the BRAS") do not vouch for it; a person
        named once is judged so too (a provincial figure in a federal post), an event never."""
        spec = self.spec
        scan = self.scan
        term = scan.m.leaves[occ.leaf]
        if not spec.alone_needs or term.kind == "group" or term.type == "event":
            return ""  # a named attack is news in itself; supporting words are never alone
        a, b = scan.orig_span(occ.start, occ.end)
        if a < scan.title_len:
            return ""  # the title says what the article is about
        original, floor, ceil = scan.original, scan.text_start, len(scan.original)
        example = -1  # where the example phrase ends (0: not an example), found on first need
        head = a
        for other in self.shown():
            if (other.start, other.end) == (occ.start, occ.end) or self._spelled_out(other):
                continue
            if scan.role(other)[0] in ("dateline", "list"):
                continue  # a dateline or a list item does not vouch for it
            if example < 0:
                example = example_end(original, a, b, scan.sentences)
                if example:
                    head = sentence_span(original, a, b, floor, ceil, scan.sentences)[0]
            if example:
                oa, ob = scan.orig_span(other.start, other.end)
                if (head <= oa and ob <= example) or (
                    head <= oa < example + 120
                    and example_end(original, oa, ob, scan.sentences)
                    and sentence_span(original, oa, ob, floor, ceil, scan.sentences)[0] == head
                ):
                    continue  # another example of the same cue ("such as the BLF and BRAS")
            return ""  # another plain mention
        if example < 0:
            example = example_end(original, a, b, scan.sentences)
            if example:
                head = sentence_span(original, a, b, floor, ceil, scan.sentences)[0]
        if not example:
            # a short text that names it is about it - unless it names it as an example ("groups
            # such as the BLA" is background however short the text)
            total = scan.word(len(scan.norm) - 1)
            first, last = scan.words(occ)
            near = min(total, last + COVERAGE_WINDOW + 1) - max(0, first - COVERAGE_WINDOW)
            if total <= 0 or near / total >= COVERAGE_SHARE:
                return ""
        if example:
            a = head  # its head: "projects such as"
            b = example  # ... and its tail: "BLA اور BLF جیسی کالعدم تنظیمیں"
        elif term.kind == "phrase":
            return ""  # a rule's phrase: the rule has already placed it (Pakistan, China near)
        own = self.shown()
        for leaf in spec.alone_needs:
            for other in scan.occ(leaf):
                if any(overlap(other, o) for o in own):
                    continue  # the topic's own (discounted) mention is no field word ("Baloch*")
                oa, ob = scan.orig_span(other.start, other.end)
                if ob <= a or oa >= b:
                    return ""
        if example:
            return (
                "an example, the topic's one mention, nothing on it after it or in other sentences"
            )
        return "the topic's one mention, nothing else in the text on it (alone_needs)"

    def _coverage(self) -> tuple[int, int, float]:
        """(words near a mention of the topic, words, share): how much of the text is about it.

        Words within COVERAGE_WINDOW of a plain mention (not a list item, dateline or supporting
        word such as an incident word) count as the text's concern with the topic."""
        scan = self.scan
        total = scan.word(len(scan.norm) - 1)
        if total <= 0:
            return 0, 0, 0.0
        leaves = scan.m.leaves
        spans = []
        for occ in self.shown():
            leaf = leaves[occ.leaf]
            if (leaf.weight >= 1 or leaf.kind == "entity") and self.factor(occ)[0] >= 1:
                first, last = scan.words(occ)
                spans.append(
                    (max(0, first - COVERAGE_WINDOW), min(total, last + COVERAGE_WINDOW + 1))
                )
        covered = 0
        reach = 0
        for lo, hi in sorted(spans):
            lo = max(lo, reach)
            if hi > lo:
                covered += hi - lo
                reach = hi
        return covered, total, round(min(1.0, covered / total), 2)

    def salience(self) -> dict[str, Any]:
        """What the score is made of beyond the single mentions: how many plain mentions of how
        many distinct names, and how much of the text stands near them."""
        leaves = self.scan.m.leaves
        plain = [o for o in self.shown() if self.factor(o)[0] >= 1]
        discounted = [o for o in self.shown() if self.factor(o)[0] < 1]
        near, words, share = self.coverage
        return {
            "mentions": len(plain),
            "discounted": len(discounted),
            "names": len({leaves[o.leaf].name for o in plain}),
            "words_near": near,
            "words": words,
            "share": share,
            "coverage_bonus": self.coverage_bonus(),
        }

    def coverage_bonus(self) -> float:
        return COVERAGE_WEIGHT if self.evidence and self.coverage[2] >= COVERAGE_SHARE else 0.0

    def _spelled_out(self, occ: Occ) -> str:
        """The mention this one abbreviates, when it stands in brackets right after it, as in
        "Balochistan Liberation Army (BLA)": a name and its acronym are one mention."""
        scan = self.scan
        a, _b = scan.orig_span(occ.start, occ.end)
        if a < 2 or scan.original[a - 1] not in "([" or scan.original[a - 2] != " ":
            return ""
        leaves = scan.m.leaves
        for other in self.evidence.values():
            if other.end <= occ.start and leaves[other.leaf].weight > 0:
                _oa, ob = scan.orig_span(other.start, other.end)
                if ob == a - 2:
                    return scan.surface(other)
        return ""

    def weight(self, occ: Occ) -> float:
        key = (occ.start, occ.end, occ.leaf)
        found = self._weights.get(key)
        if found is None:
            found = self._weights[key] = self.scan.weight(occ, self.factor(occ)[0])
        return found

    def merge(self, other: TopicResult) -> None:
        self._roles = {}
        self._weights = {}
        self._shown = None
        self._own = None
        self._lists = None
        self.evidence = self._distinct([*self.evidence.values(), *other.evidence.values()])
        self.score = max(self.score, other.score)

    def shown(self) -> list[Occ]:
        """Evidence worth showing: mentions that weigh (context words with weight 0 only qualify)."""
        if self._shown is None:
            leaves = self.scan.m.leaves
            self._shown = sorted(
                (o for o in self.evidence.values() if leaves[o.leaf].weight > 0),
                key=_START,
            )
        return self._shown

    def reason(self) -> str:
        spec = self.spec
        if self.included_from and not self.own_flagged:
            return f"flagged because it includes {', '.join(self.included_from)}"
        if self.excluded:
            rule, found = self.excluded[0]
            return f"excluded by {rule.text} ({found!r} found)"
        if not self.evidence:
            return "no term or rule counted"
        if self.own_score < spec.min_score:
            return f"score {self.own_score} is below min_score {spec.min_score:g}"
        extra = f"; also includes {', '.join(self.included_from)}" if self.included_from else ""
        return f"score {self.own_score} reaches min_score {spec.min_score:g}{extra}"

    def topic_match(self, scan: Scan) -> TopicMatch:
        entities: dict[int, dict] = {}
        terms: dict[str, dict] = {}
        spans: list[tuple[int, int, float]] = []
        leaves = scan.m.leaves
        for occ in self.shown():
            a, b = scan.orig_span(occ.start, occ.end)
            spans.append((a, b, self.weight(occ)))
            leaf = leaves[occ.leaf]
            if leaf.kind == "entity":
                entry = entities.get(occ.leaf)
                if entry is None:
                    entry = {
                        "id": leaf.ident,
                        "name": leaf.name,
                        "type": leaf.type,
                        "count": 0,
                        "offsets": [],
                    }
                    entities[occ.leaf] = entry
                entry["count"] += 1
                entry["offsets"].append([a, b])
            surface = scan.surface_at(a, b)
            term = terms.get(surface)
            if term is None:
                terms[surface] = {"term": surface, "count": 1}
            else:
                term["count"] += 1
        snippets = make_snippets(scan.original, spans, scan.title_len, scan.text_start)
        return TopicMatch(
            topic=self.spec.name,
            score=self.score,
            entities=list(entities.values()),
            terms=list(terms.values()),
            snippets=snippets,
        )

    def explain(self, scan: Scan) -> dict[str, Any]:
        relevant = set(self.spec.leaves)
        for rule, _ok, _why in self.rules:
            relevant |= _rule_leaves(rule)
        for rule in self.spec.exclude:
            relevant |= _rule_leaves(rule)
        leaves = scan.m.leaves
        todo = list(relevant)
        while todo:  # a group's members: their misses explain the group's
            for member in leaves[todo.pop()].members:
                if member not in relevant:
                    relevant.add(member)
                    todo.append(member)
        rejected: list[dict[str, Any]] = []
        for leaf in sorted(relevant):
            scan.occ(leaf)
            for occ, why in scan.rejected.get(leaf, []):
                a, b = scan.orig_span(occ.start, occ.end)
                rejected.append(
                    {
                        "term": " ".join(scan.original[a:b].split()),
                        "offsets": [a, b],
                        "for": scan.describe(leaf),
                        "why": why,
                    }
                )
        counted = []
        for occ in sorted(self.evidence.values(), key=lambda o: o.start):
            a, b = scan.orig_span(occ.start, occ.end)
            counted.append(
                {
                    "term": " ".join(scan.original[a:b].split()),
                    "offsets": [a, b],
                    "for": scan.describe(occ.leaf),
                    "weight": round(self.weight(occ), 2),
                    **({"role": self.factor(occ)[1]} if self.factor(occ)[1] else {}),
                    **(
                        {"context": scan.context_found[(occ.start, occ.end)]}
                        if (occ.start, occ.end) in scan.context_found
                        else {}
                    ),
                }
            )
        out = {
            "flagged": self.flagged,
            "score": self.score,
            "min_score": self.spec.min_score,
            "reason": self.reason(),
            "salience": self.salience(),
            "counted": counted,
            "not_counted": sorted(rejected, key=lambda r: r["offsets"][0]),
            "rules": [
                {"rule": rule.text, "passed": ok, **({"why": why} if why else {})}
                for rule, ok, why in self.rules
            ],
            "excluded_by": [rule.text for rule, _found in self.excluded],
            "included_from": list(self.included_from),
        }
        if self.flagged:
            out["match"] = self.topic_match(scan).to_dict()
        return out


def local_lift(weight: float) -> float:
    """The factor that makes a town's dateline on local news weigh as the province would
    (dateline_needs): a town weighing 0.5 counts twice."""
    return 1.0 / min(1.0, weight or 1.0)


def trigger_leaves(expr: Expr) -> set[int]:
    """Leaves one of which a text must mention for the rule to pass: every `all` operand must
    pass, so the leaves of the first that needs a mention are enough ("a place near an incident
    or a protest" is never worth judging in a text that names no place, however many strikes it
    reports). An operand that is only a `not` or a `more` needs none of its own."""
    if expr.leaf >= 0:
        return {expr.leaf}
    for sub in expr.all:
        needed = trigger_leaves(sub)
        if needed:
            return needed
    found: set[int] = set()
    for sub in expr.any:
        found |= trigger_leaves(sub)
    return found


def _rule_leaves(expr: Expr) -> set[int]:
    found = {expr.leaf} if expr.leaf >= 0 else set()
    for sub in (*expr.all, *expr.any, *expr.not_, *(expr.more or ())):
        found |= _rule_leaves(sub)
    return found
