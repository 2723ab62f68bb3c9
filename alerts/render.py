"""Digest -> Message: subject, plain text, HTML, JSON body and chat text from Jinja2 templates.

Templates come from alerts/templates/, each replaceable by a file of the same name in the folder
named by `templates:` in schedules.yaml. HTML is autoescaped; every article field is untrusted.
The rendered Message is what the outbox stores, so a retry sends exactly the same content.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape
from mediawatch.alerts.chart import bars_png
from mediawatch.alerts.digest import Digest, Item, Snippet, one_line
from mediawatch.alerts.errors import AlertError
from mediawatch.alerts.sanitize import chat_link, chat_text, strip_controls
from mediawatch.db.connection import parse_iso, utc_iso

BUILTIN = Path(__file__).resolve().parent / "templates"
SUBJECT_MAX = 200
MARK_OPEN = Markup('<mark style="background:#ffe27a;color:inherit;">')
MARK_CLOSE = Markup("</mark>")


@dataclass(frozen=True)
class Message:
    """A rendered digest or notice, ready for any channel."""

    subscription: str
    kind: str  # digest | empty | notice
    created_at: str
    subject: str
    text: str
    html: str  # images referenced as src="cid:..."
    json_body: str
    chat: str
    images: dict[str, bytes] = field(default_factory=dict)

    def html_inline(self) -> str:
        """The HTML with its images as data: URIs, for a file or a browser preview."""
        html = self.html
        for cid, data in self.images.items():
            uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
            html = html.replace(f'src="cid:{cid}"', f'src="{uri}"')
        return html

    def to_dict(self) -> dict[str, Any]:
        return {
            "subscription": self.subscription,
            "kind": self.kind,
            "created_at": self.created_at,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "json_body": self.json_body,
            "chat": self.chat,
            "images": {k: base64.b64encode(v).decode("ascii") for k, v in self.images.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        data = dict(data)
        data["images"] = {k: base64.b64decode(v) for k, v in (data.get("images") or {}).items()}
        return cls(**data)


# ------------------------------------------------------------------ environment


@lru_cache(maxsize=8)
def environment(user_folder: str | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_folder:
        loaders.append(jinja2.FileSystemLoader(user_folder))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["highlight"] = highlight
    env.filters["marked"] = marked_text
    env.filters["safe_url"] = safe_url
    env.filters["oneline"] = one_line
    return env


class Link(str):
    """A URL that passed safe_url: the chat template shows it as a link, not as text."""


@lru_cache(maxsize=8)
def chat_environment(user_folder: str | None = None) -> jinja2.Environment:
    """The chat template's environment: every value it prints goes through chat_text (links
    through chat_link), whatever a user's chat.txt prints."""
    return environment(user_folder).overlay(finalize=_chat_value)


def _chat_value(value: Any) -> Any:
    if isinstance(value, Link):
        return chat_link(value)
    if isinstance(value, str):
        return chat_text(value)
    return value


def highlight(snippet: Snippet) -> Markup:
    """The snippet with <mark> around its highlights, every piece of text escaped."""
    out, last = [], 0
    for start, end in snippet.highlights:
        out.append(escape(snippet.text[last:start]))
        out.append(MARK_OPEN + escape(snippet.text[start:end]) + MARK_CLOSE)
        last = end
    out.append(escape(snippet.text[last:]))
    return Markup("").join(out)


def marked_text(snippet: Snippet, left: str = "*", right: str = "*") -> str:
    """The snippet for plain text: highlights between asterisks, on one line."""
    out, last = [], 0
    for start, end in snippet.highlights:
        out.append(snippet.text[last:start] + left + snippet.text[start:end] + right)
        last = end
    out.append(snippet.text[last:])
    return one_line("".join(out))


