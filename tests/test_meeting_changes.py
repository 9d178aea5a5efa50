"""/meeting skip, unskip and move, stored in the database for any series: the schedule
list, the calendar feed, reminder previews and the reminders themselves follow."""

from __future__ import annotations

import datetime as dt
import json

import icalendar
from conftest import Chat
from test_cli import NOW, chatbot
from test_reminders import RecordingTarget

from chatbot.core.model import Scope
from chatbot.scheduler import Reminders, compose_for


def at_now(tmp_path) -> Chat:
    return Chat(tmp_path, now=dt.datetime.fromisoformat(NOW.replace("Z", "+00:00")))


def listed_starts(tmp_path) -> list[str]:
    result = chatbot(tmp_path, "--now", NOW, "schedules", "list", "--json", "--count", "3")
    assert result.returncode == 0, result.stderr
    return [row["start_local"] for row in json.loads(result.stdout)]


def test_skip_unskip_and_move_are_followed_everywhere(tmp_path):
    chat = at_now(tmp_path)
    skipped = chat.ok("/meeting skip", user="min")
    assert "Skipped JupyterHub and BinderHub Team Meeting on Wednesday 21 March." in skipped
    assert "The next one: Wednesday 18 April, 16:00 UTC." in skipped
    moved = chat.ok("/meeting move 2018-05-16 2018-05-17T19:00", user="min")
    assert "to Thursday 17 May, 19:00 CEST" in moved
    assert listed_starts(tmp_path) == [
        "2018-04-18T18:00+02:00", "2018-05-17T19:00+02:00", "2018-06-20T18:00+02:00"]

    feed = chatbot(tmp_path, "--now", NOW, "ics")
    assert feed.returncode == 0, feed.stderr
    events = list(icalendar.Calendar.from_ical(feed.stdout).walk("VEVENT"))
    assert [d.dt.isoformat() for d in events[0]["EXDATE"].dts] == ["2018-03-21T18:00:00+01:00"]
    assert events[1]["RECURRENCE-ID"].dt.isoformat() == "2018-05-16T18:00:00+02:00"
    assert events[1]["DTSTART"].dt.isoformat() == "2018-05-17T19:00:00+02:00"

    preview = chatbot(tmp_path, "--now", NOW, "remind", "preview", "--offset", "1d")
    assert "Wednesday 18 April 2018, 18:00 CEST" in preview.stdout
    gone = chatbot(tmp_path, "--now", NOW, "remind", "preview", "--offset", "1d",
                   "--occurrence", "2018-03-21")
    assert "has no meeting on 2018-03-21" in gone.stderr

    # The 21 March reminders are due a day before; none is posted for a skipped meeting.
    target = RecordingTarget()
    Reminders(chat.bot, target).tick(dt.datetime(2018, 3, 20, 17, 30, tzinfo=dt.UTC))
    assert target.posts == []

    chat.ok("/meeting unskip 2018-03-21", user="min")
    assert listed_starts(tmp_path)[0] == "2018-03-21T18:00+01:00"


def test_bad_dates_and_refusals_store_nothing(chat):
    chat.ok("/meeting new Data Team Sync", user="ana", channel="data", tz="Europe/Berlin")
    chat.ok("/meeting set when every monday at 09:30", user="ana", channel="data")
    before = chat.snapshot()
    for bad, says in [
        ("/meeting skip 2018-03-27", "2018-03-27 is not a meeting of Data Team Sync "
                                     "(the next after it: 2018-04-02, 2018-04-09)"),
        ("/meeting skip next-week", "'next-week' is not a date like 2018-12-19"),
        ("/meeting unskip 2018-03-26", "No meeting of Data Team Sync on 2018-03-26 was skipped"),
        ("/meeting move 2018-03-26", "Say which meeting and when"),
        ("/meeting move 2018-03-26 2018-04-02T09:30", "already meets on 2018-04-02"),
        # Past the next meeting, or back before the one before: the two would swap.
        ("/meeting move 2018-03-26 2018-04-03T09:30",
         "That is not before the next meeting (Monday 2 April, 09:30 CEST): move 2018-03-26 "
         "to an earlier time, or skip it (/meeting skip 2018-03-26)."),
        ("/meeting move 2018-04-09 2018-04-01T09:00",
         "That is not after the meeting before (Monday 2 April, 09:30 CEST)"),
    ]:
        assert says in chat.error(bad, user="ana", channel="data"), bad
    refused = chat.error("/meeting skip", user="bob", channel="data")
    assert refused == "Only a channel admin (ana) can skip a meeting of Data Team Sync."
    assert chat.snapshot() == before
    chat.ok("/meeting skip 2018-03-26", user="ana", channel="data")
    assert "already skipped" in chat.error("/meeting skip 2018-03-26", user="ana",
                                           channel="data")


