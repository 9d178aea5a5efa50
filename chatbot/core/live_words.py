"""What people type to run a meeting item by item, read without side effects.

The command layer hands over the text after the command word (`/vote`, `/link`,
`/undo`, `/agenda take`, `/agenda add`); these functions say what it means or raise
`LiveMeetingError` with one line that says what to type instead. The live meeting keeps
what was typed (a vote's question with its `[choices]`, a link's URL and title) and
reads it again with the same functions, so the stored text and its meaning cannot
drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_CHOICES = ("+1", "0", "-1")
_TIMEBOX = re.compile(r"(\d{1,3})(m|min|mins|minutes|h|hr|hrs|hours)", re.IGNORECASE)
_CHOICE_LIST = re.compile(r"\[([^\[\]]*)\]\s*$")
# Different ways of typing the default choices.
_DEFAULT_SPELLINGS = {"+1": "+1", "1": "+1", "0": "0", "+0": "0", "-0": "0", "-1": "-1"}


class LiveMeetingError(ValueError):
    """A command that cannot be read or is refused; the message is one line that says
    what to do instead."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------
# Timeboxes


def parse_timebox(word: str) -> int | None:
    """'10m', '15min', '1h' -> minutes; None when the word is not a timebox."""
    match = _TIMEBOX.fullmatch(word.strip())
    if not match:
        return None
    minutes = int(match.group(1)) * (60 if match.group(2).lower().startswith("h") else 1)
    return minutes or None


def format_timebox(minutes: int) -> str:
    """The Café notes' spelling: '10m'."""
    return f"{minutes}m"


def _split_timebox(text: str) -> tuple[int | None, str]:
    """A timebox written as the first or the last word, and the rest."""
    words = _one_line(text).split(" ")
    if words and (minutes := parse_timebox(words[0])):
        return minutes, " ".join(words[1:])
    if len(words) > 1 and (minutes := parse_timebox(words[-1])):
        return minutes, " ".join(words[:-1])
    return None, " ".join(words)


# --------------------------------------------------------------------------
# /agenda add [section:] [10m] TEXT


@dataclass(frozen=True)
class AgendaAddition:
    section: str
    text: str
    timebox: int | None  # minutes


def parse_agenda_add(
    text: str, section_aliases: Mapping[str, str], default_section: str
) -> AgendaAddition:
    """`[section:] [10m] TEXT`; the timebox may also come before the section."""
    timebox, rest = _split_leading_timebox(text)
    head, colon, tail = rest.partition(":")
    section = default_section
    if colon and head.strip().lower() in section_aliases:
        section, rest = section_aliases[head.strip().lower()], tail
    if timebox is None:
        timebox, rest = _split_leading_timebox(rest)
    rest = _one_line(rest)
    if not rest:
        raise LiveMeetingError("What is the item? Use /agenda add [section:] [10m] TEXT.")
    return AgendaAddition(section, rest, timebox)


def _split_leading_timebox(text: str) -> tuple[int | None, str]:
    word, _, rest = _one_line(text).partition(" ")
    minutes = parse_timebox(word)
    return (minutes, rest) if minutes else (None, _one_line(text))


# --------------------------------------------------------------------------
# /agenda take N [10m] | /agenda take TEXT [10m] | /agenda next [10m]


@dataclass(frozen=True)
class TakeTarget:
    number: int | None  # an agenda item's number
    topic: str  # a new topic, when there is no number
    timebox: int | None


def parse_take(text: str) -> TakeTarget:
    """'3 10m' -> item 3 for ten minutes; 'CI is red' -> a new topic."""
    timebox, rest = _split_timebox(text)
    word = rest.lstrip("#")
    if word.isdigit() and len(word) < 10:
        return TakeTarget(int(word), "", timebox)
    if not rest:
        raise LiveMeetingError("Which item? Use /agenda take N [10m] or /agenda take TOPIC.")
    return TakeTarget(None, rest, timebox)


# --------------------------------------------------------------------------
# /vote


@dataclass(frozen=True)
class VoteWords:
    action: str  # "show" | "close" | "withdraw" | "say" (open a vote, or cast one)
    text: str = ""


def parse_vote(text: str) -> VoteWords:
    text = _one_line(text)
    if not text:
        return VoteWords("show")
    if text.lower() in ("close", "withdraw"):
        return VoteWords(text.lower())
    return VoteWords("say", text)


@dataclass(frozen=True)
class VoteQuestion:
    question: str
    choices: tuple[str, ...]


def parse_vote_question(text: str) -> VoteQuestion:
    """'Release on Friday? [yes, no, later]' -> its choices; +1/0/-1 without a list."""
    text = _one_line(text)
    match = _CHOICE_LIST.search(text)
    if not match:
        return VoteQuestion(text, DEFAULT_CHOICES)
    choices = tuple(_one_line(c) for c in match.group(1).split(",") if c.strip())
    question = text[: match.start()].strip()
    if not question:
        raise LiveMeetingError("What is the question? Use /vote QUESTION [choice, choice, ...].")
    folded = [c.casefold() for c in choices]
    if len(choices) < 2 or len(set(folded)) != len(folded):
        raise LiveMeetingError(
            "A vote needs two or more different choices: /vote QUESTION [yes, no, later]."
        )
    return VoteQuestion(question, choices)


def match_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice `text` names (any case; +1/1, 0/+0, -1 for the default choices)."""
    text = _one_line(text)
    if choices == DEFAULT_CHOICES:
        return _DEFAULT_SPELLINGS.get(text)
    return next((c for c in choices if c.casefold() == text.casefold()), None)


# --------------------------------------------------------------------------
# /link URL [TEXT]


@dataclass(frozen=True)
class Link:
    url: str
    title: str  # '' when none was given


def parse_link(text: str) -> Link:
    url, _, title = _one_line(text).partition(" ")
    url = url.removeprefix("<").removesuffix(">")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # such as an unclosed IPv6 bracket
        host = None
    if not host or parts.scheme.lower() not in ("http", "https"):
        raise LiveMeetingError(
            "A link starts with http:// or https://: use /link https://example.org [TEXT]."
        )
    return Link(url, title.strip())


# --------------------------------------------------------------------------
# /undo [N]


def parse_undo(text: str) -> int | None:
    """None for the author's own last entry, or the entry number a chair names."""
    word = _one_line(text).lstrip("#")
    if not word:
        return None
    if not word.isdigit() or len(word) > 9:
        raise LiveMeetingError(f"'{_one_line(text)}' is not an entry number: use /undo or /undo N.")
    return int(word)
