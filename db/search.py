"""Full-text search over the archive: FTS5 expressions, bm25 ranking, highlighted snippets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from mediawatch.db.queries import ArchiveReadError, QueryError, QueryRefused, QueryTimeout, Reader

TITLE_WEIGHT = 5.0  # a word in the headline counts for more than the same word in the body
TEXT_WEIGHT = 1.0
SNIPPET_TOKENS = 24
SEARCH_WINDOW = 10_000  # rank among this many most recently stored matches; 0 for all
PREFIX_TERMS = 64  # a prefix standing for more words than this stays a prefix query
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


class SearchSyntaxError(QueryError):
    """The search words are not a valid FTS5 expression."""


class UnknownFilter(QueryError):
    """--topic or --source names nothing the archive (or the configuration) knows."""


@dataclass
class Hit:
    id: int
    title: str | None
    url: str
    outlet: str | None
    source: str
    published_at: str | None
    language: str | None
    rank: float
    snippet: str = ""
    topics: list[str] = field(default_factory=list)


# quoted phrases, parentheses, or runs of anything else
_PIECES = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
# a word with punctuation (China-Pakistan, U.S., O'Brien): FTS5 would call it a syntax error
_COMPOUND = re.compile(r"^(\w[\w'’.\-/&]*[\w.])(\*?)$")


def fts_expression(words: str, expand=None) -> str:
    """Quote compound words so "China-Pakistan corridor" searches the phrase, keep the rest as typed.

    Phrases, OR / AND / NOT / NEAR, prefix*, column filters (title:) and parentheses pass unchanged;
    anything still malformed is left for FTS5 to reject with its own message. `expand`, when
    given, turns a bare prefix* (outside NEAR) into an OR of the words it stands for.
    """
    out: list[str] = []
    near_depth = 0
    for piece in _PIECES.findall(words):
        if piece == "(" and out and out[-1] == "NEAR":
            near_depth = 1
        elif piece == "(" and near_depth:
            near_depth += 1
        elif piece == ")" and near_depth:
            near_depth -= 1
        compound = _COMPOUND.match(piece)
        prefix = re.fullmatch(r"(\w+)\*", piece)
        if prefix and expand and not near_depth:
            out.append(expand(prefix.group(1)) or piece)
        elif (
            compound
            and not near_depth
            and piece not in OPERATORS
            and not re.fullmatch(r"\w+\*?", piece)
            and not re.match(r"^\w+:", piece)
        ):
            out.append(f'"{compound.group(1)}"{compound.group(2)}')
        else:
            out.append(piece)
    return " ".join(out)


def search(
    reader: Reader,
    words: str,
    *,
    topic: str | None = None,
    source: str | None = None,
    since: str | None = None,
    limit: int = 20,
    window: int | None = SEARCH_WINDOW,
    marks: tuple[str, str] = ("[", "]"),
    known_topics: frozenset[str] = frozenset(),
    known_sources: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Best `limit` articles for `words` by bm25, among the `window` most recently stored
    articles that match (None or 0: among all of them).

    bm25 has to be computed for every candidate; for a common word on a large archive that is
    every article, so the window bounds the cost (FTS5 walks rowids newest first and stops).
    Filters are sets built once from indexes ("+rowid" keeps FTS5 from being asked per id).
    Snippets are made for the winners only: snippet() reads the article text.
    A topic or source that neither the archive nor `known_topics` / `known_sources` (the
    configuration) has heard of is an error, so a typo never looks like "no coverage".
    """
    _check_filters(reader, topic, source, known_topics, known_sources)
    expression = fts_expression(words or "", expand=lambda stem: _expand_prefix(reader, stem))
    if not expression.strip():
        raise SearchSyntaxError("search: give one or more words to look for")
    filters = []
    params: dict[str, object] = {"q": expression, "limit": int(limit)}
    if topic:
        filters.append("SELECT article_id FROM matches WHERE topic = :topic")
        params["topic"] = topic
    if source:
        filters.append(
            "SELECT id FROM articles WHERE source = :source "
            "UNION ALL SELECT id FROM articles WHERE outlet = :source"
        )
        params["source"] = source
    if since:
        filters.append(
            "SELECT id FROM articles WHERE published_at >= :since UNION ALL "
            "SELECT id FROM articles WHERE published_at IS NULL AND fetched_at >= :since"
        )
        params["since"] = since
    where = "".join(f" AND +articles_fts.rowid IN ({f})" for f in filters)
    # a Google News item linked to the article another source brought is the same story: show it once
    where += " AND +articles_fts.rowid NOT IN (SELECT id FROM articles WHERE same_as IS NOT NULL)"
    rank = f"bm25(articles_fts, {TITLE_WEIGHT}, {TEXT_WEIGHT})"
    if window:
        params["window"] = int(window)
        ranked_sql = f"""
            SELECT id, rank FROM (
                SELECT articles_fts.rowid AS id, {rank} AS rank
                FROM articles_fts WHERE articles_fts MATCH :q{where}
                ORDER BY articles_fts.rowid DESC LIMIT :window
            ) ORDER BY rank LIMIT :limit
        """
    else:
        ranked_sql = f"""
            SELECT articles_fts.rowid, {rank} AS rank
            FROM articles_fts WHERE articles_fts MATCH :q{where}
            ORDER BY rank LIMIT :limit
        """
    ranked = _run(reader, ranked_sql, params, words)
    hits = []
    for article_id, score in ranked:
        details = _run(
            reader,
            """
            SELECT a.title, a.url, a.outlet, a.source, a.published_at, a.language,
                   snippet(articles_fts, -1, :open, :close, '…', :tokens),
                   (SELECT group_concat(topic, ',') FROM
                       (SELECT topic FROM matches WHERE article_id = a.id ORDER BY score DESC))
            FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
            WHERE articles_fts MATCH :q AND articles_fts.rowid = :id
            """,
            {
                "q": expression,
                "id": article_id,
                "open": marks[0],
                "close": marks[1],
                "tokens": SNIPPET_TOKENS,
            },
            words,
        )
        if not details:
            continue
        title, url, outlet, src, published, language, snippet, topics = details[0]
        hits.append(
            Hit(
                id=article_id,
                title=title,
                url=url,
                outlet=outlet,
                source=src,
                published_at=published,
                language=language,
                rank=score,
                snippet=snippet or "",
                topics=topics.split(",") if topics else [],
            )
        )
    return hits