def test_a_skipped_meeting_gets_one_line_instead_of_its_reminders(tmp_path):
    chat = at_now(tmp_path)
    chat.ok("/meeting skip 2018-04-18", user="min", name="Min RK")
    target = NoticeTarget()
    reminders = Reminders(chat.bot, target)
    # The 18 April meeting's first reminder (7 days) would be due on 11 April, 16:00 UTC.
    reminders.tick(dt.datetime(2018, 4, 11, 15, 0, tzinfo=dt.UTC))
    assert target.notices == []
    assert reminders.next_due_at == dt.datetime(2018, 4, 11, 16, 0, tzinfo=dt.UTC)
    for hour in (16, 17):
        reminders.tick(dt.datetime(2018, 4, 11, hour, 0, tzinfo=dt.UTC))
    reminders.tick(dt.datetime(2018, 4, 17, 16, 30, tzinfo=dt.UTC))  # the one-day one
    assert target.notices == [("binder-team", "No JupyterHub and BinderHub Team Meeting on "
                               "Wednesday 18 April: Min RK skipped it. The next one: "
                               "Wednesday 16 May, 18:00 CEST (Europe/Berlin).")]
    assert target.posts == []


class NoticeTarget(RecordingTarget):
    def __init__(self):
        super().__init__()
        self.notices: list[tuple[str, str]] = []

    def post_notice(self, channel, notice):
        self.notices.append((channel, notice.text))

    def send_direct_notice(self, user, notice):
        self.directs.append((user.id, notice.text))


def test_empty_agenda_a_day_before_says_how_to_skip_or_skips(tmp_path):
    chat = at_now(tmp_path)
    day_before = dt.datetime(2018, 3, 20, 17, 0, tzinfo=dt.UTC)  # the 21 March meeting's
    target = NoticeTarget()
    Reminders(chat.bot, target).tick(day_before)
    [(_, reminder)] = target.posts
    assert ("With nothing on the agenda, an admin may skip it: /meeting skip 2018-03-21"
            in reminder.text())

    chat.ok("/meeting new Data", user="ana", channel="data")
    chat.ok("/meeting set when every wednesday at 17:00 UTC", user="ana", channel="data")
    chat.ok("/meeting set auto_skip_empty on", user="ana", channel="data")
    exported = chatbot(tmp_path, "schedules", "export", "data")
    assert "auto_skip_empty = true" in exported.stdout
    target = NoticeTarget()
    Reminders(chat.bot, target).tick(day_before)
    assert target.posts == []  # binder-team's was posted above; data's gave way
    assert target.notices == [("data", "No Data on Wednesday 21 March: its agenda was empty "
                               "a day before, so it was skipped (auto_skip_empty). The next "
                               "one: Wednesday 28 March, 17:00 UTC (UTC).")]
    assert listed_starts(tmp_path)[:2] == ["2018-03-21T18:00+01:00", "2018-03-28T17:00+00:00"]


