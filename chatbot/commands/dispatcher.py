"""One dispatcher for every platform: Message in, Reply out.

Cross-cutting rules live here once: input limits, the user's stored profile,
which meeting a channel means, and turning mistakes into clear replies.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from chatbot.commands.context import Clock, CommandError, Message, Reply
from chatbot.commands.help import COMMANDS, help_text
from chatbot.commands.incoming import clean_message, with_warning
from chatbot.commands.parse import MAX_TEXT, Mention, ParsedCommand, parse_command
from chatbot.core.channel_binding import split_binding
from chatbot.core.model import Scope, User
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import ScheduleBook, Series
from chatbot.pages import PageLinks
from chatbot.redaction import SecretFinder
from chatbot.store import Store

log = logging.getLogger(__name__)

Handler = Callable[["Context"], Reply]
DEFAULT_ARCHIVE = Path("notes")


@dataclass
class Context:
    """Everything a handler needs to answer one command."""

    bot: Bot
    message: Message
    command: ParsedCommand
    user: User
    now: dt.datetime
    _meeting: tuple[Series, Occurrence] | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        return self.bot.store

    @property
    def scope(self):
        return self.message.scope

    @property
    def zone(self) -> str:
        """The asker's zone: /tz, else the platform profile, else UTC."""
        return self.user.zone or "UTC"

    def meeting(self) -> tuple[Series, Occurrence]:
        """The series this channel means and its meeting (in progress, else next)."""
        if self._meeting is None:
            self._meeting = self.bot.meeting_for(self.message, self.command.meeting, self.now)
        return self._meeting

    def optional_meeting(self) -> tuple[Series, Occurrence] | None:
        try:
            return self.meeting()
        except CommandError:
            return None

    def resolve(self, mention: Mention) -> User:
        """A mentioned user; an unknown plain @name becomes a new user of that name."""
        workspace = self.scope.workspace
        if mention.user_id:
            known = self.store.users.get(workspace, mention.user_id)
            if known is None:
                known = User(id=mention.user_id, name=mention.user_id)
                self.store.users.save(workspace, known)
            return known
        handle = mention.handle or ""
        known = self.store.users.find(workspace, handle)
        if known is None:
            known = User(id=handle, name=handle)
            self.store.users.save(workspace, known)
        return known

    def names(self, user_ids) -> dict[str, str]:
        users = self.store.users.by_id(self.scope.workspace, list(user_ids))
        return {uid: users[uid].name if uid in users else uid for uid in user_ids}


