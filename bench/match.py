"""Matcher throughput: default watchlist vs 5,000-term watchlists (real names; generated) vs a regex.

    .venv/bin/python bench/match.py [--seconds 3] [--terms 5000] [--real-share 0.1] [--stress]

Input is real article text: the bodies of ../shared/corpus/news-pages (many languages), or generated
English-like text when the corpus is not beside the checkout. Figures are MB of UTF-8 per second on
one core, Matcher.match() with normalisation, entities, terms and snippets included; the same texts
go through every contender in the same run, and each figure is the median pass (the machine may be
shared).

The generated watchlist: 5,000 terms in 1,000 entities and 50 topics, some with a context
condition; by default 10% are names that occur in the input (so hits get checked, most articles
flag a topic or two), the rest made-up names. --real-share and --stress make it harsher (--stress
--real-share 0.5: most articles hit a dozen topics, and building their snippets dominates).

The real-name watchlist: the 5,000 names of bench/match_names.txt (places, bodies, parties, armed
groups and people of the region in English, Urdu and Persian, then names that occur in the corpus
texts; the file says where each part comes from), spread over entities and topics the same way.

For both 5,000-term watchlists it also prints where a median pass goes: the scan (normalisation,
automaton, hit checks) and the topics' work after it, which grows with the mentions of flagged
topics (each mention's role, scores, snippets), not with the input's size.

Targets (issue 3): >= 10 MB/s with 5,000 terms, and at most 2x slower than the default watchlist.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediawatch.matcher.normalise import normalise  # noqa: E402

from mediawatch import matcher  # noqa: E402
from mediawatch.config import load_watchlist  # noqa: E402

SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()),
    ROOT.parent / "shared",
)  # beside the checkout (a worktree one level deeper finds it one level up)
CORPUS = SHARED / "corpus" / "news-pages" / "ground_truth.json"
REAL_NAMES = Path(__file__).resolve().parent / "match_names.txt"


def real_terms(count: int) -> list[str]:
    """The first `count` names of bench/match_names.txt (comment lines start with #)."""
    lines = REAL_NAMES.read_text(encoding="utf-8").splitlines()
    names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return names[:count]


def load_texts() -> tuple[list[tuple[str, str]], str]:
    if CORPUS.exists():
        data = json.loads(CORPUS.read_text(encoding="utf-8"))
        texts = [(v.get("title") or "", v.get("articleBody") or "") for v in data.values()]
        return [t for t in texts if t[1]], f"{CORPUS.parent.name} corpus ({len(texts)} articles)"
    return generated_texts(300), "generated text (corpus not found)"


TEXT_SYLLABLES = [
    "ta",
    "ne",
    "ri",
    "so",
    "ma",
    "ku",
    "le",
    "pi",
    "do",
    "ge",
    "ve",
    "mo",
    "ra",
    "si",
    "tu",
]
TERM_SYLLABLES = [
    "ba",
    "ka",
    "lo",
    "chi",
    "stan",
    "gwa",
    "dar",
    "que",
    "tta",
    "pan",
    "jur",
    "mas",
    "tung",
    "khu",
    "zar",
]


def generated_texts(n: int) -> list[tuple[str, str]]:
    """English-like filler: common words, made-up words, and capitalised names now and then."""
    rng = random.Random(7)
    words = [fake_word(rng, TEXT_SYLLABLES) for _ in range(4000)]
    words += [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "was",
        "said",
        "with",
        "by",
    ] * 60
    names = [fake_word(rng, TEXT_SYLLABLES).title() for _ in range(600)]
    texts = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.randint(20, 60)):
            chosen = [
                rng.choice(names) if rng.random() < 0.05 else rng.choice(words)
                for _ in range(rng.randint(8, 25))
            ]
            sentence = " ".join(chosen)
            sentences.append(sentence[:1].upper() + sentence[1:] + rng.choice([".", ".", "?"]))
        texts.append((" ".join(rng.choice(words) for _ in range(8)).title(), " ".join(sentences)))
    return texts