def test_todos_open_across_three_meetings_are_listed_with_their_age(tmp_path):
    chat = Chat(tmp_path, now=dt.datetime(2017, 12, 1, 12, 0, tzinfo=dt.UTC))
    chat.ok("/todo add @betatim write the release notes", user="min")
    chat.set_now(dt.datetime(2018, 2, 1, 12, 0, tzinfo=dt.UTC))
    chat.ok("/todo add @choldgraf book the room", user="min")
    chat.set_now(dt.datetime(2018, 4, 17, 12, 0, tzinfo=dt.UTC))  # the 18 April meeting's
    series = chat.bot.schedules.get("binder-team")
    scope = Scope("console", "console", "binder-team")
    occurrence = series.current_or_next(chat.clock.now())
    day_before = compose_for(chat.bot, series, scope, occurrence, dt.timedelta(days=1),
                             chat.clock.now()).text()
    # Made before the meetings of 17 January, 21 February and 21 March: open since.
    assert "write the release notes (open since Friday 1 December 2017)" in day_before
    assert "book the room\n" in day_before + "\n"
    assert ("Note: TODOs open for 3 meetings or more (owners: betatim): close them with "
            "/todo done N, or hand them on") in day_before
    week_before = compose_for(chat.bot, series, scope, occurrence, dt.timedelta(days=7),
                              chat.clock.now()).text()
    assert "(open since Friday 1 December 2017)" in week_before
    assert "owners: betatim" not in week_before


def held(chat: Chat, day: str, attendees: list[str], during=()) -> None:
    """Run the meeting of `day` (17:00 UTC) with `attendees`, saying `during` while on."""
    chat.set_now(dt.datetime.fromisoformat(f"{day}T17:05+00:00"))
    chat.ok("/meeting start", user="min")
    for user in attendees:
        chat.ok(f"/attend {user.title()} / Project", user=user)
    for text, user in during:
        chat.ok(text, user=user)
    chat.set_now(dt.datetime.fromisoformat(f"{day}T17:55+00:00"))
    chat.ok("/meeting end", user="min")


def test_who_missed_the_meeting_gets_a_digest_once(tmp_path):
    chat = Chat(tmp_path, now=dt.datetime(2018, 2, 1, 12, 0, tzinfo=dt.UTC))
    held(chat, "2018-02-21", ["min", "betatim", "carol"])
    chat.set_now(dt.datetime(2018, 3, 20, 12, 0, tzinfo=dt.UTC))
    chat.ok("/agenda add Kubeflow presentation", user="betatim")
    chat.ok("/agenda add release date", user="min")
    chat.ok("/remind digest off", user="carol")
    held(chat, "2018-03-21", ["min"], during=[
        ("/decision Release on Friday", "min"),
        ("/todo add @betatim write the release notes", "min"),
        ("/agenda done 2", "min"),
    ])
    target = NoticeTarget()
    reminders = Reminders(chat.bot, target)
    reminders.tick(dt.datetime(2018, 3, 21, 18, 0, tzinfo=dt.UTC))
    reminders.tick(dt.datetime(2018, 3, 21, 18, 5, tzinfo=dt.UTC))
    [(user, text)] = target.directs
    assert user == "betatim"
    lines = text.splitlines()
    assert lines[0] == ("You missed JupyterHub and BinderHub Team Meeting on Wednesday "
                        "21 March. What happened:")
    assert lines[1:8] == [
        "Decisions:", "  - Release on Friday",
        "Your open TODOs:", "  1. write the release notes",
        "Your agenda items:", "  - Kubeflow presentation: carried over to the next meeting",
        f"The minutes: {chat.archive}/binder-team/2018-03-21.md",
    ]
    assert lines[-1] == "(Stop these messages with /remind digest off.)"


def test_the_chairs_of_the_meeting_in_progress_may_skip_and_move(chat):
    chat.ok("/meeting new Data Team Sync", user="ana", channel="data", tz="Europe/Berlin")
    chat.ok("/meeting set when every monday at 09:30", user="ana", channel="data")
    chat.set_now(dt.datetime(2018, 3, 26, 7, 35, tzinfo=dt.UTC))  # 09:35 in Berlin
    chat.ok("/meeting start", user="ana", channel="data")
    assert chat.error("/meeting skip 2018-04-02", user="bob", channel="data") == (
        "Only a channel admin (ana) can skip a meeting of Data Team Sync.")
    chat.ok("/chair <@bob>", user="ana", channel="data")
    assert "Skipped" in chat.ok("/meeting skip 2018-04-02", user="bob", channel="data")
    chat.ok("/meeting move 2018-04-09 2018-04-10T09:30", user="bob", channel="data")
    assert chat.error("/meeting unskip 2018-04-02", user="carol", channel="data").startswith(
        "Only a channel admin (ana)")