def safe_url(url: str | None) -> str:
    """Only http(s) links are ever rendered (no javascript: or data: from a crawled page)."""
    if not url or any(c in url for c in "\r\n\t"):
        return ""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        userinfo = parts.username is not None  # http://bank.example@evil.example/
    except ValueError:
        return ""
    return Link(url) if scheme in ("http", "https") and not userinfo else ""


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise AlertError(f"template {exc.filename or name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise AlertError(f"template {name}: {exc}") from None


# ------------------------------------------------------------------ digests


def render_digest(digest: Digest, templates: Path | None = None) -> Message:
    env = environment(str(templates) if templates else None)
    sub = digest.subscription
    zone = ZoneInfo(sub.timezone)

    def local(iso: str | datetime | None, fmt: str = "%d %b %Y, %H:%M %Z") -> str:
        moment = parse_iso(iso) if isinstance(iso, str) else iso
        return moment.astimezone(zone).strftime(fmt) if moment else ""

    charts, images = {}, {}
    for i, section in enumerate(digest.sections):
        cid = f"coverage-{i}@mediawatch"
        images[cid] = bars_png([n for _, n in section.coverage])
        charts[section.topic] = cid
    context: dict[str, Any] = {
        "digest": digest,
        "subscription": sub,
        "title": sub.display_title,
        "sections": digest.sections,
        "stories": digest.story_count,
        "articles": len(digest.items),
        "topics": digest.topics_with_news or sub.topics,
        "generated": local(digest.generated_at),
        "since": local(digest.since),
        "generated_iso": utc_iso(digest.generated_at),
        "since_iso": utc_iso(digest.since),
        "local": local,
        "charts": charts,
        "top_story": next((s.stories[0] for s in digest.sections if s.stories), None),
        "payload": payload(digest),
    }
    subject = one_line(_render(env, "subject.txt", context))[:SUBJECT_MAX]
    context["subject"] = subject
    json_body = _render(env, "digest.json", context)
    try:
        json.loads(json_body)
    except ValueError as exc:
        raise AlertError(f"template digest.json does not produce valid JSON: {exc}") from None
    return Message(
        subscription=sub.name,
        kind="empty" if digest.empty else "digest",
        created_at=context["generated_iso"],
        subject=subject,
        text=_render(env, "digest.txt", context),
        html=_render(env, "digest.html", context),
        json_body=json_body,
        chat=_render(
            chat_environment(str(templates) if templates else None), "chat.txt", context
        ).strip(),
        images=images,
    )


def payload(digest: Digest) -> dict[str, Any]:
    """The webhook body's data (digest.json renders it; a user template may reshape it)."""

    def item(i: Item) -> dict[str, Any]:
        return {
            "article_id": i.article_id,
            "title": i.title,
            "url": i.url,
            "outlet": i.outlet,
            "published_at": i.published_at,
            "language": i.language,
            "authors": list(i.authors),
        }

    return {
        "type": "empty" if digest.empty else "digest",
        "subscription": digest.subscription.name,
        "title": digest.subscription.display_title,
        "generated_at": utc_iso(digest.generated_at),
        "since": utc_iso(digest.since),
        "stories": digest.story_count,
        "articles": len(digest.items),
        "topics": [
            {
                "topic": section.topic,
                "more": section.more,
                "coverage": [{"day": d, "articles": n} for d, n in section.coverage],
                "stories": [
                    {
                        **item(story.lead),
                        "score": story.lead.score,
                        "terms": list(story.lead.terms),
                        "snippets": [
                            {"text": s.text, "highlights": [list(h) for h in s.highlights]}
                            for s in story.lead.snippets
                        ],
                        "also": [item(i) for i in story.also],
                    }
                    for story in section.stories
                ],
            }
            for section in digest.sections
        ],
    }


def render_notice(
    subject: str, text: str, *, key: str, now: datetime, templates: Path | None = None
) -> Message:
    """An operator alert (a source failing or back): short, the same on every channel."""
    env = environment(str(templates) if templates else None)
    subject = one_line(subject)[:SUBJECT_MAX]
    text = strip_controls(text)
    created = utc_iso(now)
    context = {"subject": subject, "text": text, "key": key, "created_at": created}
    body = {"type": "notice", "subject": subject, "text": text, "key": key, "created_at": created}
    return Message(
        subscription="ops",
        kind="notice",
        created_at=created,
        subject=subject,
        text=text.rstrip() + "\n",
        html=_render(env, "notice.html", context),
        json_body=json.dumps(body, ensure_ascii=False),
        chat=chat_text(re.sub(r"\n{3,}", "\n\n", f"{subject}\n{text}".strip())),
    )
