"""A vote on Slack: one channel message with a button per choice, updated in place
(chat.update) as ballots come in, its buttons gone once the vote is closed.

The ballots themselves are `/vote #N CHOICE` commands like any other: this module only
keeps the channel's vote message in step with what the bot answered, in the order it
answered. Which message shows which vote is kept in memory: after a restart the buttons
still vote (their value names the vote), only the message stops being updated.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field

from chatbot.adapters import slack_blocks as blocks
from chatbot.adapters.slack_outbox import Background
from chatbot.adapters.slack_workspaces import Workspaces
from chatbot.commands.live import vote_message_number
from chatbot.core.live_words import LiveMeetingError, parse_vote_question
from chatbot.core.model import Scope

log = logging.getLogger(__name__)

_CLOSED = re.compile(r"Vote “.*” closed: ")
_TALLY = "Vote “"  # where a ballot's reply says the count so far


@dataclass
class _VoteMessage:
    number: int
    choices: tuple[str, ...]
    opening: str  # the reply that opened the vote: the message's first line
    posted: asyncio.Task  # chat.postMessage's answer, with the message's ts
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # updates in reply order


class VoteMessages:
    def __init__(self, workspaces: Workspaces, background: Background):
        self.workspaces = workspaces  # each workspace's own client and poster
        self.background = background
        self._open: dict[tuple[str, str], _VoteMessage] = {}

    def show(self, scope: Scope, reply_text: str, said: str) -> bool:
        """Show a public /vote reply through the vote message; False when it should be
        posted as a line of its own too (a vote's result)."""
        key = (scope.workspace, scope.channel)
        number = vote_message_number(reply_text)
        if number is not None:
            try:
                choices = parse_vote_question(said).choices
            except LiveMeetingError:  # cannot be: the vote was just opened from it
                return False
            message = blocks.vote_message(reply_text, scope.channel, number, choices)
            poster = self.workspaces.get(scope.workspace).poster
            posted = asyncio.ensure_future(poster.send(scope.channel, reply_text, message))
            self._open[key] = _VoteMessage(number, choices, reply_text, posted)
            return True
        vote = self._open.get(key)
        if vote is None:
            return False
        if _CLOSED.match(reply_text):
            del self._open[key]
            self._update(scope, vote, f"{vote.opening}\n{reply_text}", closed=True)
            return False
        if _TALLY in reply_text:
            tally = reply_text[reply_text.index(_TALLY):]
            self._update(scope, vote, f"{vote.opening}\n{tally}", closed=False)
            return True
        return False

    def _update(self, scope: Scope, vote: _VoteMessage, text: str, closed: bool) -> None:
        channel, client = scope.channel, self.workspaces.get(scope.workspace).client
        message = blocks.vote_message(text, channel, vote.number, () if closed else vote.choices)

        async def update() -> None:
            async with vote.turn:
                posted = await vote.posted
                await client.chat_update(channel=channel, ts=posted["ts"], text=text,
                                         blocks=message)

        self.background.spawn(update(), f"chat.update of vote {vote.number}")
