"""The console adapter: type commands as a user; the embedded default, no credentials."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from chatbot.commands import Bot, Message, Reply
from chatbot.core.model import Scope, User
from chatbot.core.reminder import Reminder
from chatbot.core.schedule import Series
from chatbot.scheduler import ReminderScheduler

PLATFORM = "console"
WORKSPACE = "console"


def default_channel(bot: Bot) -> str:
    """The channel of the only console-bound series, so a fresh checkout just works."""
    bound = {s.channels[PLATFORM] for s in bot.schedules.series if PLATFORM in s.channels}
    return bound.pop() if len(bound) == 1 else "console"


def page_scope(bot: Bot) -> Callable[[Series], Scope | None]:
    """Which console channel a series' web page shows: its bound one; for a lone unbound
    series, the channel commands act in by default (as `MeetingSelection.series_in` allows)."""

    def scope_for(series: Series) -> Scope | None:
        channel = series.channels.get(PLATFORM)
        if channel is None and len(bot.schedules.series) == 1:
            channel = default_channel(bot)
        return Scope(PLATFORM, WORKSPACE, channel) if channel else None

    return scope_for


def say(bot: Bot, text: str, user: str, channel: str, tz: str | None) -> Reply:
    scope = Scope(platform=PLATFORM, workspace=WORKSPACE, channel=channel)
    return bot.handle(Message(text=text, scope=scope, user=User(id=user, name=user, tz=tz)))


def render(reply: Reply) -> str:
    return reply.text if reply.ok else f"! {reply.text}"


class ShutdownRequested(Exception):
    """SIGTERM arrived: leave the input loop (after the command in flight, if any)."""


class ConsoleClosed(Exception):
    """The console has said goodbye: a reminder can no longer be shown (its claim is
    given back, so the next start posts it)."""


class Console:
    def __init__(self, bot: Bot, user: str, tz: str | None, channel: str,
                 stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout):
        self.bot = bot
        self.user = user
        self.tz = tz
        self.channel = channel
        self.stdin = stdin
        self.stdout = stdout
        self._busy = False
        self._stop_requested = False
        # One turn at a time: a command and its reply, or a reminder composed and shown.
        # So a reminder never shows the agenda as it was before a command it follows.
        self.turn = threading.Lock()
        self.closed = False

    def stop_on_sigterm(self) -> None:
        def request_stop(signum, frame):
            if self._busy:  # let the command in flight finish and reply first
                self._stop_requested = True
            else:
                raise ShutdownRequested()

        signal.signal(signal.SIGTERM, request_stop)

    def write(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def run(self) -> None:
        interactive = self.stdin.isatty()
        self.write(
            f"chatbot console: you are {self.user} in #{self.channel}. "
            "Type /help for commands, /as NAME to switch user, Ctrl-D to quit."
        )
        while True:
            if interactive:
                self.stdout.write(f"{self.user}> ")
                self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                break
            self.handle_line(line.rstrip("\n"))

    def close(self) -> None:
        """No more output after this, but the goodbye (`serve` writes it)."""
        with self.turn:
            self.closed = True

    def handle_line(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if text.split()[0] == "/as":
            name = text[3:].strip()
            if not name:
                self.write("! Usage: /as NAME")
                return
            self.user = name
            self.write(f"You are now {name}.")
            return
        self._busy = True
        try:
            with self.turn:
                self.write(render(say(self.bot, text, self.user, self.channel, self.tz)))
        finally:
            self._busy = False
        if self._stop_requested:
            raise ShutdownRequested()


class ConsoleReminders:
    """Reminders printed as they fire, between commands; personal ones shown as DMs."""

    platform = PLATFORM
    workspace = WORKSPACE

    def __init__(self, console: Console):
        self.console = console

    def _show(self, heading: str, compose: Callable[[], Reminder]) -> None:
        with self.console.turn:
            if self.console.closed:
                raise ConsoleClosed(heading)
            self.console.write(f"\n{heading} {compose().text()}")

    def post_reminder(self, channel: str, compose: Callable[[], Reminder]) -> None:
        self._show(f"[#{channel}]", compose)

    def send_direct(self, user: User, compose: Callable[[], Reminder]) -> None:
        self._show(f"[DM to {user.name}]", compose)

    def post_notice(self, channel: str, notice: Reply) -> None:
        self._write(f"[#{channel}]", notice)

    def send_direct_notice(self, user: User, notice: Reply) -> None:
        self._write(f"[DM to {user.name}]", notice)

    def _write(self, heading: str, notice: Reply) -> None:
        with self.console.turn:
            if self.console.closed:
                raise ConsoleClosed(heading)
            self.console.write(f"\n{heading} {render(notice)}")


def serve(shell: Console, scheduler: ReminderScheduler) -> None:
    """Reads commands until end of input or a signal, with reminders alongside; the
    goodbye is the last line. At end of input, what was missed while the bot was down
    is shown first (`chatbot run < /dev/null` prints it); Ctrl-C or SIGTERM stop the
    catch-up at its next series instead (the next start posts the rest)."""
    scheduler.start()
    interrupted = False
    try:
        shell.run()
    except (KeyboardInterrupt, ShutdownRequested):
        interrupted = True
    finally:
        if not interrupted:
            scheduler.finish_catch_up()
        scheduler.reminders.stopping.set()  # a tick in progress ends at its next series
        shell.close()
        scheduler.shutdown()  # waits for a tick in progress; releases unfinished claims
        shell.write("\nbye" if interrupted else "bye")
