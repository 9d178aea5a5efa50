"""Reminders and commands at the same moment: what a reminder shows and when it stops."""

from __future__ import annotations

import datetime as dt
import io
import threading

from chatbot.adapters import console
from chatbot.commands import Clock, build_bot
from chatbot.core.schedule import ScheduleBook
from chatbot.scheduler import Reminders, ReminderScheduler
from chatbot.store import Store
from tests.conftest import ROOT

ONE_DAY_BEFORE = dt.datetime(2018, 3, 20, 17, 30, tzinfo=dt.UTC)  # 1-day reminder is due


def seed_bot(tmp_path, now=ONE_DAY_BEFORE):
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "binder-team.toml").write_text((ROOT / "schedules" / "binder-team.toml").read_text())
    return build_bot(Store(tmp_path / "chatbot.db"), ScheduleBook(folder, check_interval=0),
                     Clock(now))


class CommandBeforePosting:
    """A platform on which someone adds an agenda item just as a reminder goes out."""

    platform = workspace = "console"

    def __init__(self, bot):
        self.bot = bot
        self.posted = []

    def post_reminder(self, channel, compose):
        console.say(self.bot, "/agenda add Kubeflow presentation", "jessica", channel, "UTC")
        self.posted.append(compose().text())

    def send_direct(self, user, compose):
        compose()


def test_a_reminder_shows_the_agenda_as_it_is_when_posted(tmp_path):
    bot = seed_bot(tmp_path)
    target = CommandBeforePosting(bot)
    assert len(Reminders(bot, target).tick(ONE_DAY_BEFORE)) == 1
    [text] = target.posted
    assert "Kubeflow presentation" in text
    assert "nothing yet" not in text


class InputThenQuit(io.StringIO):
    """Typed input; reaching its end (Ctrl-D) sets `ended`."""

    def __init__(self, text: str):
        super().__init__(text)
        self.ended = threading.Event()

    def readline(self, *args) -> str:
        line = super().readline(*args)
        if not line:
            self.ended.set()
        return line


def quitting_console(tmp_path, typed):
    bot = seed_bot(tmp_path)
    out = io.StringIO()
    shell = console.Console(bot, "jessica", "UTC", "binder-team", stdin=typed, stdout=out)
    reminders = Reminders(bot, console.ConsoleReminders(shell))
    tick = reminders.tick

    def catch_up_as_the_console_quits(now):
        # The catch-up (missed reminders) reaches its post exactly as the input ends.
        typed.ended.wait(10)
        return tick(now)

    reminders.tick = catch_up_as_the_console_quits
    return bot, shell, out, ReminderScheduler(reminders)


def test_end_of_input_during_the_catch_up_shows_it_then_bye(tmp_path):
    typed = InputThenQuit("/agenda add Kubeflow presentation\n")
    _, shell, out, scheduler = quitting_console(tmp_path, typed)
    console.serve(shell, scheduler)
    text = out.getvalue()
    assert text.rstrip().splitlines()[-1] == "bye"
    before, reminder = text.split("[#binder-team]")
    assert "added agenda item 1" in before
    assert "Kubeflow presentation" in reminder


class InterruptedInput(InputThenQuit):
    """Ctrl-C instead of Ctrl-D."""

    def readline(self, *args) -> str:
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_during_the_catch_up_prints_nothing_after_bye(tmp_path):
    typed = InterruptedInput("/agenda add Kubeflow presentation\n")
    bot, shell, out, scheduler = quitting_console(tmp_path, typed)
    console.serve(shell, scheduler)
    text = out.getvalue()
    assert text.rstrip().splitlines()[-1] == "bye"
    shown = text.split("[#binder-team]")
    if len(shown) > 1:  # shown before the goodbye, with the agenda as it was then
        assert "Kubeflow presentation" in shown[1]
    else:  # cut short: nothing claimed it for good, so the next start posts it
        assert len(Reminders(bot, CommandBeforePosting(bot)).tick(ONE_DAY_BEFORE)) == 1
