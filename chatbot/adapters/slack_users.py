"""Who is who on Slack: names and timezones from `users.info`, cached with expiry.

Only the IANA `tz` is used, never `tz_offset`: an offset is right until the next summer-time
change. A command waits at most `wait` seconds for Slack; after that it goes on with what
the store already knows, and the lookup finishes in the background for the next command.
An expired entry is served while it is refreshed in the background.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chatbot.core.hidden_text import visible_name
from chatbot.core.timezones import canonical_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackProfile:
    id: str
    name: str  # what people see: display name, else real name, else the username
    handle: str  # the username, as typed after @ when a command is not escaped
    tz: str | None  # IANA zone of the profile
    is_admin: bool = False  # a workspace admin or owner: a channel admin everywhere

    @classmethod
    def from_api(cls, user: dict[str, Any]) -> SlackProfile:
        profile = user.get("profile") or {}
        handle = user.get("name") or user["id"]
        name = profile.get("display_name") or profile.get("real_name") or user.get(
            "real_name") or handle
        zone = user.get("tz")
        return cls(id=user["id"], name=visible_name(name), handle=visible_name(handle),
                   tz=canonical_name(zone) if isinstance(zone, str) else None,
                   is_admin=bool(user.get("is_admin") or user.get("is_owner")))


class UserDirectory:
    def __init__(self, client: Any, *, ttl: float = 3600.0, wait: float = 0.8,
                 clock: Callable[[], float] = time.monotonic):
        self.client = client
        self.ttl = ttl
        self.wait = wait
        self.clock = clock
        self._profiles: dict[str, tuple[SlackProfile, float]] = {}
        self._by_handle: dict[str, str] = {}
        self._lookups: dict[str, asyncio.Task] = {}
        self._channels: dict[str, float] = {}  # channel -> when its members were loaded
        self._channel_loads: dict[str, asyncio.Task] = {}

    def cached(self, user_id: str) -> SlackProfile | None:
        entry = self._profiles.get(user_id)
        return entry[0] if entry else None

    def find_handle(self, handle: str) -> str | None:
        return self._by_handle.get(handle.lower())

    def remember(self, profile: SlackProfile) -> None:
        self._profiles[profile.id] = (profile, self.clock())
        for key in {profile.handle.lower(), profile.name.lower()}:
            self._by_handle[key] = profile.id

    async def profile(self, user_id: str) -> SlackProfile | None:
        entry = self._profiles.get(user_id)
        if entry is not None:
            if self.clock() - entry[1] > self.ttl:
                self._lookup(user_id)  # refresh for next time; this answer uses the old one
            return entry[0]
        try:
            return await asyncio.wait_for(asyncio.shield(self._lookup(user_id)), self.wait)
        except TimeoutError:
            log.info("users.info %s is slow; going on without it", user_id)
            return None

    async def profiles(self, user_ids: Iterable[str]) -> dict[str, SlackProfile]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}  # most commands mention nobody: no gather on the ack path
        found = await asyncio.gather(*(self.profile(u) for u in ids))
        return {p.id: p for p in found if p is not None}

    def _lookup(self, user_id: str) -> asyncio.Task:
        task = self._lookups.get(user_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch(user_id))
            self._lookups[user_id] = task
            task.add_done_callback(lambda _: self._lookups.pop(user_id, None))
        return task

    async def _fetch(self, user_id: str) -> SlackProfile | None:
        try:
            answer = await self.client.users_info(user=user_id)
        except Exception as error:
            log.warning("users.info %s failed: %s", user_id, error)
            return self.cached(user_id)
        profile = SlackProfile.from_api(answer["user"])
        self.remember(profile)
        return profile

    async def resolve_handle(self, handle: str, channel: str) -> str | None:
        """A plain @name: known users first, else the channel's members (loaded once per
        `ttl`, waiting at most `wait` seconds)."""
        found = self.find_handle(handle)
        if found is not None:
            return found
        loaded = self._channels.get(channel)
        if loaded is not None and self.clock() - loaded <= self.ttl:
            return None
        task = self._channel_loads.get(channel)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load_channel(channel))
            self._channel_loads[channel] = task
            task.add_done_callback(lambda _: self._channel_loads.pop(channel, None))
        try:
            await asyncio.wait_for(asyncio.shield(task), self.wait)
        except TimeoutError:
            return None
        return self.find_handle(handle)

    async def _load_channel(self, channel: str) -> None:
        members: list[str] = []
        cursor = None
        try:
            while True:
                page = await self.client.conversations_members(
                    channel=channel, limit=200, cursor=cursor
                )
                members += page["members"]
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except Exception as error:
            log.warning("conversations.members %s failed: %s", channel, error)
            return
        unknown = [m for m in members if m not in self._profiles]
        slots = asyncio.Semaphore(8)  # users.info is rate limited; no need to hurry

        async def fetch(user_id: str) -> None:
            async with slots:
                await self._lookup(user_id)

        await asyncio.gather(*(fetch(u) for u in unknown))
        self._channels[channel] = self.clock()
