"""A vote on Slack: one channel message with a button per choice, updated in place
(chat.update) as ballots come in, its buttons gone once the vote is closed.

The ballots themselves are `/vote #N CHOICE` commands like any other: this module only
keeps the channel's vote message in step with the vote each reply says it changed
(`Reply.vote`), in the order the bot answered. The message's ts is kept with the vote's
entry (`store.live_entries.show_in`), so the message is still updated after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from chatbot.adapters import slack_blocks as blocks
from chatbot.adapters.slack_outbox import Background
from chatbot.adapters.slack_workspaces import Workspaces
from chatbot.commands import Reply
from chatbot.core.model import Scope
from chatbot.core.reply import VoteShown, plain
from chatbot.store import Store

log = logging.getLogger(__name__)


@dataclass
class _VoteMessage:
    posted: asyncio.Future  # chat.postMessage's answer, with the message's ts
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # updates in reply order


class VoteMessages:
    def __init__(self, workspaces: Workspaces, background: Background, store: Store):
        self.workspaces = workspaces  # each workspace's own client and poster
        self.background = background
        self.store = store
        self._shown: dict[tuple[str, str, tuple[str, str], int], _VoteMessage] = {}

    def show(self, scope: Scope, reply: Reply) -> bool:
        """Show a public reply about a vote through the vote's own message; False when it
        should be posted as a line of its own too (a vote's result, or a ballot's reply
        that says more than the ballot: the timebox note)."""
        vote = reply.vote
        if vote is None:
            return False
        key = (scope.workspace, scope.channel, vote.meeting, vote.number)
        if vote.opened:
            self._shown[key] = self._post(scope, reply, vote)
            return True
        shown = self._shown.pop(key, None) or _posted_before(vote)
        if shown is None:  # its message was never posted: the reply goes out as a line
            return False
        if not vote.closed:
            self._shown[key] = shown
        self._update(scope, vote, shown)
        return not vote.closed and len(reply.lines) == 1

    def _post(self, scope: Scope, reply: Reply, vote: VoteShown) -> _VoteMessage:
        text = reply.text
        message = blocks.vote_message(text, scope.channel, vote.number, vote.choices)
        poster = self.workspaces.get(scope.workspace).poster

        async def post() -> dict:
            answer = await poster.send(scope.channel, text, message)
            self.store.live_entries.show_in(scope, *vote.meeting, vote.number, answer["ts"])
            return answer

        return _VoteMessage(asyncio.ensure_future(post()))

    def _update(self, scope: Scope, vote: VoteShown, shown: _VoteMessage) -> None:
        channel, client = scope.channel, self.workspaces.get(scope.workspace).client
        text = plain(vote.lines())
        message = blocks.vote_message(text, channel, vote.number,
                                      () if vote.closed else vote.choices)

        async def update() -> None:
            async with shown.turn:
                posted = await shown.posted
                await client.chat_update(channel=channel, ts=posted["ts"], text=text,
                                         blocks=message)

        self.background.spawn(update(), f"chat.update of vote {vote.number}")


def _posted_before(vote: VoteShown) -> _VoteMessage | None:
    """The vote's message as stored when it was posted (by an earlier run of the bot)."""
    if not vote.message:
        return None
    posted = asyncio.get_running_loop().create_future()
    posted.set_result({"ts": vote.message})
    return _VoteMessage(posted)
