"""The Gitter adapter: Gitter rooms are Matrix rooms, so this is a Matrix bot.

A thin translation between mautrix's sync loop and the shared `Bot`: messages in
bound rooms become `Message`s, `Reply`s go back as `m.notice` events (plain and
HTML), and reminders from the background scheduler thread are handed to the
asyncio loop. Text conversion lives in `matrix_text`; the meeting logic never
imports mautrix.

Delivery rules: the sync position is kept in our SQLite database and saved by
mautrix before a batch is handled, so a command sent while the bot was down is
answered once after it comes back and nothing is answered twice (a crash in the
middle of a batch loses that batch's commands rather than repeating them). The
very first sync is skipped, so history from before the first start is never
answered, and neither is history a room shows the bot when it joins.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mautrix.client import Client, InternalEventType, SyncStream
from mautrix.client.state_store import MemoryStateStore, SyncStore
from mautrix.errors import MatrixError, MForbidden
from mautrix.types import (
    EventFilter,
    EventID,
    EventType,
    Filter,
    FilterID,
    Format,
    Membership,
    MessageEvent,
    MessageType,
    ReactionEvent,
    RedactionEvent,
    RoomCreatePreset,
    RoomEventFilter,
    RoomFilter,
    RoomID,
    StateEvent,
    SyncToken,
    TextMessageEventContent,
    UserID,
)

from chatbot.adapters.matrix_text import (
    Formatter,
    command_text,
    localpart,
    mentioned_ids,
    message_text,
    resolve_mentions,
)
from chatbot.commands import Bot, Message, Reply
from chatbot.commands.live import captured_command
from chatbot.config import MatrixSettings, SettingsError
from chatbot.core.hidden_text import visible_name
from chatbot.core.model import Scope, User
from chatbot.core.reminder import Reminder
from chatbot.core.reply import user_ids
from chatbot.scheduler import Reminders, ReminderScheduler

log = logging.getLogger(__name__)

PLATFORM = "gitter"
# Matrix user ids are global (@bob:gitter.im), so every room shares one namespace
# of people, whichever homeserver the bot account lives on.
WORKSPACE = "matrix"
# Commands missed while the bot was down are delivered up to this many events
# per room; an older backlog is cut by the homeserver ("limited" timeline).
TIMELINE_LIMIT = 100
SYNC_FILTER = Filter(
    room=RoomFilter(timeline=RoomEventFilter(limit=TIMELINE_LIMIT)),
    presence=EventFilter(not_types=["*"]),
)
# Schedule files are re-read when they change; this is how soon a new binding is joined.
REBIND_SECONDS = 30
# How long the reminder thread waits for a post before counting it failed (and retrying).
SEND_TIMEOUT_SECONDS = 30
DEVICE_NAME = "chatbot"
# A custom key of the message that opened a vote (the spec allows namespaced keys in
# event content): the vote's number, so a reaction on it is a ballot in that vote, read
# from the event itself after any restart, never from its text.
VOTE_KEY = "org.chatbot.vote"


class StoredSyncPosition(SyncStore):
    """mautrix's sync loop reads and writes its position through our database."""

    def __init__(self, bot: Bot, account: str) -> None:
        self.bot = bot
        self.account = account

    async def put_next_batch(self, next_batch: SyncToken) -> None:
        now = self.bot.clock.now().isoformat()
        await asyncio.to_thread(self.bot.store.chat_accounts.save_sync_position, self.account,
                                next_batch, now)

    async def get_next_batch(self) -> SyncToken | None:
        position = await asyncio.to_thread(self.bot.store.chat_accounts.sync_position, self.account)
        return SyncToken(position) if position else None


