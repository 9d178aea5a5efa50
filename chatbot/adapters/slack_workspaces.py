"""What the Slack adapter keeps per workspace: a Web API client holding that workspace's
token, the profiles read with it, and the channel poster that paces its posts.

Every call made for a workspace goes through its own client, so a reminder, DM or App Home
update for workspace A can never carry B's token. With one workspace (SLACK_BOT_TOKEN)
there is one entry; installed by OAuth, an entry is made when the workspace is first
heard from, and its token comes from Bolt's authorize (on a request, rotated when due) or
from the installation store (`refreshed`, for reminders).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from chatbot.adapters.slack_outbox import ChannelPoster, web_client
from chatbot.adapters.slack_users import UserDirectory
from chatbot.config import SlackSettings

log = logging.getLogger(__name__)

# A workspace's current bot token (rotated if due), or None when it has no installation.
TokenSource = Callable[[str], Awaitable[str | None]]


@dataclass
class SlackWorkspace:
    team_id: str
    client: AsyncWebClient
    users: UserDirectory
    poster: ChannelPoster


class Workspaces:
    def __init__(self, settings: SlackSettings, tokens: TokenSource):
        self.settings = settings
        self.tokens = tokens
        self.session: Any = None  # the adapter's aiohttp session, once started
        self._known: dict[str, SlackWorkspace] = {}

    def get(self, team_id: str) -> SlackWorkspace:
        """The workspace's entry, made on first use (with the single-workspace token, or
        none until `use_token` or `refreshed` gives it one)."""
        workspace = self._known.get(team_id)
        if workspace is None:
            client = web_client(self.settings.bot_token or None, self.settings.api_url,
                                self.session)
            workspace = SlackWorkspace(
                team_id, client,
                UserDirectory(client, ttl=self.settings.user_cache_seconds),
                ChannelPoster(client, interval=self.settings.post_interval),
            )
            self._known[team_id] = workspace
        return workspace

    def use_token(self, team_id: str, token: str) -> SlackWorkspace:
        """The token Bolt's authorize found for a request from the workspace."""
        workspace = self.get(team_id)
        workspace.client.token = token
        return workspace

    async def refreshed(self, team_id: str) -> SlackWorkspace | None:
        """The workspace with its current token, or None when it is not installed."""
        token = await self.tokens(team_id)
        if token is None:
            return None
        return self.use_token(team_id, token)

    async def forget(self, team_id: str, grace: float = 0.0) -> None:
        """Uninstalled: nothing queued for it goes out any more, and its client no longer
        holds its token."""
        workspace = self._known.pop(team_id, None)
        if workspace is not None:
            workspace.client.token = None
            await workspace.poster.stop(grace)

    def set_session(self, session: Any) -> None:
        self.session = session
        for workspace in self._known.values():
            workspace.client.session = session

    async def stop(self, grace: float) -> None:
        for workspace in list(self._known.values()):
            await workspace.poster.stop(grace)
