"""The platform-neutral message and reply every adapter translates to and from."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chatbot.core.model import Scope, User
from chatbot.core.reply import Line, VoteShown, lines_of, map_text, plain


@dataclass(frozen=True)
class Message:
    """One command as said by `user` in `scope`. `user.tz` is the platform profile's zone."""

    text: str
    scope: Scope
    user: User
    is_admin: bool = False  # the platform says so (e.g. a Slack workspace admin)


@dataclass(frozen=True, init=False)
class Reply:
    """What the bot answers, as lines of typed parts (`chatbot.core.reply`); each adapter
    renders them for its own format. Plain text is accepted (its mentions become users).

    `public` replies are changes the team should see (posted in the channel);
    the others are answers for the asker alone (ephemeral where the platform can).
    `vote`: the vote the command opened, voted in or closed, as it stands now.
    """

    lines: tuple[Line, ...]
    ok: bool
    public: bool
    vote: VoteShown | None

    def __init__(self, body: str | Iterable[Line], ok: bool = True, public: bool = False,
                 vote: VoteShown | None = None):
        lines = lines_of(body) if isinstance(body, str) else tuple(body)
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "ok", ok)
        object.__setattr__(self, "public", public)
        object.__setattr__(self, "vote", vote)

    @property
    def text(self) -> str:
        """Plain text, as the console shows it."""
        return plain(self.lines)

    def with_text(self, change: Callable[[str], str]) -> Reply:
        """`change` (redaction) applied to every text part; one call on the whole text
        first, since it almost never changes anything."""
        text = self.text
        if change(text) == text:
            return self
        return Reply(map_text(self.lines, change), self.ok, self.public, self.vote)


class CommandError(Exception):
    """A user mistake: its message is shown as is and nothing is stored."""


class Clock:
    """The bot's 'now'. `--now` shifts it so time-dependent answers can be replayed."""

    def __init__(self, start: dt.datetime | None = None):
        self._offset = (start - _utcnow()) if start is not None else dt.timedelta(0)

    def now(self) -> dt.datetime:
        return _utcnow() + self._offset

    def to_real(self, instant: dt.datetime) -> dt.datetime:
        """The wall-clock instant at which this clock will read `instant`."""
        return instant - self._offset


def _utcnow() -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)
