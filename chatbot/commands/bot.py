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
from chatbot.core.model import User
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import ScheduleBook, Series
from chatbot.page_links import PageLinks
from chatbot.redaction import SecretFinder
from chatbot.selection import Chosen, MeetingSelection, NoMeeting
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
    _meeting: Chosen | NoMeeting | None = field(default=None, repr=False)

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
        choice = self._choice()
        if isinstance(choice, NoMeeting):
            raise CommandError(choice.reason)
        return choice.series, choice.occurrence

    def optional_meeting(self) -> tuple[Series, Occurrence] | None:
        choice = self._choice()
        return None if isinstance(choice, NoMeeting) else (choice.series, choice.occurrence)

    def _choice(self) -> Chosen | NoMeeting:
        if self._meeting is None:
            self._meeting = self.bot.meetings.choose(self.scope, self.command.meeting, self.now)
        return self._meeting

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
        self.meetings = MeetingSelection(schedules, store)
        # The workspace each platform's running adapter serves (Slack's team id, learnt at
        # start), for what acts outside a message: the meeting pages.
        self.workspaces: dict[str, str] = {"console": "console", "gitter": "matrix"}
        self._members_seen: set[tuple[str, str, str]] = set()

    @property
    def channel_ids(self) -> dict[tuple[str, str], str]:
        """(platform, name a schedule binds) -> channel id, as adapters learn them."""
        return self.meetings.channel_ids

    def channel_of(self, series: Series, platform: str) -> str | None:
        return self.meetings.channel_of(series, platform)

    def workspace_named(self, series: Series, platform: str) -> str | None:
        return self.meetings.workspace_named(series, platform)

    def workspace_of_channel(self, platform: str, channel: str) -> str | None:
        """The workspace of a channel some series is bound to: the one its binding names,
        else the one the platform's adapter serves."""
        return (self.meetings.workspace_of_channel(platform, channel)
                or self.workspaces.get(platform))

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
        return with_warning(reply.with_text(self.secrets.redact), incoming.secrets_found)

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
