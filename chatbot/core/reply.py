"""What a reply shows, as typed parts: each adapter renders them, none parses text.

A line is made of parts: text, user references, TODO and agenda ids (with what may be done
to them), instants, links. The console prints `plain()`; Slack turns instants into date
tokens and ids with actions into buttons; Matrix turns users into pills. A new command
builds lines from these parts and touches no adapter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chatbot.core.timefmt import long_datetime

# How stored text carries a mention on every platform: `<@USER_ID>`.
MENTION = re.compile(r"<@([^<>|\s]+)>")


@dataclass(frozen=True)
class Text:
    text: str

    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class UserRef:
    user_id: str

    def plain(self) -> str:
        return f"<@{self.user_id}>"


@dataclass(frozen=True)
class ItemRef:
    """A TODO or agenda item by its number; `actions` are the subcommands that act on it
    (`/todo done N`), which an adapter may offer as buttons."""

    kind: str  # "todo" or "agenda": the command that acts on it
    number: int
    actions: tuple[str, ...] = ()

    def plain(self) -> str:
        return str(self.number)


@dataclass(frozen=True)
class Instant:
    """A moment, shown in `zone` where the platform cannot show each reader their own."""

    at: dt.datetime
    zone: str
    now: dt.datetime | None = None  # the year is left out when it is now's

    def plain(self) -> str:
        return long_datetime(self.at, self.zone, self.now)


@dataclass(frozen=True)
class Link:
    url: str
    label: str = ""

    def plain(self) -> str:
        return f"{self.label}: {self.url}" if self.label else self.url


Part = Text | UserRef | ItemRef | Instant | Link


@dataclass(frozen=True)
class Line:
    parts: tuple[Part, ...]
    depth: int = 0  # indentation: two spaces each in plain text
    heading: bool = False  # names the lines under it (a section, an owner)

    def plain(self) -> str:
        return "  " * self.depth + "".join(part.plain() for part in self.parts)

    def refs(self) -> list[ItemRef]:
        return [part for part in self.parts if isinstance(part, ItemRef)]


@dataclass(frozen=True)
class VoteShown:
    """The vote a reply is about, as it stands after the command. An adapter that shows a
    vote as a message of its own (Slack's, a button per choice) keeps that message in step
    from this, never from the reply's text."""

    number: int  # the entry that opened it: `/vote #N CHOICE` is a ballot in it only
    question: str
    choices: tuple[str, ...]
    tally: str  # "yes: 1, no: 0"; who chose what too, once closed
    closed: bool = False
    opened: bool = False  # this reply opened it: its message is still to be posted
    meeting: tuple[str, str] = ("", "")  # (series, occurrence): where its message is kept
    message: str = ""  # that message, as its platform named it when it was posted
    removed: bool = False  # undone with /undo: closed, and its ballots gone with it

    def opening(self) -> str:
        return (f"Entry {self.number}: vote “{self.question}”: "
                f"/vote {' or /vote '.join(self.choices)}.")

    def standing(self) -> str:
        if self.removed:
            return f"Vote “{self.question}” was taken back (/undo); its ballots no longer count."
        state = "closed" if self.closed else "so far"
        return f"Vote “{self.question}” {state}: {self.tally}."

    def lines(self) -> tuple[Line, ...]:
        """The vote's own message: how to vote, and the count."""
        return (Line((Text(self.opening()),)), Line((Text(self.standing()),)))


def said(text: str) -> tuple[Part, ...]:
    """Text as stored (what people wrote, mentions as `<@ID>`) split into parts."""
    parts: list[Part] = []
    for index, piece in enumerate(MENTION.split(text)):
        if index % 2:
            parts.append(UserRef(piece))
        elif piece:
            parts.append(Text(piece))
    return tuple(parts)


def line(*pieces: str | Part, depth: int = 0, heading: bool = False) -> Line:
    """A line from parts and strings (strings as stored text: their mentions are users)."""
    parts: list[Part] = []
    for piece in pieces:
        parts += said(piece) if isinstance(piece, str) else [piece]
    return Line(tuple(parts), depth, heading)


def lines_of(text: str) -> tuple[Line, ...]:
    """Plain text, one line per line; leading spaces become depth."""
    result = []
    for row in text.split("\n"):
        depth = (len(row) - len(row.lstrip(" "))) // 2
        result.append(line(row[2 * depth:], depth=depth))
    return tuple(result)


def extended(lines: Iterable[Line], *parts: Part) -> tuple[Line, ...]:
    """The lines with `parts` added at the end of the last one."""
    *before, last = tuple(lines) or (Line(()),)
    return (*before, Line((*last.parts, *parts), last.depth, last.heading))


def plain_lines(lines: Iterable[Line]) -> list[str]:
    return [one.plain() for one in lines]


def plain(lines: Iterable[Line]) -> str:
    return "\n".join(plain_lines(lines))


def user_ids(lines: Iterable[Line]) -> list[str]:
    """Every user a reply refers to, once each, in order (for looking up names)."""
    ids = (p.user_id for one in lines for p in one.parts if isinstance(p, UserRef))
    return list(dict.fromkeys(ids))


def map_text(lines: Iterable[Line], change: Callable[[str], str]) -> tuple[Line, ...]:
    """The same lines with `change` applied to every text part (redaction)."""
    return tuple(
        Line(tuple(Text(change(p.text)) if isinstance(p, Text) else p for p in one.parts),
             one.depth, one.heading)
        for one in lines
    )
