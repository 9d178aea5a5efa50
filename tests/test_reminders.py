"""Reminders: the message in every zone, and posting each exactly once."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from chatbot.commands import Clock, build_bot
from chatbot.core.reminder import compose_reminder
from chatbot.core.schedule import ScheduleBook, load_schedule_file
from chatbot.scheduler import Reminders, ReminderScheduler
from chatbot.store import Store

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


class RecordingTarget:
    """Stands in for a platform: records what would be posted; can fail on demand."""

    platform = "console"
    workspace = "console"

    def __init__(self, failures: int = 0):
        self.posts: list[tuple[str, object]] = []
        self.directs: list[tuple[str, object]] = []
        self.failures = failures
        self.lock = threading.Lock()

    def post_reminder(self, channel, compose):
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise ConnectionError("platform answered 503")
            self.posts.append((channel, compose()))

    def send_direct(self, user, compose):
        self.directs.append((user.id, compose()))


def write_series(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(body)
    return path


SEED = (Path(__file__).resolve().parent.parent / "schedules" / "binder-team.toml").read_text()


def seed_series():
    series, problems = load_schedule_file(
        Path(__file__).resolve().parent.parent / "schedules" / "binder-team.toml")
    assert not problems
    return series


# -- the message ------------------------------------------------------------

def labels(reminder):
    return [z.label() for z in reminder.zone_times]


def test_seed_meeting_in_every_member_zone():
    series = seed_series()
    occurrence = series.recurrence.next_after(at("2018-03-20T12:00"))
    zones = {"America/Los_Angeles", "America/New_York", "Asia/Kolkata", "Australia/Sydney",
             "Europe/Berlin"}
    reminder = compose_reminder(series, occurrence, dt.timedelta(days=1), at("2018-03-20T17:00"),
                                zones, [], [])
    assert labels(reminder) == [
        "10:00 PDT America/Los_Angeles",
        "13:00 EDT America/New_York",
        "17:00 UTC",
        "18:00 CET Europe/Berlin",
        "22:30 IST Asia/Kolkata (night)",
        "Thu 04:00 AEDT Australia/Sydney (night)",
    ]
    assert reminder.when == "in a day"
    # The US moved to summer time on 11 March, Europe only on 25 March.
    assert reminder.warnings == (
        "this time the meeting is one hour later than last time for "
        "America/Los_Angeles, America/New_York",
    )
    text = reminder.text()
    assert "https://calpoly.zoom.us/my/jupyter" in text
    assert "Add items with /agenda add" in text


@pytest.mark.parametrize(("zone", "label"), [
    ("Asia/Kathmandu", "22:45 +0545 Asia/Kathmandu (night)"),
    ("Pacific/Chatham", "Thu 06:45 +1345 Pacific/Chatham (night)"),
    ("Australia/Lord_Howe", "Thu 04:00 +11 Australia/Lord_Howe (night)"),
    ("America/Phoenix", "10:00 MST America/Phoenix"),
])
def test_unusual_offsets(zone, label):
    series = seed_series()
    occurrence = series.recurrence.next_after(at("2018-03-20T12:00"))
    reminder = compose_reminder(series, occurrence, dt.timedelta(hours=1), at("2018-03-21T16:00"),
                                {zone}, [], [])
    assert label in labels(reminder)
    assert reminder.when == "in an hour"


def test_lord_howe_half_hour_shift_is_announced():
    series = seed_series()
    # Lord Howe leaves summer time (by 30 minutes) on 1 April 2018; Berlin is on CEST already.
    april = series.recurrence.next_after(at("2018-04-01T00:00"))
    reminder = compose_reminder(series, april, dt.timedelta(days=7), at("2018-04-11T16:00"),
                                {"Australia/Lord_Howe"}, [], [])
    # 16:00 UTC: Lord Howe went from +11 to +10:30 while Berlin went from +1 to +2.
    assert "Thu 02:30 +1030 Australia/Lord_Howe (night)" in labels(reminder)
    assert reminder.warnings == (
        "this time the meeting is one hour 30 minutes earlier than last time for "
        "Australia/Lord_Howe",
        "this time the meeting is one hour earlier than last time for UTC",
    )


# -- the scheduler with a controlled clock ----------------------------------

@pytest.fixture
def world(tmp_path):
    folder = tmp_path / "schedules"
    write_series(folder, "binder-team", SEED)
    store = Store(tmp_path / "chatbot.db")
    bot = build_bot(store, ScheduleBook(folder, check_interval=0), Clock(at("2018-03-01T00:00")))
    return bot, RecordingTarget()


def test_reminders_fire_once_each(world):
    bot, target = world
    reminders = Reminders(bot, target)
    times = ["2018-03-14T17:00", "2018-03-14T17:00:30", "2018-03-20T17:00", "2018-03-21T16:00",
             "2018-03-21T17:00", "2018-03-21T17:00:40", "2018-03-21T17:30"]
    fired = [(t, [(d.offset, d.occurrence) for d in reminders.tick(at(t))]) for t in times]
    assert [f for f in fired if f[1]] == [
        ("2018-03-14T17:00", [(dt.timedelta(days=7), "2018-03-21")]),
        ("2018-03-20T17:00", [(dt.timedelta(days=1), "2018-03-21")]),
        ("2018-03-21T16:00", [(dt.timedelta(hours=1), "2018-03-21")]),
        ("2018-03-21T17:00", [(dt.timedelta(0), "2018-03-21")]),
    ]
    assert [channel for channel, _ in target.posts] == ["binder-team"] * 4
    assert target.posts[-1][1].headline.endswith("is starting now")


def test_next_due(world):
    bot, target = world
    reminders = Reminders(bot, target)
    assert reminders.next_due(at("2018-03-14T17:00")) == at("2018-03-20T17:00")
    assert reminders.next_due(at("2018-03-21T17:00")) == at("2018-04-11T16:00")


def test_catch_up_after_downtime_posts_only_the_latest_and_only_once(world):
    bot, target = world
    # Down from before the 7-day reminder until after the 1-day one.
    assert len(Reminders(bot, target).tick(at("2018-03-21T09:00"))) == 1
    assert target.posts[0][1].offset == dt.timedelta(days=1)
    # A restart (a new owner, same database) posts nothing again.
    assert Reminders(bot, target).tick(at("2018-03-21T09:05")) == []
    assert len(target.posts) == 1


def test_stale_reminder_is_dropped(world):
    bot, target = world
    # Back only after the meeting began: nothing about it is posted.
    assert Reminders(bot, target).tick(at("2018-03-21T17:30")) == []
    assert target.posts == []


def test_failed_post_is_retried_and_delivered_once(world):
    bot, _ = world
    target = RecordingTarget(failures=3)
    reminders = Reminders(bot, target)
    for second in range(6):
        reminders.tick(at("2018-03-20T17:00") + dt.timedelta(seconds=5 * second))
    assert len(target.posts) == 1
    assert target.posts[0][1].offset == dt.timedelta(days=1)


def test_personal_reminders_in_each_readers_time(world):
    bot, target = world
    from chatbot.commands import Message
    from chatbot.core.model import Scope, User
    scope = Scope("console", "console", "binder-team")
    reply = bot.handle(Message("/remind me on", scope, User("carol", "carol",
                                                            tz="America/Los_Angeles")))
    assert reply.ok and "direct message" in reply.text
    bot.handle(Message("/agenda add Kubeflow presentation", scope, User("jessica", "jessica")))
    Reminders(bot, target).tick(at("2018-03-20T17:00"))
    assert [user for user, _ in target.directs] == ["carol"]
    personal = target.directs[0][1].text()
    assert "Your time: Wednesday 21 March 2018, 10:00 PDT" in personal
    assert "1. Kubeflow presentation (jessica)" in personal
    channel_post = target.posts[0][1]
    assert "10:00 PDT America/Los_Angeles" in labels(channel_post)


def test_edited_schedule_takes_effect_without_restart(world, tmp_path):
    bot, target = world
    reminders = Reminders(bot, target)
    assert reminders.next_due(at("2018-03-14T17:00")) == at("2018-03-20T17:00")
    path = tmp_path / "schedules" / "binder-team.toml"
    path.write_text(SEED.replace('start = "2018-01-17T18:00"', 'start = "2018-01-17T19:00"'))
    # The 7-day reminder of the now 19:00 meeting is still ahead.
    assert reminders.next_due(at("2018-03-14T17:00")) == at("2018-03-14T18:00")


def _run_timeline(db_path: str, folder: str, name: str, out: str) -> None:
    store = Store(db_path)
    bot = build_bot(store, ScheduleBook(Path(folder)), Clock(at("2018-01-01T00:00")))
    target = RecordingTarget()
    reminders = Reminders(bot, target, owner=name)
    start = at("2018-01-01T09:00")
    for minute in range(0, 100 * 24 * 60, 60):  # every hour over 100 daily meetings
        reminders.tick(start + dt.timedelta(minutes=minute))
    Path(out).write_text("\n".join(r.start_utc.isoformat() for _, r in target.posts))


def test_two_processes_on_one_database_post_each_reminder_once(tmp_path):
    folder = tmp_path / "schedules"
    write_series(folder, "daily", 'name = "Daily"\ntimezone = "Europe/Berlin"\n'
                 'start = "2018-01-01T10:00"\nrrule = "FREQ=DAILY"\nreminders = ["0m"]\n'
                 '[channels]\nconsole = "daily"\n')
    db = str(tmp_path / "chatbot.db")
    Store(db).close()
    context = multiprocessing.get_context("spawn")
    outputs = [tmp_path / f"out-{n}" for n in "ab"]
    workers = [context.Process(target=_run_timeline, args=(db, str(folder), n, str(o)))
               for n, o in zip("ab", outputs, strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    posted = [line for o in outputs for line in o.read_text().splitlines() if line]
    series = ScheduleBook(folder).get("daily")
    expected = {o.start_utc.isoformat() for o in series.recurrence.between(
        at("2018-01-01T09:00"), at("2018-01-01T09:00") + dt.timedelta(days=100))}
    assert len(expected) >= 100
    assert len(posted) == len(set(posted))  # no duplicates
    assert expected <= set(posted)  # none missing


def test_scheduler_posts_within_two_seconds_of_due(tmp_path):
    real_now = dt.datetime.now(UTC)
    due_real = real_now + dt.timedelta(seconds=3)
    # Shift the bot's clock so that a whole minute (schedules have minute precision)
    # falls 3 s from now in real time.
    minute = (due_real + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    clock = Clock(minute - dt.timedelta(seconds=3))
    folder = tmp_path / "schedules"
    write_series(folder, "soon", f'name = "Soon"\ntimezone = "UTC"\n'
                 f'start = "{minute:%Y-%m-%dT%H:%M}"\nreminders = ["0m"]\n'
                 '[channels]\nconsole = "soon"\n')
    bot = build_bot(Store(tmp_path / "chatbot.db"), ScheduleBook(folder), clock)
    target = RecordingTarget()
    scheduler = ReminderScheduler(Reminders(bot, target))
    posted_at = []
    original = target.post_reminder
    target.post_reminder = lambda c, r: (posted_at.append(time.time()), original(c, r))
    scheduler.start()
    try:
        deadline = time.time() + 10
        while not posted_at and time.time() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown()
    due = clock.to_real(minute).timestamp()
    assert posted_at, "the reminder never fired"
    assert 0 <= posted_at[0] - due < 2.0
    assert len(target.posts) == 1