class GitterAdapter:
    """One bot account in its bound rooms. The asyncio loop never touches SQLite
    itself: store calls run in worker threads, so a busy database cannot stall sync."""

    def __init__(self, bot: Bot, settings: MatrixSettings) -> None:
        self.bot = bot
        self.settings = settings
        self.client = Client(
            mxid=UserID(settings.user_id),
            base_url=settings.homeserver,
            token=settings.access_token or "",
            sync_store=StoredSyncPosition(bot, settings.user_id),
            state_store=MemoryStateStore(),
        )
        # A first start takes its sync position before joining any room (`_connect`), so
        # this only guards against a position lost later: skip that backlog too.
        self.client.ignore_initial_sync = True
        self.formatter = Formatter(settings.prefix, tuple(bot.handlers))
        self.bot_names: set[str] = {localpart(settings.user_id)}
        self._before_join: set[EventID] = set()
        self._bindings_seen: frozenset[str] = frozenset()
        self._logged_in_here = False
        self._filter_id: FilterID | None = None
        self._rebinder: asyncio.Task | None = None
        self.sync_task: asyncio.Future | None = None
        # Commands of one sync batch are dispatched together; they take turns in
        # arrival order (asyncio.Lock is first come, first served) so replies and
        # agenda numbers follow the order people spoke in.
        self._turn = asyncio.Lock()
        self._in_flight: set[asyncio.Task] = set()
        # wait_sync=True: a batch is handled before the next /sync is requested.
        self.client.add_event_handler(
            InternalEventType.SYNC_SUCCESSFUL, self._note_pre_join_history, wait_sync=True
        )
        self.client.add_event_handler(
            EventType.ROOM_MEMBER, self._on_invite, wait_sync=True,
            sync_stream=SyncStream.INVITED_ROOM,
        )
        self.client.add_event_handler(EventType.ROOM_MESSAGE, self._on_message, wait_sync=True)
        self.client.add_event_handler(EventType.REACTION, self._on_reaction, wait_sync=True)
        self.client.add_event_handler(EventType.ROOM_REDACTION, self._on_redaction,
                                      wait_sync=True)
        # The thumbs that count as ballots: reaction event -> (room, vote, voter, choice).
        # A reaction taken back is a redaction, which no longer says what it took back.
        self._thumbs: dict[EventID, tuple[RoomID, int, UserID, str]] = {}

    @property
    def user_id(self) -> str:
        return self.client.mxid

    # -- lifecycle ------------------------------------------------------------

    async def start(self) -> None:
        """Log in, join the bound rooms, start syncing."""
        try:
            await self._connect()
        except BaseException:
            await self.client.api.session.close()
            raise
        self.sync_task = self.client.start(self._filter_id)
        self._rebinder = asyncio.create_task(self._rebind_when_schedules_change())

    async def _connect(self) -> None:
        if not self.settings.access_token:
            await self.client.login(password=self.settings.password, device_name=DEVICE_NAME)
            self._logged_in_here = True
        whoami = await self.client.whoami()
        if whoami.user_id != self.settings.user_id:
            raise SettingsError(
                f"MATRIX_ACCESS_TOKEN belongs to {whoami.user_id}, "
                f"not MATRIX_USER_ID {self.settings.user_id}"
            )
        display_name = await self._display_name(self.user_id)
        if display_name:
            self.bot_names.add(display_name)
        self._filter_id = await self.client.create_filter(SYNC_FILTER)
        await self._mark_the_present()
        await self.bind_rooms()

    async def _mark_the_present(self) -> None:
        """On a first start, store the sync position of this moment before joining rooms.

        Everything said before it is history, never answered; a command said the instant
        after the bot joined comes in the first incremental sync and is answered (if the
        first sync came after the join, it would be skipped as backlog with the rest)."""
        if await self.client.sync_store.get_next_batch():
            return
        data = await self.client.sync(filter_id=self._filter_id, timeout=0)
        await self.client.sync_store.put_next_batch(data["next_batch"])

    async def stop(self) -> None:
        if self._rebinder is not None:
            self._rebinder.cancel()
        self.client.stop()
        if self.sync_task is not None:
            await asyncio.gather(self.sync_task, return_exceptions=True)
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._logged_in_here:
            try:  # a password login made a device of its own: don't leave it behind
                await self.client.logout()
            except MatrixError as error:
                log.warning("logging out failed: %s", error)
        await self.client.api.session.close()

    # -- rooms bound in the schedule files --------------------------------------

    def bindings(self) -> frozenset[str]:
        return frozenset(
            s.channels[PLATFORM] for s in self.bot.schedules.series if PLATFORM in s.channels
        )

    async def room_id(self, binding: str) -> RoomID | None:
        """A binding's room id; an alias is resolved and remembered for the whole bot."""
        if binding.startswith("!"):
            return RoomID(binding)
        if not binding.startswith("#"):
            log.warning("[channels] gitter = %r is neither a room id (!…) nor an alias (#…)",
                        binding)
            return None
        try:
            room_id = (await self.client.resolve_room_alias(binding)).room_id
        except MatrixError as error:
            log.warning("cannot resolve room alias %s: %s", binding, error)
            return self.bot.channel_ids.get((PLATFORM, binding))
        self.bot.channel_ids[(PLATFORM, binding)] = room_id
        return room_id

    async def bound_room_ids(self) -> dict[RoomID, str]:
        """Room id -> binding, for every binding that resolves."""
        rooms = {}
        for binding in sorted(self.bindings()):
            room_id = await self.room_id(binding)
            if room_id is not None:
                rooms[room_id] = binding
        return rooms

    async def bind_rooms(self) -> None:
        """Resolve every binding and join the bound rooms the bot is not in yet."""
        self._bindings_seen = self.bindings()
        joined = set(await self.client.get_joined_rooms())
        for room_id, binding in (await self.bound_room_ids()).items():
            if room_id in joined:
                continue
            # By alias when bound by alias: the alias names a server that can route the join.
            via = [room_id.partition(":")[2]] if binding.startswith("!") else None
            try:
                await self.client.join_room(binding, servers=via, max_retries=0)
                log.info("joined %s (%s)", binding, room_id)
            except MatrixError as error:
                log.warning("cannot join %s: %s (invite the bot to the room)", binding, error)

    async def _rebind_when_schedules_change(self) -> None:
        while True:
            await asyncio.sleep(REBIND_SECONDS)
            try:
                if await asyncio.to_thread(self.bindings) != self._bindings_seen:
                    await self.bind_rooms()
            except Exception:
                log.exception("re-reading the room bindings failed")

    async def _on_invite(self, event: StateEvent) -> None:
        if event.state_key != self.user_id or event.content.membership != Membership.INVITE:
            return
        if event.room_id in await self.bound_room_ids():
            await self.client.join_room_by_id(event.room_id)
            log.info("accepted the invite to %s from %s", event.room_id, event.sender)
        else:
            log.info("left the invite to %s from %s pending: no schedule binds that room",
                     event.room_id, event.sender)

    async def _note_pre_join_history(self, event: dict[str, Any]) -> None:
        """A just-joined room's timeline starts with history from before the join
        (rooms default to history_visibility "shared"); remember it so it is not answered."""
        for room in event["data"].get("rooms", {}).get("join", {}).values():
            timeline = room.get("timeline", {}).get("events", [])
            for index, raw in enumerate(timeline):
                if (raw.get("type") == "m.room.member" and raw.get("state_key") == self.user_id
                        and raw.get("content", {}).get("membership") == "join"):
                    self._before_join.update(e["event_id"] for e in timeline[:index])

    # -- people -----------------------------------------------------------------

    async def member_names(self, room_id: RoomID) -> dict[str, str]:
        """User id -> display name of the room's joined members, from its member state.
        Fetched once per room; the sync loop keeps mautrix's state store current."""
        store = self.client.state_store
        if not await store.has_full_member_list(room_id):
            await self.client.get_joined_members(room_id)
        members = await store.get_member_profiles(room_id, (Membership.JOIN,))
        return {user: visible_name(member.displayname or "") or localpart(user)
                for user, member in members.items()}

    async def _display_name(self, user_id: str) -> str | None:
        try:
            name = await self.client.get_displayname(UserID(user_id))
        except MatrixError:
            return None
        return visible_name(name) if name else None

    # -- commands ---------------------------------------------------------------

    def _is_for_us(self, event: MessageEvent) -> bool:
        content = event.content
        return (
            event.sender != self.user_id
            and event.event_id not in self._before_join
            # m.notice is what bots send, and must not be answered (that is how bot
            # loops are avoided); this also leaves out emotes and media.
            and content.msgtype == MessageType.TEXT
            and content.get_edit() is None  # an edited command is not run again
        )

    async def _on_message(self, event: MessageEvent) -> None:
        if not self._is_for_us(event):
            return
        # Its own task, shielded: stopping cancels the sync loop, but a command whose
        # sync position is already saved must still be answered (stop() waits for it).
        task = asyncio.create_task(self._answer_in_turn(event))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        await asyncio.shield(task)

    async def _answer_in_turn(self, event: MessageEvent) -> None:
        async with self._turn:
            try:
                await self._answer_command(event)
            except Exception:  # the room gets no answer; the log says why
                log.exception("answering %s in %s failed", event.event_id, event.room_id)

    async def _answer_command(self, event: MessageEvent) -> None:
        text = command_text(said(event), self.settings.prefix, self.user_id, self.bot_names)
        if text is None:
            return
        members = await self.member_names(event.room_id)
        text = resolve_mentions(text, members)
        author = event.sender
        quoted = await self._replied_to(event)
        if quoted is not None:
            # A reply with !note, !todo add @owner or !decision records the message it
            # answers, as its author's.
            captured = captured_command(text, resolve_mentions(said(quoted), members))
            if captured is not None:
                text, author = captured, quoted.sender
        mentioned = mentioned_ids(text)
        strangers = {}  # mentioned by full id but not in the room: their profile name
        for user_id in [uid for uid in mentioned if uid not in members]:
            strangers[user_id] = await self._display_name(user_id) or localpart(user_id)
        sender = User(id=author, name=members.get(author) or localpart(author))
        message = Message(text, Scope(PLATFORM, WORKSPACE, event.room_id), sender)
        in_room = {uid: members[uid] for uid in mentioned if uid in members}
        plain, html, marks = await asyncio.to_thread(self._answer, message, in_room, strangers)
        await self.send_notice(event.room_id, plain, html, reply_to=event, marks=marks)

    async def _replied_to(self, event: MessageEvent) -> MessageEvent | None:
        """The message `event` answers, when it is a reply to a text message."""
        replied = event.content.get_reply_to()
        if not replied:
            return None
        try:
            quoted = await self.client.get_event(event.room_id, replied)
        except MatrixError as error:
            log.info("cannot read the message %s replied to: %s", replied, error)
            return None
        return quoted if isinstance(quoted, MessageEvent) else None

    async def _on_reaction(self, event: ReactionEvent) -> None:
        """👍 / 👎 on the message that opened the vote still open: +1 / -1 by the reactor."""
        relation = event.content.relates_to
        choice = VOTE_REACTIONS.get(_base_emoji(relation.key or "")) if relation else None
        if (choice is None or event.sender == self.user_id
                or event.event_id in self._before_join):
            return
        voted = await self._replied_to_by_reaction(event)
        if voted is None:
            return
        if len(self._thumbs) >= MAX_THUMBS:  # the oldest go first
            del self._thumbs[next(iter(self._thumbs))]
        self._thumbs[event.event_id] = (event.room_id, voted[1], event.sender, choice)
        await self._ballot(event.room_id, event.sender, f"#{voted[1]} {choice}", voted[0])

    async def _on_redaction(self, event: RedactionEvent) -> None:
        """A thumb taken back: the voter's other thumb on that vote counts, else none."""
        redacted = event.redacts or getattr(event.content, "redacts", None)  # v11: content
        taken_back = self._thumbs.pop(redacted, None)
        if taken_back is None:
            return
        room, number, voter, _ = taken_back
        still = [choice for r, n, v, choice in self._thumbs.values()
                 if (r, n, v) == (room, number, voter)]
        await self._ballot(room, voter, f"#{number} {still[-1] if still else 'withdraw'}")

    async def _ballot(self, room: RoomID, voter: UserID, words: str,
                      reply_to: MessageEvent | None = None) -> None:
        """`/vote WORDS` said by `voter`, answered in the room."""
        async with self._turn:
            members = await self.member_names(room)
            sender = User(id=voter, name=members.get(voter) or localpart(voter))
            message = Message(f"/vote {words}", Scope(PLATFORM, WORKSPACE, room), sender)
            plain, html, _ = await asyncio.to_thread(self._answer, message, {}, {})
            await self.send_notice(room, plain, html, reply_to=reply_to)

    async def _replied_to_by_reaction(self, event: ReactionEvent
                                      ) -> tuple[MessageEvent, int] | None:
        """The bot's message a reaction is on, and the vote it opened, if it opened one."""
        try:
            target = await self.client.get_event(event.room_id, event.content.relates_to.event_id)
        except MatrixError as error:
            log.info("cannot read the message reacted to: %s", error)
            return None
        if not isinstance(target, MessageEvent) or target.sender != self.user_id:
            return None
        number = target.content.get(VOTE_KEY)
        opened_a_vote = isinstance(number, int) and not isinstance(number, bool) and number > 0
        return (target, number) if opened_a_vote else None

    def _answer(self, message: Message, in_room: dict[str, str],
                strangers: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        """In a worker thread: the shared dispatcher's reply, rendered for Matrix, and the
        custom keys its event carries (the vote it opened)."""
        reply = self.bot.handle(message, lambda: self._introduce(in_room, strangers))
        names = self.names_of(user_ids(reply.lines))
        formatter = self.formatter.answering(message.text)
        marks = {VOTE_KEY: reply.vote.number} if reply.vote and reply.vote.opened else {}
        return formatter.plain(reply.lines, names), formatter.html(reply.lines, names), marks

    def _introduce(self, in_room: dict[str, str], strangers: dict[str, str]) -> None:
        """Store mentioned people's names so replies and reminders name them: the
        room's display name wins; someone outside the room keeps a name once known.
        Part of the command's transaction: a command that fails stores none of them."""
        store = self.bot.store
        for user_id, name in {**strangers, **in_room}.items():
            known = store.users.get(WORKSPACE, user_id)
            if known is None:
                store.users.save(WORKSPACE, User(id=user_id, name=name))
            elif user_id in in_room and known.name != name:
                store.users.save(WORKSPACE, replace(known, name=name))

    def names_of(self, user_ids: list[str]) -> dict[str, str]:
        users = self.bot.store.users.by_id(WORKSPACE, user_ids)
        return {uid: users[uid].name for uid in user_ids if uid in users}

    async def send_notice(self, room_id: RoomID, plain: str, html: str,
                          reply_to: MessageEvent | None = None,
                          marks: dict[str, Any] | None = None) -> EventID:
        content = TextMessageEventContent(
            msgtype=MessageType.NOTICE, body=plain, format=Format.HTML, formatted_body=html
        )
        for key, value in (marks or {}).items():
            content[key] = value
        if reply_to is not None:
            content.set_reply(reply_to)
            content["m.mentions"] = {"user_ids": [reply_to.sender]}
        else:
            content["m.mentions"] = {}  # a reminder pings nobody by name
        return await self.client.send_message(room_id, content)

    # -- reminders --------------------------------------------------------------

    def render_reminder(self, reminder: Reminder) -> tuple[str, str]:
        names = self.names_of(user_ids(reminder.lines()))
        return self.formatter.reminder(reminder, names)

    async def send_direct(self, user_id: str, plain: str, html: str) -> None:
        """Into the direct-message room shared with `user_id`, made on first use."""
        store = self.bot.store
        room_id = await asyncio.to_thread(store.chat_accounts.direct_room, self.user_id, user_id)
        if room_id is not None:
            try:
                await self.send_notice(RoomID(room_id), plain, html)
                return
            except MForbidden:  # the bot left or was removed: open a new one
                log.info("direct room %s with %s is gone; opening another", room_id, user_id)
        room_id = await self.client.create_room(
            preset=RoomCreatePreset.TRUSTED_PRIVATE, is_direct=True, invitees=[UserID(user_id)]
        )
        await asyncio.to_thread(store.chat_accounts.save_direct_room, self.user_id, user_id,
                                room_id)
        await self.send_notice(RoomID(room_id), plain, html)


# A reaction on the vote message casts a vote; skin tones and emoji variation selectors
# are the same thumb.
VOTE_REACTIONS = {"👍": "+1", "👎": "-1"}
MAX_THUMBS = 10_000  # reactions remembered, to be taken back (in memory: not after a restart)


def _base_emoji(key: str) -> str:
    return "".join(c for c in key if c != "\ufe0f" and not "\U0001f3fb" <= c <= "\U0001f3ff")


def said(event: MessageEvent) -> str:
    """What a message says, without the quote of the message it replies to."""
    content = event.content
    content.trim_reply_fallback()
    formatted = content.formatted_body if content.format == Format.HTML else None
    return message_text(content.body or "", formatted)


class MatrixReminders:
    """The scheduler's `ReminderTarget`: called in its thread, posts on the loop and
    waits, so a failed post raises there and the reminder is retried."""

    platform = PLATFORM
    workspace = WORKSPACE

    def __init__(self, adapter: GitterAdapter, loop: asyncio.AbstractEventLoop) -> None:
        self.adapter = adapter
        self.loop = loop

    def _on_loop(self, coroutine) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=SEND_TIMEOUT_SECONDS)

    def post_reminder(self, channel: str, compose: Callable[[], Reminder]) -> None:
        plain, html = self.adapter.render_reminder(compose())
        self._on_loop(self.adapter.send_notice(RoomID(channel), plain, html))

    def send_direct(self, user: User, compose: Callable[[], Reminder]) -> None:
        plain, html = self.adapter.render_reminder(compose())
        self._on_loop(self.adapter.send_direct(user.id, plain, html))

    def post_notice(self, channel: str, notice: Reply) -> None:
        self._on_loop(self.adapter.send_notice(RoomID(channel), *self._rendered(notice)))

    def send_direct_notice(self, user: User, notice: Reply) -> None:
        self._on_loop(self.adapter.send_direct(user.id, *self._rendered(notice)))

    def _rendered(self, notice: Reply) -> tuple[str, str]:
        names = self.adapter.names_of(user_ids(notice.lines))
        formatter = self.adapter.formatter
        return formatter.plain(notice.lines, names), formatter.html(notice.lines, names)


async def serve(bot: Bot, settings: MatrixSettings, stop: asyncio.Event) -> None:
    """Answer commands and post reminders until `stop` is set or syncing dies
    (a revoked token, say: then this raises)."""
    adapter = GitterAdapter(bot, settings)
    await adapter.start()
    target = MatrixReminders(adapter, asyncio.get_running_loop())
    scheduler = ReminderScheduler(Reminders(bot, target))
    try:
        # In a thread: its first tick posts missed reminders, which waits on this loop.
        await asyncio.to_thread(scheduler.start)
        log.info("chatbot is on Matrix as %s (%s); commands start with %s",
                 adapter.user_id, settings.homeserver, settings.prefix)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([stopped, adapter.sync_task], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
    finally:
        await asyncio.to_thread(scheduler.shutdown)
        await adapter.stop()
    if not stop.is_set():
        raise RuntimeError("Matrix sync stopped; see the log above")


def run(bot: Bot) -> int:
    """`chatbot run --adapter gitter`: until Ctrl-C or SIGTERM."""
    settings = MatrixSettings.from_env()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(bot, settings, stop)

    try:
        asyncio.run(main())
    except (MatrixError, RuntimeError) as error:
        log.error("%s", error)
        return 1
    return 0

