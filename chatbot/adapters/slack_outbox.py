"""Web API calls made in the background, so that no ack ever waits for Slack.

`ChannelPoster` paces `chat.postMessage` per channel (Slack allows about one message per
second per channel): lines that pile up meanwhile are joined into the next message rather
than queued behind the rate limit. `Background` runs other calls (views.publish,
chat.postEphemeral, DMs) as bounded tasks. Both only ever enqueue on the ack path.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Message:
    """A message of its own (a reminder): never joined, and its sender waits for it."""

    text: str
    blocks: list[dict] | None
    done: asyncio.Future = field(repr=False)


class ChannelPoster:
    """One flusher task per channel: post what has piled up as one message (up to
    `max_chars`, Slack's advised message length), then wait out `interval`."""

    def __init__(self, client: Any, *, interval: float = 1.0, max_pending: int = 10_000,
                 max_chars: int = 4_000):
        self.client = client
        self.interval = interval
        self.max_pending = max_pending
        self.max_chars = max_chars
        self._queues: dict[str, deque[str | _Message]] = {}
        self._flushers: dict[str, asyncio.Task] = {}
        self._pending = 0
        self.sent = self.failed = self.dropped = 0

    def post(self, channel: str, line: str) -> bool:
        """Queue a line for the channel; never blocks. False when the buffer is full."""
        if self._pending >= self.max_pending:
            # The asker already has the answer in the ack: a lost channel echo is the
            # lesser harm than a missed 3-second deadline.
            self.dropped += 1
            log.warning("channel poster full: dropped a line for %s", channel)
            return False
        self._enqueue(channel, line)
        return True

    async def send(self, channel: str, text: str, blocks: list[dict] | None = None) -> dict:
        """Post one message in the channel's turn; returns Slack's answer or raises."""
        message = _Message(text, blocks, asyncio.get_running_loop().create_future())
        self._enqueue(channel, message)
        try:
            return await asyncio.shield(message.done)
        except asyncio.CancelledError:
            # Given up by the sender: unsent, it must not go out later (the sender
            # will try again, and a reminder is posted once).
            queue = self._queues.get(channel)
            if queue is not None and message in queue:
                queue.remove(message)
                self._pending -= 1
            raise

    def _enqueue(self, channel: str, item: str | _Message) -> None:
        self._queues.setdefault(channel, deque()).append(item)
        self._pending += 1
        if channel not in self._flushers:
            task = asyncio.get_running_loop().create_task(self._flush(channel))
            self._flushers[channel] = task

    def _take(self, queue: deque[str | _Message]) -> str | _Message:
        """The next message: a reminder, or as many queued lines as fit in one message."""
        if isinstance(queue[0], _Message):
            self._pending -= 1
            return queue.popleft()
        lines: list[str] = []
        size = 0
        while queue and isinstance(queue[0], str) and (
            not lines or size + len(queue[0]) < self.max_chars
        ):
            lines.append(queue.popleft())
            size += len(lines[-1]) + 1
        self._pending -= len(lines)
        return "\n".join(lines)

    async def _flush(self, channel: str) -> None:
        loop = asyncio.get_running_loop()
        queue = self._queues[channel]
        item: str | _Message | None = None
        try:
            while queue:
                item = self._take(queue)
                started = loop.time()
                await self._post(channel, item)
                item = None
                await asyncio.sleep(max(0.0, started + self.interval - loop.time()))
        finally:
            del self._flushers[channel]
            if isinstance(item, _Message) and not item.done.done():  # cancelled mid-post
                item.done.set_exception(RuntimeError("the poster stopped"))
            if queue:  # stopped while lines were waiting
                self._fail_all(queue, RuntimeError("the poster stopped"))
            self._queues.pop(channel, None)

    async def _post(self, channel: str, item: str | _Message) -> None:
        text, blocks = (item, None) if isinstance(item, str) else (item.text, item.blocks)
        try:
            kwargs = {"blocks": blocks} if blocks else {}
            answer = await self.client.chat_postMessage(channel=channel, text=text, **kwargs)
        except Exception as error:  # a failed post must not stop the ones after it
            self.failed += 1
            if isinstance(item, _Message):
                item.done.set_exception(error)
            else:
                log.warning("posting to %s failed: %s", channel, error)
            return
        self.sent += 1
        if isinstance(item, _Message):
            item.done.set_result(answer.data)

    def _fail_all(self, queue: deque[str | _Message], error: Exception) -> None:
        for item in queue:
            if isinstance(item, _Message) and not item.done.done():
                item.done.set_exception(error)
        self._pending -= len(queue)
        queue.clear()

    async def stop(self, timeout: float = 5.0) -> None:
        """Let queued messages go out for up to `timeout` seconds, then give up on them."""
        if self._flushers:
            await asyncio.wait(list(self._flushers.values()), timeout=timeout)
        for task in list(self._flushers.values()):
            task.cancel()
        if self._flushers:
            await asyncio.wait(list(self._flushers.values()), timeout=1.0)


class Background:
    """Fire-and-forget coroutines, at most `limit` at once; failures are logged."""

    def __init__(self, limit: int = 32):
        self._slots = asyncio.Semaphore(limit)
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, work: Coroutine, what: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(self._run(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, work: Coroutine, what: str) -> None:
        async with self._slots:
            try:
                await work
            except Exception:
                log.exception("%s failed", what)

    async def stop(self, timeout: float = 5.0) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
        for task in list(self._tasks):
            task.cancel()


class AnyServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """Retries every 5xx with backoff: slack_sdk's own handler gives up on 502 and 504,
    which a proxy in front of Slack answers as readily as Slack answers 500 or 503."""

    async def _can_retry_async(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code >= 500


def web_client(token: str | None, base_url: str, session: Any = None) -> AsyncWebClient:
    """A client that honours Retry-After on 429 (not on by default) and retries 5xx and
    dropped connections. Passing `retry_handlers` replaces the defaults, so all three are
    listed."""
    return AsyncWebClient(
        token=token, base_url=base_url, session=session, timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AnyServerErrorRetryHandler(max_retry_count=2),
        ],
    )