def _check_filters(reader, topic, source, known_topics, known_sources) -> None:
    if topic and topic not in known_topics:
        found = _run(reader, "SELECT 1 FROM matches WHERE topic = :t LIMIT 1", {"t": topic}, "")
        if not found:
            names = sorted(
                {t for (t,) in _run(reader, "SELECT DISTINCT topic FROM matches", {}, "")}
                | set(known_topics)
            )
            raise UnknownFilter(
                f"search: no topic named {topic!r} (known: {', '.join(names) or 'none yet'})"
            )
    if source and source not in known_sources:
        found = _run(
            reader,
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM articles WHERE source = :s) "
            "OR EXISTS (SELECT 1 FROM articles WHERE outlet = :s)",
            {"s": source},
            "",
        )
        if not found:
            raise UnknownFilter(
                f"search: no source or outlet named {source!r} in the archive or sources.yaml"
            )


def _expand_prefix(reader: Reader, stem: str) -> str | None:
    """`balo*` -> ("baloch" OR "balochistan" ...): FTS5 would merge every matching word's full
    posting list before the first row (slow on a big archive); an OR of words is read lazily,
    newest first, so the search window applies. None (keep the prefix) when it covers too much."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", stem.lower()) if not unicodedata.combining(c)
    )
    try:
        cursor = reader.execute(
            "SELECT term FROM temp.articles_vocab WHERE term >= :p AND term < :p || char(1114111) "
            "LIMIT :most",
            {"p": folded, "most": PREFIX_TERMS + 1},
        )
        terms = [t for (t,) in reader.fetch(cursor)]
    except QueryError:
        return None
    if not terms or len(terms) > PREFIX_TERMS:
        return None
    return "(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")"


def _run(reader: Reader, sql: str, params: dict, words: str) -> list[tuple]:
    try:
        return list(reader.fetch(reader.execute(sql, params)))
    except (QueryTimeout, QueryRefused, ArchiveReadError):  # not the words' fault
        raise
    except QueryError as exc:
        cause = str(exc).removeprefix("query: ")
        if cause.startswith("no such table"):
            raise
        # the words are the only thing the user put into these statements
        raise SearchSyntaxError(
            f"search: cannot read {words!r} as a search ({cause}); "
            'use words, "exact phrases", OR, NOT, prefix* and parentheses'
        ) from None
