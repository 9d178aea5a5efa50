"""The chat command language's grammar, shared by every platform.

Adapters hand over the text after their own prefix handling, with platform
mentions already turned into `<@USER_ID>`; plain `@name` is resolved later
against known users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 2000
_MENTION = re.compile(r"<@([^<>|\s]+)(?:\|[^<>]*)?>|@([\w.\-]+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class ParsedCommand:
    name: str  # lower-case command word without its prefix: "agenda"
    args: str  # the rest, stripped
    meeting: str | None = None  # series id picked with --meeting ID


@dataclass(frozen=True)
class Mention:
    user_id: str | None  # set for `<@ID>` forms
    handle: str | None  # set for plain `@name`

    @property
    def key(self) -> str:
        return self.user_id or self.handle or ""


def clean(text: str) -> str:
    """Control characters out, whitespace runs collapsed to single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def parse_command(text: str) -> ParsedCommand | None:
    """'/agenda add X' -> ParsedCommand('agenda', 'add X'); None when it is not a command.

    Commands are one line: control characters and line breaks become spaces, so no
    stored text or quoted reply can break the layout of a chat message or the minutes."""
    stripped = clean(text)
    if not stripped.startswith(("/", "!")):
        return None
    word, _, rest = stripped[1:].partition(" ")
    meeting, rest = _take_meeting_option(rest.strip())
    return ParsedCommand(name=word.lower(), args=rest, meeting=meeting)


def _take_meeting_option(args: str) -> tuple[str | None, str]:
    """`--meeting ID` (or `-m ID`) right after the command word picks a series."""
    words = args.split(" ", 2)
    if words and words[0] in ("--meeting", "-m"):
        if len(words) < 2 or not words[1]:
            return "", ""
        return words[1], words[2] if len(words) > 2 else ""
    return None, args


def split_word(args: str) -> tuple[str, str]:
    """First word (lower-case) and the rest, on one line: replies quote them."""
    word, _, rest = clean(args).partition(" ")
    return word.lower(), rest.strip()


def leading_mentions(text: str) -> tuple[list[Mention], str]:
    """'@tim <@U2> reach out' -> ([tim, U2], 'reach out')."""
    mentions: list[Mention] = []
    rest = text.strip()
    while True:
        match = _MENTION.match(rest)
        if not match:
            return mentions, rest
        mentions.append(Mention(user_id=match.group(1), handle=match.group(2)))
        rest = rest[match.end():].lstrip(" ,")


def parse_number(text: str, what: str) -> int:
    word = text.strip().lstrip("#")
    if not word.isdigit() or len(word) > 9:
        raise ValueError(f"'{text.strip()}' is not a {what} number")
    return int(word)