def fake_word(rng: random.Random, syllables: list[str] = TERM_SYLLABLES) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def generated_terms(
    texts: list[tuple[str, str]], count: int, real_share: float = 0.1, stress: bool = False
) -> list[str]:
    """`real_share` of names that occur in the texts (so there are hits to check), the rest made up.

    Names are what watchlists hold: capitalised words and pairs that the texts never write in
    lower case (so not German common nouns or sentence starts), seen in under 2% of the articles.
    With `stress`, any capitalised word or pair past the 200 most frequent: a worst case where most
    articles hit a dozen topics."""
    rng = random.Random(11)
    docs: Counter = Counter()  # in how many texts a name occurs
    lower: set[str] = set()
    for title, text in texts:
        tokens = re.findall(r"\w+", f"{title} {text}")
        seen = set()
        for i, tok in enumerate(tokens):
            if tok.islower():
                lower.add(tok)
            if tok[:1].isupper() and len(tok) > 3:
                seen.add(tok)
                if i + 1 < len(tokens) and tokens[i + 1][:1].isupper():
                    seen.add(f"{tok} {tokens[i + 1]}")
        docs.update(seen)
    by_count = sorted(docs, key=lambda t: (-docs[t], t))
    if stress:
        ranked = by_count[200:]
    else:
        limit = max(2, len(texts) // 50)
        ranked = [
            t
            for t in by_count
            if docs[t] <= limit and not any(w.lower() in lower for w in t.split())
        ]
    real = rng.sample(ranked, min(len(ranked), int(count * real_share)))
    made_up: set[str] = set()
    while len(made_up) < count - len(real):
        made_up.add(" ".join(fake_word(rng).title() for _ in range(rng.randint(1, 3))))
    terms = [*real, *sorted(made_up)]
    rng.shuffle(terms)
    return terms[:count]


def watchlist_of(terms: list[str], topics: int = 50) -> dict:
    """Terms spread over entities and topics, with a few conditions, like a real watchlist."""
    entities = {}
    per_topic: dict[str, list[str]] = {f"topic-{i}": [] for i in range(topics)}
    for i in range(0, len(terms), 5):
        ident = f"e{i}"
        aliases: list = list(terms[i : i + 5])
        if i % 50 == 0:
            aliases[0] = {"form": aliases[0], "context": [{"group": "context"}]}
        entities[ident] = {"name": terms[i], "type": "place", "aliases": aliases}
        per_topic[f"topic-{(i // 5) % topics}"].append(ident)
    return {
        "groups": {"context": ["government", "police", "minister", "president"]},
        "entities": entities,
        "topics": {name: {"entities": ids} for name, ids in per_topic.items()},
    }


def throughput(label: str, run, texts, size: int, seconds: float) -> float:
    """MB/s of the median pass over `texts` (the machine may be shared: the median resists that)."""
    started = time.perf_counter()
    passes: list[float] = []
    while not passes or time.perf_counter() - started < seconds:
        begun = time.perf_counter()
        for title, text in texts:
            run(title, text)
        passes.append(time.perf_counter() - begun)
    rate = size / 1e6 / statistics.median(passes)
    print(f"  {label:<46} {rate:8.2f} MB/s   (median of {len(passes)} passes)")
    return rate


def where_time_goes(compiled, texts, passes: int = 5) -> tuple[float, float, int, int]:
    """(seconds scanning, seconds on topics, mentions given a role, flags) of the median pass.

    Scanning is normalisation, the automaton and the checks on its hits; topics are what
    match() does after: each mention's role (dateline, list item, venue...), scores, coverage,
    snippets. The second grows with the mentions of flagged topics, not with the input."""
    from mediawatch.matcher.engine import Scan

    timings = []
    for _ in range(passes):
        scan_s = topics_s = 0.0
        flags = roles = 0
        for title, text in texts:  # text by text, as match() goes: its caches stay warm
            begun = time.perf_counter()
            scan = Scan(compiled, title, text, explain=False)
            scanned = time.perf_counter()
            flags += len(
                [r.topic_match(scan) for r in scan.topic_results(only_hit=True) if r.flagged]
            )
            topics_s += time.perf_counter() - scanned
            scan_s += scanned - begun
            roles += len(scan.role_cache)
        timings.append((scan_s, topics_s))
    scan_s, topics_s = sorted(timings, key=sum)[len(timings) // 2]
    return scan_s, topics_s, roles, flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum time per contender")
    parser.add_argument("--terms", type=int, default=5000)
    parser.add_argument(
        "--real-share",
        type=float,
        default=0.1,
        help="share of the generated terms taken from names that occur in the input (default 0.1)",
    )
    parser.add_argument(
        "--stress",
        action="store_true",
        help="real terms from any capitalised words (most articles then hit many topics)",
    )
    args = parser.parse_args()

    texts, source = load_texts()
    size = sum(len(f"{t}\n\n{x}".encode()) for t, x in texts)
    print(f"input: {source}, {size / 1e6:.2f} MB of UTF-8")

    started = time.perf_counter()
    default = load_watchlist(ROOT)
    compile_default = time.perf_counter() - started
    terms = generated_terms(texts, args.terms, args.real_share, args.stress)
    started = time.perf_counter()
    big = matcher.compile(watchlist_of(terms))
    compile_big = time.perf_counter() - started
    names = real_terms(args.terms)
    started = time.perf_counter()
    real = matcher.compile(watchlist_of(names))
    compile_real = time.perf_counter() - started
    print(f"default watchlist: {len(default.forms)} forms, compiled in {compile_default:.2f} s")
    print(f"generated watchlist: {len(terms)} terms, compiled in {compile_big:.2f} s")
    print(f"real-name watchlist: {len(names)} names, compiled in {compile_real:.2f} s")

    regex = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)
    probe = ["ahocorasick"]
    import ahocorasick

    bare = ahocorasick.Automaton()
    for term in terms:
        bare.add_word(term.lower(), term)
    bare.make_automaton()
    probe.append("ok")

    print("throughput (one core):")
    rate_norm = throughput(
        "normalisation only", lambda t, x: (normalise(t), normalise(x)), texts, size, args.seconds
    )
    rate_bare = throughput(
        "bare Aho-Corasick scan, 5,000 terms (lower())",
        lambda t, x: sum(1 for _ in bare.iter(f"{t}\n\n{x}".lower())),
        texts,
        size,
        args.seconds,
    )
    rate_default = throughput(
        "matcher, default watchlist", default.match, texts, size, args.seconds
    )
    rate_real = throughput(
        f"matcher, {len(names):,} real names", real.match, texts, size, args.seconds
    )
    rate_big = throughput(
        f"matcher, generated {len(terms):,} terms", big.match, texts, size, args.seconds
    )
    # The regex alternation is about 100x slower: measure it on a slice of the same texts.
    slice_ = texts[: max(5, len(texts) // 20)]
    slice_size = sum(len(f"{t}\n\n{x}".encode()) for t, x in slice_)
    rate_regex = throughput(
        f"one regex alternation of the same {len(terms):,} terms",
        lambda t, x: sum(1 for _ in regex.finditer(f"{t}\n\n{x}")),
        slice_,
        slice_size,
        args.seconds,
    )
    flags = [len(big.match(t, x)) for t, x in texts]
    default_flags = [len(default.match(t, x)) for t, x in texts]
    real_flags = [len(real.match(t, x)) for t, x in texts]
    print(
        f"real-name watchlist: {sum(1 for f in real_flags if f)} of {len(texts)} texts flagged, "
        f"{sum(real_flags)} flags"
    )
    print(
        f"generated watchlist: {sum(1 for f in flags if f)} of {len(texts)} texts flagged, "
        f"{sum(flags)} flags; default watchlist: {sum(1 for f in default_flags if f)} texts"
    )
    for label, compiled in (("real-name", real), ("generated", big)):
        scan_s, topics_s, roles, flag_count = where_time_goes(compiled, texts)
        print(
            f"{label} watchlist, median pass: scan {scan_s * 1000:.0f} ms, topics "
            f"{topics_s * 1000:.0f} ms ({roles} mentions given a role, {flag_count} flags; "
            f"{topics_s / max(flag_count, 1) * 1e6:.0f} us a flag)"
        )
    print("summary:")
    print(f"  5,000 real names incl. normalisation: {rate_real:.1f} MB/s (target >= 10)")
    print(f"  5,000 generated terms incl. normalisation: {rate_big:.1f} MB/s (target >= 10)")
    print(f"  slowdown default -> 5,000 real names: {rate_default / rate_real:.2f}x")
    print(f"  slowdown default -> 5,000 terms: {rate_default / rate_big:.2f}x (target <= 2)")
    print(f"  vs regex alternation: {rate_big / rate_regex:.0f}x faster")
    print(f"  (normalisation alone {rate_norm:.1f} MB/s, bare scan {rate_bare:.1f} MB/s)")


if __name__ == "__main__":
    main()