class Bot:
    def __init__(
        self, store: Store, schedules: ScheduleBook, clock: Clock | None = None,
        archive: Path | None = None, pages: PageLinks | None = None,
    ):
        self.store = store
        self.schedules = schedules
        self.clock = clock or Clock()
        self.archive = archive or DEFAULT_ARCHIVE  # where /meeting end writes the minutes
        self.pages = pages or PageLinks(store)  # no base URL: replies carry no page link
        self.handlers: dict[str, Handler] = {}
        self.secrets = SecretFinder()  # the bot's own credentials, from its settings
        # A schedule may bind a channel by a name other than the id messages carry
        # (a Matrix room alias); adapters record (platform, name) -> id here.
        self.channel_ids: dict[tuple[str, str], str] = {}
        # The workspace each platform's running adapter serves (Slack's team id, learnt at
        # start), for what acts outside a message: the meeting pages.
        self.workspaces: dict[str, str] = {"console": "console", "gitter": "matrix"}
        self._members_seen: set[tuple[str, str, str]] = set()
        self._index: dict[tuple[str, str], list[Series]] = {}
        self._index_version: tuple | None = None

    def channel_of(self, series: Series, platform: str) -> str | None:
        """The id of the channel `series` is bound to on `platform`, if any."""
        binding = series.channels.get(platform)
        if binding is None:
            return None
        channel = split_binding(platform, binding)[1]
        return self.channel_ids.get((platform, channel), channel)

    def workspace_named(self, series: Series, platform: str) -> str | None:
        """The workspace the series' binding on `platform` names, if it names one
        (`slack = "T0123/C0456"`, when one bot serves many Slack workspaces)."""
        binding = series.channels.get(platform)
        return split_binding(platform, binding)[0] if binding is not None else None

    def workspace_of_channel(self, platform: str, channel: str) -> str | None:
        """The workspace of a channel some series is bound to: the one its binding names,
        else the one the platform's adapter serves."""
        bound = self._series_by_channel().get((platform, channel), [])
        named = self.workspace_named(bound[0], platform) if bound else None
        return named or self.workspaces.get(platform)

    def command(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers[name] = handler
            return handler

        return register

    def handle(self, message: Message, store_with_command: Callable[[], None] | None = None
               ) -> Reply:
        """Never raises: every outcome is a reply the user can act on. What was said is
        cleaned first (`incoming.py`): no secret or hidden character is ever stored. A reply
        never carries the bot's own credentials, whatever was stored before.

        A command is one transaction, begun at its first write: an error reply leaves
        the database as it was. `store_with_command` writes what the adapter learnt for
        this command (the profiles of the people it mentions), inside that transaction."""
        incoming = clean_message(message, self.secrets)
        message = incoming.message
        try:
            with self.store.transaction(from_first_write=True):
                if store_with_command is not None:
                    store_with_command()
                reply = self._handle(message)
                if not reply.ok:
                    raise CommandError(reply.text)  # rolls back what it wrote
        except CommandError as error:
            reply = Reply(str(error), ok=False)
        except Exception:
            log.exception("command failed: %r", message.text[:200])
            reply = Reply(
                "Sorry, something went wrong handling that command; nothing was changed. "
                "Try again, or report it to the bot's maintainers.",
                ok=False,
            )
        reply = replace(reply, text=self.secrets.redact(reply.text))
        return with_warning(reply, incoming.secrets_found)

    def _handle(self, message: Message) -> Reply:
        if len(message.text) > MAX_TEXT:
            raise CommandError(
                f"That message is {len(message.text):,} characters; the limit is {MAX_TEXT:,}. "
                "Shorten it and send it again."
            )
        command = parse_command(message.text)
        if command is None:
            raise CommandError("Commands start with / (like /agenda). Type /help for the list.")
        if command.meeting == "":
            raise CommandError("--meeting needs a meeting id, like /agenda --meeting standup")
        handler = self.handlers.get(command.name)
        if handler is None:
            raise CommandError(unknown_command(command.name, list(self.handlers)))
        stored = self.store.users.get(message.scope.workspace, message.user.id)
        user_writes = self.store.users.writes
        context = Context(
            bot=self, message=message, command=command,
            user=_merged(stored, message.user), now=self.clock.now(),
        )
        reply = handler(context)
        if reply.ok:
            # Most commands change no profile: then the row read above is still current.
            self.remember(message, stored if self.store.users.writes == user_writes
                          else self.store.users.get(message.scope.workspace, message.user.id))
        return reply

    def known_user(self, message: Message) -> User:
        """The stored profile (timezone, affiliation…) merged with the platform's name."""
        return _merged(self.store.users.get(message.scope.workspace, message.user.id),
                       message.user)

    def remember(self, message: Message, stored: User | None) -> None:
        """Store a new or renamed user once a command succeeded (errors store nothing).

        Most commands come from people already known in their channel: that costs one
        read, and no write transaction."""
        scope = message.scope
        user = _merged(stored, message.user)
        member = (scope.workspace, scope.channel, user.id)
        changed = stored != user
        joined = (member not in self._members_seen
                  and not self.store.members.includes(scope, user.id))
        if changed or joined:
            with self.store.transaction():
                if changed:
                    self.store.users.save(scope.workspace, user)
                if joined:
                    self.store.members.add(scope, user.id, self.clock.now().isoformat())
        self._members_seen.add(member)  # membership is never taken back

    def series_for(self, message: Message) -> list[Series]:
        scope = message.scope
        bound = [s for s in self._series_by_channel().get((scope.platform, scope.channel), [])
                 if self.workspace_named(s, scope.platform) in (None, scope.workspace)]
        if not bound and scope.platform == "console" and len(self.schedules.series) == 1:
            return list(self.schedules.series)
        return list(bound)

    def _series_by_channel(self) -> dict[tuple[str, str], list[Series]]:
        """(platform, channel id) -> its series; rebuilt when the schedules or the
        adapter's alias ids change, not scanned per command (there may be thousands)."""
        series = self.schedules.series
        version = (id(series), frozenset(self.channel_ids.items()))
        if version != self._index_version:
            index: dict[tuple[str, str], list[Series]] = {}
            for one in series:
                for platform in one.channels:
                    channel = self.channel_of(one, platform)
                    index.setdefault((platform, channel), []).append(one)
            self._index, self._index_version = index, version
        return self._index

    def has_ended(self, scope: Scope, series_id: str, occurrence: Occurrence) -> bool:
        record = self.store.meetings.get(scope, series_id, occurrence.key.isoformat())
        return record is not None and record.ended_at is not None

    def next_not_ended(
        self, scope: Scope, series: Series, now: dt.datetime
    ) -> Occurrence | None:
        """The next occurrence, skipping one already held early (started and ended)."""
        following = series.recurrence.next_after(now)
        while following is not None and self.has_ended(scope, series.id, following):
            following = series.recurrence.next_after(following.start_utc)
        return following

    def meeting_for(
        self, message: Message, pick: str | None, now: dt.datetime
    ) -> tuple[Series, Occurrence]:
        candidates = self.series_for(message)
        if pick is not None:
            chosen = [s for s in candidates if s.id == pick]
            if not chosen:
                ids = ", ".join(s.id for s in candidates) or "none"
                raise CommandError(
                    f"No meeting '{pick}' in this channel (its meetings: {ids})."
                )
            candidates = chosen
        if not candidates:
            raise CommandError(
                "No meeting is scheduled for this channel. Bind one in its schedule file: "
                f'[channels] {message.scope.platform} = "{message.scope.channel}".'
            )
        # A meeting started with /meeting start wins, whatever the clock says (it may start
        # early or run late); one already ended no longer counts as in progress.
        started = {m.series: m for m in self.store.meetings.in_progress(message.scope)}
        for series in candidates:
            if series.id in started:
                key = dt.date.fromisoformat(started[series.id].occurrence)
                return series, series.occurrence_on_day(key)
        in_progress = [
            (s, o) for s in candidates
            if (o := s.in_progress(now)) is not None
            and not self.has_ended(message.scope, s.id, o)
        ]
        if in_progress:
            return in_progress[0]
        upcoming = [
            (s, o) for s in candidates if (o := self.next_not_ended(message.scope, s, now))
        ]
        if not upcoming:
            raise CommandError(
                f"{candidates[0].name} has no upcoming meeting; add dates to its schedule file."
            )
        return min(upcoming, key=lambda pair: pair[1].start_utc)


def _merged(stored: User | None, said: User) -> User:
    """What we know of a person (stored) updated with what the platform says now."""
    if stored is None:
        return User(id=said.id, name=said.name, profile_tz=said.tz)
    return replace(stored, name=said.name or stored.name, profile_tz=said.tz or stored.profile_tz)


def unknown_command(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean /{close[0]}?" if close else ""
    shown = name if len(name) <= 40 else name[:40] + "…"
    return f"Unknown command /{shown}.{hint} Type /help for the list."


def help_reply(context: Context) -> Reply:
    topic = context.command.args.strip().lstrip("/!").lower()
    if not topic:
        return Reply(help_text())
    if topic not in COMMANDS:
        raise CommandError(unknown_command(topic, list(COMMANDS)))
    return Reply(help_text(topic))
