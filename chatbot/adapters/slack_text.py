"""Slack's text conventions, both ways.

In: Slack wraps what it recognised in angle brackets (`<@U123|bob>`, `<#C1|general>`,
`<!here>`, `<https://x|x>`) and sends the characters a person typed as entities (`&lt;`,
`&gt;`, `&amp;`). `from_slack` turns that into the plain text the command language reads,
with every user mention as `<@USER_ID>`.

Out: whatever the bot echoes is escaped, so nothing a person typed (`<!channel>`, a fake
`<@U…>`) can ping anyone; stored `<@USER_ID>` mentions are shown as `@Name` plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r"<([^<>]*)>")
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_MENTION = re.compile(r"<@([^<>|\s]+)(?:\|[^<>]*)?>")
_HANDLE = re.compile(r"(?<![\w<])@([\w.\-]+)")


def escape(text: str) -> str:
    """The three characters Slack reserves; `&` first so entities are not doubled."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Incoming:
    text: str
    mentioned: tuple[str, ...]  # user ids, in order of appearance, without repeats


def from_slack(text: str) -> Incoming:
    """'add <@U1|bob> fix &lt;b&gt; <!here>' -> 'add <@U1> fix <b> @here', mentioned (U1,)."""
    parts: list[str] = []
    mentioned: dict[str, None] = {}
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(unescape(text[position:match.start()]))
        parts.append(_plain_token(match.group(1), mentioned))
        position = match.end()
    parts.append(unescape(text[position:]))
    return Incoming("".join(parts), tuple(mentioned))


def _plain_token(inner: str, mentioned: dict[str, None]) -> str:
    target, _, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@") and _USER_ID.match(target[1:]):
        mentioned[target[1:]] = None
        return f"<{target}>"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^S1|@team>, <!date^…|fallback>: kept as words only
        special = target[1:].split("^", 1)[0]
        return label or f"@{special}"
    return label or unescape(target)  # a link: what the person typed


def with_handles(text: str, lookup: Callable[[str], str | None]) -> str:
    """Plain `@name` (sent when a command is not escaped) -> `<@ID>` for known users."""

    def replace(match: re.Match[str]) -> str:
        user_id = lookup(match.group(1))
        return f"<@{user_id}>" if user_id else match.group(0)

    return _HANDLE.sub(replace, text)


def handles(text: str) -> list[str]:
    return list(dict.fromkeys(_HANDLE.findall(text)))


def to_mrkdwn(text: str, names: Callable[[str], str | None]) -> str:
    """Echo text safely: `<@ID>` shown as '@Name' (no ping), everything else escaped."""
    parts, position = [], 0
    for match in _MENTION.finditer(text):
        parts.append(escape(text[position:match.start()]))
        parts.append(escape("@" + (names(match.group(1)) or match.group(1))))
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def mention_command(text: str, bot_user_id: str) -> str | None:
    """'<@UBOT> agenda add x' -> 'agenda add x': what follows the mention of the bot that
    opens a message; None when the message does not open with it (a mention in passing,
    '… ask <@UBOT> later', is not a command)."""
    opening = re.match(r"\s*<@([A-Z0-9]+)(?:\|[^>]*)?>[\s:,]*", text)
    if opening is None or (bot_user_id and opening.group(1) != bot_user_id):
        return None
    return text[opening.end():].strip()
