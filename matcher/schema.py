"""watchlist.yaml -> validated, compiled pieces (forms, leaves, rules); every error names its key path.

The analyst's vocabulary, and what each word becomes here:
- a *term* is a phrase as written: "Quetta", "B{a,e}l{o,u}chistan" (alternatives), "Baloch nationalis*"
  (a trailing or leading * lifts the word-boundary check on that side). A term may be a mapping with
  conditions: {form, case, context, within, unless, not_in, not_after, not_before}. A blocking
  list (not_in/not_after/not_before) may name a whole class of words, {group: business-words}, and
  not_after/not_before the built-in {class: code} (registrations, flight numbers: "AP-BLA").
- an *entity* is a named thing with a type and many terms (aliases; acronyms are case-sensitive).
- a *group* is a named list of terms: context words, rule vocabularies.
- a *leaf* is what rules test: an entity, a group or a phrase, present when one of its terms counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from mediawatch.matcher.errors import WatchlistError
from mediawatch.matcher.normalise import (
    PHRASE_BREAKS,
    is_arabic_script,
    is_word_char,
    no_space_script,
    normalise_term,
)

ENTITY_TYPES = ("place", "organisation", "person", "project", "event")
STRICT, FREE, ARABIC = 0, 1, 2
TOP_KEYS = {"version", "groups", "entities", "topics"}
ENTITY_KEYS = {
    "name",
    "type",
    "aliases",
    "acronyms",
    "context",
    "within",
    "unless",
    "not_in",
    "not_after",
    "not_before",
    "weight",
    "description",
}
TERM_KEYS = {"form", "case", "context", "within", "unless", "not_in", "not_after", "not_before"}
BLOCK_KEYS = ("not_in", "not_after", "not_before")
TOPIC_KEYS = {
    "description",
    "entities",
    "keywords",
    "rules",
    "exclude",
    "includes",
    "implies",
    "min_score",
    "alone_needs",
}
RULE_KEYS = {"all", "any", "not", "near", "more", "phrase", "case", "entity", "group"}
GROUP_KEYS = {
    "terms",
    "weight",
    "context",
    "within",
    "unless",
    "not_in",
    "not_after",
    "not_before",
}


@dataclass
class Form:
    """One searchable string: an automaton key plus the checks a hit must pass to count."""

    key: str
    surface: str
    leaf: int  # owning leaf, or -1 for a not_in phrase (a blocker)
    left: int = STRICT
    right: int = STRICT
    cased: str | None = None
    context: tuple[int, ...] = ()
    within: int | None = None
    unless: tuple[int, ...] = ()
    not_in: tuple[int, ...] = ()
    not_after: tuple[int, ...] = ()
    not_before: tuple[int, ...] = ()
    code_after: bool = False  # not right after a code ("AP-BLA")
    code_before: bool = False  # not right before a code ("BLA-320")
    phrase: bool = False  # several words: they must not be split by sentence punctuation
    breaks: frozenset[str] = frozenset()  # ... other than the punctuation it is written with


@dataclass
class Leaf:
    kind: str  # entity | group | phrase
    name: str  # display name (an entity's canonical name)
    ident: str = ""  # entity id or group name, as written in the watchlist
    forms: list[int] = field(default_factory=list)
    weight: float = 1.0
    type: str | None = None  # entity type
    members: list[int] = field(default_factory=list)  # groups/entities whose mentions count too


@dataclass
class Expr:
    """A rule node: a leaf, or all/any/not with an optional `near` window in words."""

    leaf: int = -1
    all: list[Expr] = field(default_factory=list)
    any: list[Expr] = field(default_factory=list)
    not_: list[Expr] = field(default_factory=list)
    near: int | None = None
    more: tuple[Expr, Expr] | None = None  # true when the first has more mentions than the second
    text: str = ""


@dataclass
class TopicSpec:
    name: str
    leaves: list[int]  # entities and keywords: each counted occurrence is evidence
    rules: list[Expr]
    exclude: list[Expr]
    includes: list[str]
    min_score: float
    description: str = ""
    # a lone mention (the topic's only one) counts in full only beside one of these
    alone_needs: tuple[int, ...] = ()


@dataclass
class Compiled:
    forms: list[Form]
    leaves: list[Leaf]
    topics: list[TopicSpec]


_BRACES = re.compile(r"\{([^{}]*)\}")

# Limits on what a watchlist may cost (issue 9): every brace pair multiplies a term's spellings,
# and every spelling is a key of the automaton built in every crawl process. A term past
# MAX_SPELLINGS, a watchlist past MAX_FORMS searchable strings or MAX_TERM_CHARS in one term, and a
# file past MAX_FILE_BYTES (checked by whoever reads the file) are refused before anything is
# built. The shipped watchlist has ~3,000 forms; its largest term ~1,200 spellings.
MAX_SPELLINGS = 5_000
MAX_FORMS = 200_000
MAX_TERM_CHARS = 4_000
MAX_FILE_BYTES = 5 * 1024 * 1024


def expand(term: str, limit: int = MAX_SPELLINGS) -> list[str]:
    """'B{a,e}l{o,u}ch' -> four spellings; '{,the }Baloch' allows an empty alternative.

    The number of spellings is counted before any is built: past `limit` it is an error."""
    if len(term) > MAX_TERM_CHARS:
        raise ValueError(f"term is {len(term):,} characters long (at most {MAX_TERM_CHARS:,})")
    pieces = _BRACES.split(term)
    if "{" in "".join(pieces[0::2]) or "}" in "".join(pieces[0::2]):
        raise ValueError("unbalanced or nested braces")
    options = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(pieces)]
    count = 1
    for choice in options:
        count *= len(choice)
        if count > limit:
            raise ValueError(
                f"braces expand to more than {limit:,} spellings (at most {limit:,} per term)"
            )
    return ["".join(combo) for combo in product(*options)]


def _side_mode(ch: str, right: bool) -> int:
    if no_space_script(ch) or not is_word_char(ch):
        return FREE
    if right and "\uac00" <= ch <= "\ud7af":  # Hangul: particles attach to the noun
        return FREE
    if is_arabic_script(ch):
        return ARABIC
    return STRICT


class _Builder:
    def __init__(self, data: Any):
        self.data = data
        self.forms: list[Form] = []
        self.leaves: list[Leaf] = []
        self.by_name: dict[tuple[str, str], int] = {}
        self.phrase_leaves: dict[tuple, int] = {}
        self.blockers: dict[tuple[str, bool], int] = {}
        self.deps: dict[int, set[int]] = {}  # leaf -> leaves its terms' conditions read
        self.dep_paths: dict[tuple[int, int], tuple] = {}

    # -- small typed readers -------------------------------------------------------------
    def mapping(self, value: Any, path: tuple, allowed: set[str] | None = None) -> dict:
        if not isinstance(value, dict):
            raise WatchlistError(path, "must be a mapping")
        for key in value:
            if not isinstance(key, str):
                raise WatchlistError(path, f"keys must be text, not {key!r}")
            if allowed is not None and key not in allowed:
                raise WatchlistError(
                    (*path, key), f"unknown key (allowed: {', '.join(sorted(allowed))})"
                )
        return value

    def items(self, value: Any, path: tuple) -> list:
        if isinstance(value, str | dict):
            return [value]
        if not isinstance(value, list):
            raise WatchlistError(path, "must be a list")
        return value

    def names(self, value: Any, path: tuple) -> list[str]:
        out = []
        for i, item in enumerate(self.items(value, path)):
            if not isinstance(item, str) or not item.strip():
                raise WatchlistError(
                    (*path, i) if isinstance(value, list) else path, "must be a name"
                )
            out.append(item.strip())
        return out

    def positive_int(self, value: Any, path: tuple) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise WatchlistError(path, "must be a positive integer")
        return value

    def positive_number(self, value: Any, path: tuple) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise WatchlistError(path, "must be a positive number")
        return float(value)

    # -- leaves and forms ----------------------------------------------------------------
    def new_leaf(self, kind: str, name: str, **kw) -> int:
        self.leaves.append(Leaf(kind, name, ident=name, **kw))
        index = len(self.leaves) - 1
        self.by_name[(kind, name)] = index
        return index

    def split_wildcards(self, text: str, path: tuple) -> tuple[str, bool, bool]:
        text = text.strip()
        left = text.startswith("*")
        right = text.endswith("*") and len(text) > 1
        core = text[1 if left else 0 : len(text) - 1 if right else len(text)]
        if "*" in core:
            raise WatchlistError(path, "'*' may only stand at the start or end of a term")
        return core, left, right

    def make_forms(self, text: Any, path: tuple, leaf: int, case: bool, cond: dict) -> list[int]:
        if not isinstance(text, str) or not text.strip():
            raise WatchlistError(path, "must be a non-empty term")
        try:
            spellings = expand(text)
        except ValueError as exc:
            raise WatchlistError(path, str(exc)) from None
        if len(self.forms) + len(spellings) > MAX_FORMS:
            raise WatchlistError(
                path, f"the watchlist expands to more than {MAX_FORMS:,} forms (the limit)"
            )
        made = []
        for spelling in spellings:
            core, left_free, right_free = self.split_wildcards(spelling, path)
            key = normalise_term(core)
            if not key or not any(is_word_char(c) for c in key):
                raise WatchlistError(path, f"term {spelling!r} has no letters or digits to match")
            form = Form(
                key=key,
                surface=spelling.strip(),
                leaf=leaf,
                left=FREE if left_free else _side_mode(key[0], False),
                right=FREE if right_free else _side_mode(key[-1], True),
                cased=normalise_term(core, casefold=False) if case else None,
                phrase=" " in key,
                breaks=frozenset(PHRASE_BREAKS.intersection(core)),
                **cond,
            )
            self.forms.append(form)
            made.append(len(self.forms) - 1)
            if leaf >= 0:
                self.leaves[leaf].forms.append(made[-1])
        return made

    def blocker(self, text: Any, path: tuple, case: bool = False) -> list[int]:
        """Phrases of not_in / not_after / not_before: searched like terms, shared when repeated.
        With `case`, only that exact case blocks ("Quetta Town" in Karachi, not "Quetta town")."""
        if not isinstance(text, str) or not text.strip():
            raise WatchlistError(path, "must be a non-empty phrase")
        out = []
        try:
            spellings = expand(text)
        except ValueError as exc:
            raise WatchlistError(path, str(exc)) from None
        for spelling in spellings:
            marker = (spelling.strip(), case)
            if marker not in self.blockers:
                self.blockers[marker] = self.make_forms(marker[0], path, -1, case, {})[0]
            out.append(self.blockers[marker])
        return out

    def conditions(self, spec: dict, path: tuple, inherited: dict, owner: int) -> dict:
        """Conditions of a term: its own context/within/unless replace its entity's; blocking
        phrases (not_in, not_after, not_before) add to the entity's."""
        cond = {k: v for k, v in inherited.items()}
        if "context" in spec:
            cond["context"] = tuple(
                dict.fromkeys(self.refs(spec["context"], (*path, "context"), owner))
            )
            cond.pop("within", None)
        if "within" in spec:
            cond["within"] = self.positive_int(spec["within"], (*path, "within"))
        if "unless" in spec:
            cond["unless"] = tuple(
                dict.fromkeys(self.refs(spec["unless"], (*path, "unless"), owner))
            )
        for key in BLOCK_KEYS:
            if key in spec:
                blocks: list[int] = list(cond.get(key, ()))
                items = self.items(spec[key], (*path, key))
                for i, item in enumerate(items):
                    item_path = (*path, key, i) if isinstance(spec[key], list) else (*path, key)
                    if isinstance(item, dict):
                        code = self.block_class(item, item_path, key)
                        if code:
                            cond[f"code_{key[4:]}"] = True
                            continue
                        for phrase, phrase_path, case in self.group_phrases(item, item_path, key):
                            blocks.extend(self.blocker(phrase, phrase_path, case))
                        continue
                    blocks.extend(self.blocker(item, item_path))
                cond[key] = tuple(dict.fromkeys(blocks))
        if cond.get("within") and not cond.get("context"):
            raise WatchlistError((*path, "within"), "needs a context to be near to")
        return cond

    def block_class(self, item: dict, path: tuple, key: str) -> bool:
        """{class: code} in not_after/not_before: a code such as a registration or a flight
        number ("AP-BLA", "BLA-320") is no mention."""
        if "class" not in item:
            return False
        if set(item) != {"class"} or item["class"] != "code":
            raise WatchlistError(path, "must be {class: code}, {group: name} or a phrase")
        if key == "not_in":
            raise WatchlistError(path, "{class: code} goes in not_after or not_before")
        return True

    def group_phrases(self, item: dict, path: tuple, key: str, seen: tuple = ()) -> list:
        """{group: name} in not_in/not_after/not_before: every term of that group is a blocking
        phrase ("not before a business word"), so one list serves every name."""
        if set(item) != {"group"} or not isinstance(item["group"], str):
            raise WatchlistError(path, "must be {group: name}, {class: code} or a phrase")
        name = item["group"]
        groups = (self.data or {}).get("groups") or {}
        if name not in groups:
            known = sorted(groups)
            hint = f" (known: {', '.join(known)})" if known and len(known) <= 12 else ""
            raise WatchlistError((*path, "group"), f"unknown group {name!r}{hint}")
        if name in seen:
            raise WatchlistError((*path, "group"), f"group {name!r} includes itself")
        members = groups[name]
        gpath: tuple = ("groups", name)
        if isinstance(members, dict):
            members = members.get("terms")
            gpath = (*gpath, "terms")
        out = []
        for i, member in enumerate(self.items(members, gpath)):
            mpath = (*gpath, i) if isinstance(members, list) else gpath
            case = False
            if isinstance(member, dict) and "form" in member:
                case = member.get("case", False)
                if not isinstance(case, bool):
                    raise WatchlistError((*mpath, "case"), "must be true or false")
                member, mpath = member["form"], (*mpath, "form")
            if isinstance(member, dict):
                out.extend(self.group_phrases(member, mpath, key, (*seen, name)))
            else:
                out.append((member, mpath, case))
        return out

    def refs(self, value: Any, path: tuple, owner: int) -> list[int]:
        """Context/unless items: phrases, or {group: name} / {entity: id} references."""
        out = []
        items = self.items(value, path)
        for i, item in enumerate(items):
            item_path = (*path, i) if isinstance(value, list) else path
            leaf = self.leaf_ref(item, item_path)
            out.append(leaf)
            self.deps.setdefault(owner, set()).add(leaf)
            self.dep_paths.setdefault((owner, leaf), item_path)
        return out

    def leaf_ref(self, item: Any, path: tuple) -> int:
        if isinstance(item, str):
            return self.phrase_leaf(item, False, path)
        spec = self.mapping(item, path)
        kinds = [k for k in ("entity", "group", "phrase") if k in spec]
        extra = set(spec) - {"entity", "group", "phrase", "case"}
        if len(kinds) != 1 or extra or ("case" in spec and kinds != ["phrase"]):
            raise WatchlistError(
                path, "must be a phrase, {phrase: ..., case: true}, {entity: id} or {group: name}"
            )
        kind = kinds[0]
        if kind == "phrase":
            case = spec.get("case", False)
            if not isinstance(case, bool):
                raise WatchlistError((*path, "case"), "must be true or false")
            return self.phrase_leaf(spec["phrase"], case, (*path, "phrase"))
        name = spec[kind]
        if not isinstance(name, str) or (kind, name) not in self.by_name:
            known = sorted(n for k, n in self.by_name if k == kind)
            hint = f" (known: {', '.join(known)})" if known and len(known) <= 12 else ""
            raise WatchlistError((*path, kind), f"unknown {kind} {name!r}{hint}")
        return self.by_name[(kind, name)]

    def phrase_leaf(self, text: Any, case: bool, path: tuple) -> int:
        if not isinstance(text, str) or not text.strip():
            raise WatchlistError(path, "must be a non-empty phrase")
        marker = (text.strip(), case)
        if marker not in self.phrase_leaves:
            leaf = len(self.leaves)
            self.leaves.append(Leaf("phrase", text.strip()))
            self.make_forms(text, path, leaf, case, {})
            self.phrase_leaves[marker] = leaf
        return self.phrase_leaves[marker]

    def terms(
        self, value: Any, path: tuple, leaf: int, case: bool, inherited: dict, refs: bool = False
    ) -> None:
        """A list of terms owned by `leaf` (entity aliases, group members, topic keywords).

        With `refs`, an item may also be {group: name} or {entity: id}: its mentions count too."""
        for i, item in enumerate(self.items(value, path)):
            item_path = (*path, i) if isinstance(value, list) else path
            if (
                refs
                and isinstance(item, dict)
                and "form" not in item
                and ("group" in item or "entity" in item)
            ):
                member = self.leaf_ref(item, item_path)
                self.leaves[leaf].members.append(member)
                self.deps.setdefault(leaf, set()).add(member)
                self.dep_paths.setdefault((leaf, member), item_path)
                continue
            if isinstance(item, dict):
                spec = self.mapping(item, item_path, TERM_KEYS)
                if "form" not in spec:
                    raise WatchlistError(item_path, "a term given as a mapping needs `form`")
                item_case = spec.get("case", case)
                if not isinstance(item_case, bool):
                    raise WatchlistError((*item_path, "case"), "must be true or false")
                cond = self.conditions(spec, item_path, inherited, leaf)
                self.make_forms(spec["form"], (*item_path, "form"), leaf, item_case, cond)
            else:
                self.make_forms(item, item_path, leaf, case, dict(inherited))

    # -- the three sections ------------------------------------------------------------------
    def build(self) -> Compiled:
        data = self.mapping(self.data if self.data is not None else {}, (), TOP_KEYS)
        groups = self.mapping(data.get("groups") or {}, ("groups",))
        entities = self.mapping(data.get("entities") or {}, ("entities",))
        topics = self.mapping(data.get("topics") or {}, ("topics",))
        if not topics:
            raise WatchlistError(("topics",), "define at least one topic")
        # Declare every group and entity first, so conditions may refer to any of them.
        for name in groups:
            self.new_leaf("group", name)
        for ident, spec in entities.items():
            spec = self.mapping(spec, ("entities", ident), ENTITY_KEYS)
            weight = self.positive_number(spec.get("weight", 1), ("entities", ident, "weight"))
            etype = spec.get("type")
            if etype not in ENTITY_TYPES:
                raise WatchlistError(
                    ("entities", ident, "type"), f"must be one of: {', '.join(ENTITY_TYPES)}"
                )
            name = spec.get("name", ident)
            if not isinstance(name, str) or not name.strip():
                raise WatchlistError(("entities", ident, "name"), "must be a non-empty name")
            self.new_leaf("entity", ident, weight=weight, type=etype)
            self.leaves[-1].name = name.strip()
            self.by_name[("entity", ident)] = len(self.leaves) - 1
        for name, members in groups.items():
            leaf = self.by_name[("group", name)]
            path = ("groups", name)
            inherited: dict = {}
            if isinstance(members, dict):
                spec = self.mapping(members, path, GROUP_KEYS)
                inherited = self.conditions(spec, path, {}, leaf)
                if "weight" in spec:
                    weight = spec["weight"]
                    if (
                        isinstance(weight, bool)
                        or not isinstance(weight, int | float)
                        or weight < 0
                    ):
                        raise WatchlistError((*path, "weight"), "must be a number >= 0")
                    self.leaves[leaf].weight = float(weight)
                members = spec.get("terms")
                path = (*path, "terms")
            if members is None or members == []:
                raise WatchlistError(path, "must list at least one term")
            self.terms(members, path, leaf, False, inherited, refs=True)
        for ident, spec in entities.items():
            path = ("entities", ident)
            leaf = self.by_name[("entity", ident)]
            inherited = self.conditions(spec, path, {}, leaf)
            if not spec.get("aliases") and not spec.get("acronyms"):
                raise WatchlistError(path, "needs `aliases` or `acronyms`")
            if spec.get("aliases"):
                self.terms(spec["aliases"], (*path, "aliases"), leaf, False, inherited)
            if spec.get("acronyms"):
                self.terms(spec["acronyms"], (*path, "acronyms"), leaf, True, inherited)
        self.check_cycles()
        compiled_topics = [self.topic(name, spec) for name, spec in topics.items()]
        names = {t.name for t in compiled_topics}
        for topic in compiled_topics:
            for i, other in enumerate(topic.includes):
                if other not in names:
                    raise WatchlistError(
                        ("topics", topic.name, "includes", i), f"unknown topic {other!r}"
                    )
                if other == topic.name:
                    raise WatchlistError(
                        ("topics", topic.name, "includes", i), "a topic cannot include itself"
                    )
        self.implies(topics, compiled_topics)
        return Compiled(self.forms, self.leaves, compiled_topics)

    def implies(self, raw: dict, compiled: list[TopicSpec]) -> None:
        """`bla: implies: [balochistan]` is `balochistan: includes: [bla]` written the other way."""
        by_name = {t.name: t for t in compiled}
        for name, spec in raw.items():
            implied = self.names(spec.get("implies") or [], ("topics", name, "implies"))
            for i, other in enumerate(implied):
                path = ("topics", name, "implies", i)
                if other not in by_name:
                    raise WatchlistError(path, f"unknown topic {other!r}")
                if other == name:
                    raise WatchlistError(path, "a topic cannot imply itself")
                if name not in by_name[other].includes:
                    by_name[other].includes.append(name)

    def topic(self, name: str, spec: Any) -> TopicSpec:
        path = ("topics", name)
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise WatchlistError(path, "topic names are lower-case letters, digits, - and _")
        spec = self.mapping(spec, path, TOPIC_KEYS)
        leaves = []
        for i, ident in enumerate(self.names(spec.get("entities") or [], (*path, "entities"))):
            if ("entity", ident) not in self.by_name:
                raise WatchlistError((*path, "entities", i), f"unknown entity {ident!r}")
            leaves.append(self.by_name[("entity", ident)])
        if spec.get("keywords"):
            leaf = len(self.leaves)
            self.leaves.append(Leaf("group", f"{name} keywords", ident=f"{name} keywords"))
            self.terms(spec["keywords"], (*path, "keywords"), leaf, False, {}, refs=True)
            leaves.append(leaf)
        rules = [
            self.rule(r, (*path, "rules", i))
            for i, r in enumerate(self.items(spec.get("rules") or [], (*path, "rules")))
        ]
        exclude = [
            self.expr(r, (*path, "exclude", i))
            for i, r in enumerate(self.items(spec.get("exclude") or [], (*path, "exclude")))
        ]
        includes = self.names(spec.get("includes") or [], (*path, "includes"))
        if not leaves and not rules and not includes and not spec.get("implies"):
            raise WatchlistError(path, "needs `entities`, `keywords`, `rules` or `includes`")
        min_score = self.positive_number(spec.get("min_score", 1.0), (*path, "min_score"))
        description = spec.get("description") or ""
        alone_path = (*path, "alone_needs")
        alone = tuple(
            self.leaf_ref(item, (*alone_path, i))
            for i, item in enumerate(self.items(spec.get("alone_needs") or [], alone_path))
        )
        return TopicSpec(
            name, leaves, rules, exclude, includes, min_score, str(description), alone_needs=alone
        )

    def rule(self, value: Any, path: tuple) -> Expr:
        expr = self.expr(value, path)
        if expr.leaf < 0 and not expr.all and not expr.any:
            raise WatchlistError(path, "needs `all` or `any`: a rule without terms flags nothing")
        return expr

    def expr(self, value: Any, path: tuple) -> Expr:
        if isinstance(value, str):
            leaf = self.phrase_leaf(value, False, path)
            return Expr(leaf=leaf, text=repr(value))
        spec = self.mapping(value, path, RULE_KEYS)
        combinators = {"all", "any", "not", "near", "more"} & set(spec)
        if not combinators:
            leaf = self.leaf_ref(spec, path)
            return Expr(leaf=leaf, text=self.describe_leaf(leaf))
        if {"phrase", "entity", "group", "case"} & set(spec):
            raise WatchlistError(path, "mix of a term and all/any/not: nest the term in a list")
        expr = Expr()
        for key in ("all", "any", "not"):
            if key in spec:
                items = self.items(spec[key], (*path, key))
                if not items:
                    raise WatchlistError((*path, key), "must not be empty")
                subs = []
                for i, item in enumerate(items):
                    sub_path = (*path, key, i) if isinstance(spec[key], list) else (*path, key)
                    subs.append(self.expr(item, sub_path))
                setattr(expr, "not_" if key == "not" else key, subs)
        if "more" in spec:
            pair = spec["more"]
            if not isinstance(pair, list) or len(pair) != 2:
                raise WatchlistError(
                    (*path, "more"), "must list two terms: [more of this, than this]"
                )
            expr.more = (
                self.expr(pair[0], (*path, "more", 0)),
                self.expr(pair[1], (*path, "more", 1)),
            )
        if "near" in spec:
            expr.near = self.positive_int(spec["near"], (*path, "near"))
            operands = len(expr.all) + (1 if expr.any else 0)
            if operands < 2:
                raise WatchlistError(
                    (*path, "near"), "needs at least two terms to compare (`all` with two or more)"
                )
        parts = []
        if expr.all:
            parts.append("all(" + ", ".join(e.text for e in expr.all) + ")")
        if expr.any:
            parts.append("any(" + ", ".join(e.text for e in expr.any) + ")")
        if expr.near:
            parts.append(f"within {expr.near} words")
        if expr.more:
            parts.append(f"more({expr.more[0].text} than {expr.more[1].text})")
        if expr.not_:
            parts.append("not(" + ", ".join(e.text for e in expr.not_) + ")")
        expr.text = " ".join(parts)
        return expr

    def describe_leaf(self, leaf: int) -> str:
        return describe(self.leaves[leaf])

    def check_cycles(self) -> None:
        """A term whose context needs itself (directly or around a loop) can never be decided."""
        state: dict[int, int] = {}

        def visit(node: int, trail: list[int]) -> None:
            state[node] = 1
            for nxt in sorted(self.deps.get(node, ())):
                if state.get(nxt) == 1 or nxt == node:
                    path = self.dep_paths[(node, nxt)]
                    names = [self.describe_leaf(n) for n in (*trail, node, nxt)]
                    raise WatchlistError(path, "refers to itself: " + " -> ".join(names))
                if nxt not in state:
                    visit(nxt, [*trail, node])
            state[node] = 2

        for node in list(self.deps):
            if node not in state:
                visit(node, [])


def describe(node: Leaf) -> str:
    """How explanations name a leaf: 'Quetta' (a phrase), group pakistan, entity bla."""
    return repr(node.name) if node.kind == "phrase" else f"{node.kind} {node.ident or node.name}"


def build(data: Any) -> Compiled:
    return _Builder(data).build()
