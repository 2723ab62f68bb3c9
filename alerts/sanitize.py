"""Untrusted text (titles, outlets, snippets, URLs from crawled pages) made safe to show.

Everywhere: no control characters (a NUL in a mail Subject, an escape sequence in a terminal) and
no bidi controls (U+202E and friends turn "exe.txt" into "txt.exe" on screen). In chat text, also
nothing the chat service would act on: @everyone / @here / @user mentions, Slack's <!channel> and
<url|text> forms, and Markdown links such as [x](javascript:...).
"""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 controls but tab, LF and CR (whitespace, folded where a field must be one line), DEL, C1
# controls, and the Unicode Bidi_Control characters (ALM, LRM, RLM, LRE..RLO, LRI..PDI).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROLS = re.compile(f"[{_CONTROL}]")
ZWSP = "\u200b"  # an invisible break: "@\u200beveryone" reads the same and pings nobody


def strip_controls(text: str) -> str:
    return CONTROLS.sub("", text)


def strip_controls_keeping_spans(
    text: str, spans: tuple[tuple[int, int], ...]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`text` without controls, and `spans` (start, end offsets into it) moved to match."""
    if not CONTROLS.search(text):
        return text, spans
    kept = [0]  # kept[i]: characters kept before offset i
    for char in text:
        kept.append(kept[-1] + (not CONTROLS.match(char)))
    moved = tuple((kept[s], kept[e]) for s, e in spans if kept[s] < kept[e])
    return strip_controls(text), moved


def clean_url(url: str) -> str:
    """Controls, bidi controls and spaces percent-encoded: the same address, nothing hidden."""
    return re.sub(f"[{_CONTROL}\\s]", lambda m: quote(m.group(), safe=""), url)


_MENTION = re.compile(r"([@!])(?=[^\s@!])")  # @everyone, @here, @user; Slack's !channel
_MARKDOWN_LINK = re.compile(r"\]\s*\(")  # [text](url), ![alt](url)


def chat_text(text: str) -> str:
    """Text a chat service shows as text: no mention pings, no <...> commands, no Markdown links."""
    text = strip_controls(str(text))
    text = text.replace("<", "\u2039").replace(">", "\u203a")  # ‹ › look alike, mean nothing
    text = _MENTION.sub(lambda m: m.group(1) + ZWSP, text)
    return _MARKDOWN_LINK.sub("]" + ZWSP + "(", text)


def chat_link(url: str) -> str:
    """An http(s) link for chat: '@' and the characters of chat markup percent-encoded, so it
    stays one clickable address that mentions nobody."""
    return re.sub(r"[@<>|\[\]()!\s]", lambda m: quote(m.group(), safe=""), clean_url(url))
