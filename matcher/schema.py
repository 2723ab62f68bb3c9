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
from typing import Any, TypeVar

from mediawatch.matcher.configmodel import first_error
from mediawatch.matcher.errors import WatchlistError
from mediawatch.matcher.normalise import (
    PHRASE_BREAKS,
    is_arabic_script,
    is_word_char,
    no_space_script,
    normalise_term,
)
from mediawatch.matcher.watchlist import Entity, Group, Rule, Term, Topic, Watchlist, item_path
from pydantic import BaseModel, ValidationError

STRICT, FREE, ARABIC = 0, 1, 2
BLOCK_KEYS = ("not_in", "not_after", "not_before")
M = TypeVar("M", bound=BaseModel)


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

    def describe(self) -> str:
        """How explanations write a combination: all(...) any(...) within N words ..."""
        parts = []
        if self.all:
            parts.append("all(" + ", ".join(e.text for e in self.all) + ")")
        if self.any:
            parts.append("any(" + ", ".join(e.text for e in self.any) + ")")
        if self.near:
            parts.append(f"within {self.near} words")
        if self.more:
            parts.append(f"more({self.more[0].text} than {self.more[1].text})")
        if self.not_:
            parts.append("not(" + ", ".join(e.text for e in self.not_) + ")")
        return " ".join(parts)


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
    # a dateline of the topic's own place counts as a plain mention beside one of these
    dateline_needs: tuple[int, ...] = ()


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
        self.watchlist = self.parse(Watchlist, data if data is not None else {}, ())
        self.forms: list[Form] = []
        self.leaves: list[Leaf] = []
        self.by_name: dict[tuple[str, str], int] = {}
        self.phrase_leaves: dict[tuple, int] = {}
        self.blockers: dict[tuple[str, bool], int] = {}
        self.deps: dict[int, set[int]] = {}  # leaf -> leaves its terms' conditions read
        self.dep_paths: dict[tuple[int, int], tuple] = {}

    # -- the shape is the models' (matcher.watchlist); these read terms and references ---------
    def mapping(self, value: Any, path: tuple) -> dict:
        if not isinstance(value, dict):
            raise WatchlistError(path, "must be a mapping")
        return value

    def items(self, value: Any, path: tuple) -> list:
        if isinstance(value, str | dict):
            return [value]
        if not isinstance(value, list):
            raise WatchlistError(path, "must be a list")
        return value

    def parse(self, model: type[M], value: Any, path: tuple) -> M:
        """`value` read by one of the watchlist's models; its error located under `path`."""
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            inner, message = first_error(exc)
            raise WatchlistError((*path, *inner), message) from None

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
            cond["within"] = spec["within"]  # a positive integer (the models checked it)
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
                term = self.parse(Term, item, item_path)
                item_case = term.case if "case" in term.model_fields_set else case
                cond = self.conditions(term.conditions(), item_path, inherited, leaf)
                self.make_forms(term.form, (*item_path, "form"), leaf, item_case, cond)
            else:
                self.make_forms(item, item_path, leaf, case, dict(inherited))

    # -- the three sections ------------------------------------------------------------------
    def build(self) -> Compiled:
        groups, entities = self.watchlist.groups, self.watchlist.entities
        # Declare every group and entity first, so conditions may refer to any of them.
        for name in groups:
            self.new_leaf("group", name)
        for ident, entity in entities.items():
            leaf = self.new_leaf("entity", ident, weight=entity.weight, type=entity.type)
            self.leaves[leaf].name = (entity.name if entity.name is not None else ident).strip()
        for name, group in groups.items():
            self.group(name, group)
        for ident, entity in entities.items():
            self.entity(ident, entity)
        self.check_cycles()
        topics = [self.topic(name, spec) for name, spec in self.watchlist.topics.items()]
        self.check_includes(topics)
        self.implies(topics)
        return Compiled(self.forms, self.leaves, topics)

    def group(self, name: str, group: Group | Any) -> None:
        """A group's terms (a list, or a mapping with `terms`, a weight and conditions)."""
        leaf = self.by_name[("group", name)]
        path: tuple = ("groups", name)
        inherited: dict = {}
        members = group
        if isinstance(group, Group):
            inherited = self.conditions(group.conditions(), path, {}, leaf)
            if group.weight is not None:
                self.leaves[leaf].weight = group.weight
            members, path = group.terms, (*path, "terms")
        if members is None or members == []:
            raise WatchlistError(path, "must list at least one term")
        self.terms(members, path, leaf, False, inherited, refs=True)

    def entity(self, ident: str, entity: Entity) -> None:
        """An entity's aliases and (case-sensitive) acronyms, with its conditions."""
        path = ("entities", ident)
        leaf = self.by_name[("entity", ident)]
        inherited = self.conditions(entity.conditions(), path, {}, leaf)
        if not entity.aliases and not entity.acronyms:
            raise WatchlistError(path, "needs `aliases` or `acronyms`")
        if entity.aliases:
            self.terms(entity.aliases, (*path, "aliases"), leaf, False, inherited)
        if entity.acronyms:
            self.terms(entity.acronyms, (*path, "acronyms"), leaf, True, inherited)

    def check_includes(self, topics: list[TopicSpec]) -> None:
        names = {t.name for t in topics}
        for topic in topics:
            for i, other in enumerate(topic.includes):
                path = ("topics", topic.name, "includes", i)
                if other not in names:
                    raise WatchlistError(path, f"unknown topic {other!r}")
                if other == topic.name:
                    raise WatchlistError(path, "a topic cannot include itself")

    def implies(self, compiled: list[TopicSpec]) -> None:
        """`bla: implies: [balochistan]` is `balochistan: includes: [bla]` written the other way."""
        by_name = {t.name: t for t in compiled}
        for name, spec in self.watchlist.topics.items():
            for i, other in enumerate(spec.implies):
                path = ("topics", name, "implies", i)
                if other not in by_name:
                    raise WatchlistError(path, f"unknown topic {other!r}")
                if other == name:
                    raise WatchlistError(path, "a topic cannot imply itself")
                if name not in by_name[other].includes:
                    by_name[other].includes.append(name)

    def topic(self, name: str, spec: Topic) -> TopicSpec:
        path = ("topics", name)
        leaves = []
        for i, ident in enumerate(spec.entities):
            if ("entity", ident) not in self.by_name:
                raise WatchlistError((*path, "entities", i), f"unknown entity {ident!r}")
            leaves.append(self.by_name[("entity", ident)])
        if spec.keywords:
            leaf = len(self.leaves)
            self.leaves.append(Leaf("group", f"{name} keywords", ident=f"{name} keywords"))
            self.terms(spec.keywords, (*path, "keywords"), leaf, False, {}, refs=True)
            leaves.append(leaf)
        rules = [self.rule(r, (*path, "rules", i)) for i, r in enumerate(spec.rules)]
        exclude = [self.expr(r, (*path, "exclude", i)) for i, r in enumerate(spec.exclude)]
        includes = list(spec.includes)
        if not leaves and not rules and not includes and not spec.implies:
            raise WatchlistError(path, "needs `entities`, `keywords`, `rules` or `includes`")
        alone_path = (*path, "alone_needs")
        alone = tuple(
            self.leaf_ref(item, (*alone_path, i))
            for i, item in enumerate(self.items(spec.alone_needs or [], alone_path))
        )
        dateline_path = (*path, "dateline_needs")
        dateline = tuple(
            self.leaf_ref(item, (*dateline_path, i))
            for i, item in enumerate(self.items(spec.dateline_needs or [], dateline_path))
        )
        description = str(spec.description or "")
        return TopicSpec(
            name,
            leaves,
            rules,
            exclude,
            includes,
            spec.min_score,
            description,
            alone_needs=alone,
            dateline_needs=dateline,
        )

    def rule(self, value: Rule | str, path: tuple) -> Expr:
        expr = self.expr(value, path)
        if expr.leaf < 0 and not expr.all and not expr.any:
            raise WatchlistError(path, "needs `all` or `any`: a rule without terms flags nothing")
        return expr

    def expr(self, value: Rule | str, path: tuple) -> Expr:
        """A rule compiled: a term becomes its leaf; all/any/not/more their compiled parts."""
        if isinstance(value, str):
            return Expr(leaf=self.phrase_leaf(value, False, path), text=repr(value))
        if value.is_term:
            leaf = self.leaf_ref(value.spec, path)
            return Expr(leaf=leaf, text=self.describe_leaf(leaf))
        parts = {
            key: [self.expr(x, item_path((*path, key), found, i)) for i, x in enumerate(found)]
            for key, found in (("all", value.all), ("any", value.any), ("not", value.not_))
        }
        expr = Expr(all=parts["all"], any=parts["any"], not_=parts["not"], near=value.near)
        if value.more is not None:
            expr.more = (
                self.expr(value.more[0], (*path, "more", 0)),
                self.expr(value.more[1], (*path, "more", 1)),
            )
        expr.text = expr.describe()
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
