"""`mediawatch match` (try the watchlist on a text, or score JSON lines) and `mediawatch rematch`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from mediawatch.commands.options import since_callback

CHANGES_SHOWN = 500  # articles listed one by one after a rematch


def register(group: click.Group) -> None:
    group.add_command(match_command)
    group.add_command(rematch_command)


def _matcher(ctx: click.Context):
    from mediawatch.config import load_watchlist

    return load_watchlist(ctx.obj["config_dir"])


@click.command("match")
@click.argument("file", required=False, type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the full explanation as JSON.")
@click.option("--title", help="The article's title (default: the first line of the input).")
@click.option(
    "--batch",
    is_flag=True,
    help='Read JSON lines {"id","title","text"} on stdin; write {"id","topics":{topic: score}} per line.',
)
@click.pass_context
def match_command(ctx, file, as_json, title, batch):
    """Explain why a text matches the watchlist's topics or not (FILE, or - for stdin)."""
    matcher = _matcher(ctx)
    if batch:
        if file is not None:
            raise click.UsageError("--batch reads stdin; do not give a FILE")
        _batch(matcher, sys.stdin, sys.stdout)
        return
    content = (file or click.open_file("-")).read()
    if title is None:
        first, _, rest = content.lstrip("\ufeff").partition("\n")
        title, text = (first.strip(), rest) if rest.strip() else ("", first)
    else:
        text = content
    explained = matcher.explain(title, text)
    if as_json:
        click.echo(json.dumps(explained, ensure_ascii=False, indent=2))
        return
    _print_explanation(explained)


def _batch(matcher, stdin, stdout) -> None:
    """One output line per input line; a bad line gets an error line and the batch goes on.

    Reads and writes UTF-8 bytes, whatever the locale, so one undecodable line cannot end it."""
    lines = getattr(stdin, "buffer", None) or (line.encode("utf-8") for line in stdin)
    out = getattr(stdout, "buffer", None)
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        ident = None
        try:
            item = json.loads(raw.decode("utf-8"))
            if not isinstance(item, dict):
                raise ValueError("a line must be a JSON object")
            ident = item.get("id")
            title = item.get("title") or ""
            text = item.get("text") or ""
            if not isinstance(title, str) or not isinstance(text, str):
                raise ValueError("title and text must be strings")
            result = {"id": ident, "topics": {m.topic: m.score for m in matcher.match(title, text)}}
        except ValueError as exc:  # also JSON and UTF-8 decoding errors
            result = {"id": ident, "error": f"line {number}: {exc}"}
        line = json.dumps(result, ensure_ascii=False) + "\n"
        if out is not None:
            out.write(line.encode("utf-8"))
        else:
            stdout.write(line)
    (out or stdout).flush()


def _print_explanation(explained: dict) -> None:
    for topic, info in explained["topics"].items():
        verdict = (
            click.style("FLAGGED", fg="green", bold=True) if info["flagged"] else "not flagged"
        )
        click.echo(f"{topic}: {verdict}  score {info['score']:g} (min {info['min_score']:g})")
        click.echo(f"  why: {info['reason']}")
        sal = info.get("salience")
        if sal and (sal["mentions"] or sal["discounted"]):
            bonus = f": +{sal['coverage_bonus']:g} for coverage" if sal["coverage_bonus"] else ""
            click.echo(
                f"  salience: {sal['mentions']} plain mention(s) of {sal['names']} name(s)"
                f", {sal['discounted']} discounted; {sal['words_near']} of {sal['words']} words"
                f" near a mention ({sal['share']:.0%}){bonus}"
            )
        counted: Counter[tuple[str, str, str]] = Counter()
        weights: Counter = Counter()
        notes: dict = {}
        for hit in info["counted"]:
            note = "; ".join(n for n in (hit.get("role"), hit.get("context")) if n)
            key = (hit["term"], hit["for"], note)
            counted[key] += 1
            weights[key] += hit["weight"]
            notes[key] = note
        for (term, source, note), n in counted.items():
            times = f" x{n}" if n > 1 else ""
            why = f" ({note})" if note else ""
            weight = weights[(term, source, note)]
            click.echo(f"  + {term!r}{times} ({source}) weight {weight:g}{why}")
        # one line per term and reason: an Urdu text has dozens of near misses of one word
        missed: dict[tuple[str, str, str], list[int]] = {}
        for miss in info["not_counted"]:
            key = (miss["term"], miss["for"], miss["why"])
            missed.setdefault(key, []).append(miss["offsets"][0])
        for (term, source, why), offsets in missed.items():
            more = f" and {len(offsets) - 1} more" if len(offsets) > 1 else ""
            click.echo(f"  - {term!r} at {offsets[0]}{more} ({source}): {why}")
        for rule in info["rules"]:
            mark = "pass" if rule["passed"] else "fail"
            why = f": {rule['why']}" if rule.get("why") else ""
            click.echo(f"  [{mark}] rule {rule['rule']}{why}")
        for rule in info["excluded_by"]:
            click.echo(f"  [excluded] {rule}")
        if info.get("match"):
            for snippet in info["match"]["snippets"]:
                click.echo(f"  > {_marked(snippet)}")


def _marked(snippet: dict) -> str:
    text = snippet["text"]
    out, last = [], 0
    for start, end in snippet["highlights"]:
        out.append(text[last:start] + "[" + text[start:end] + "]")
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


@click.command("rematch")
@click.option(
    "--since",
    callback=since_callback,
    metavar="DATE",
    help="Only articles published (or, if undated, fetched) at or after DATE.",
)
@click.pass_context
def rematch_command(ctx, since):
    """Re-flag stored articles with the current watchlist; report flags added and removed, per
    topic and per article (+topic added, -topic removed)."""
    from mediawatch import db
    from mediawatch.db import matching

    path = Path(ctx.obj["db_path"])
    if not path.exists():
        raise db.ArchiveError(f"{path}: no archive here yet (run a crawl first)")
    matcher = _matcher(ctx)
    conn = db.connect(path)
    added: Counter = Counter()
    removed: Counter = Counter()
    changed: list[tuple[dict, set[str], set[str]]] = []
    seen = 0
    for rows in matching.iter_articles(conn, since):
        flagged = [
            (row["id"], [m.to_dict() for m in matcher.match(row["title"], row["text"])])
            for row in rows
        ]
        for row, (plus, minus) in zip(rows, matching.store_batch(conn, flagged), strict=True):
            added.update(plus)
            removed.update(minus)
            if plus or minus:
                changed.append((row, set(plus), set(minus)))
        seen += len(rows)
    total_added, total_removed = sum(added.values()), sum(removed.values())
    scope = f" since {since}" if since else ""
    click.echo(
        f"Re-flagged {seen} articles{scope}: {total_added} flags added, {total_removed} removed."
    )
    for topic in sorted(set(added) | set(removed)):
        click.echo(f"  {topic}: +{added[topic]} -{removed[topic]}")
    if changed:
        click.echo(f"Changed articles ({len(changed)}):")
    for row, plus, minus in changed[:CHANGES_SHOWN]:
        marks = " ".join([*(f"+{t}" for t in sorted(plus)), *(f"-{t}" for t in sorted(minus))])
        title = " ".join((row["title"] or "").split())
        title = title if len(title) <= 70 else title[:69] + "…"
        click.echo(f"  #{row['id']} {marks}  {title!r}  {row['url']}")
    if len(changed) > CHANGES_SHOWN:
        click.echo(f"  ... and {len(changed) - CHANGES_SHOWN} more (use --since to narrow)")
