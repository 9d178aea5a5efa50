"""Reminders on the timeline: after the first tick (the catch-up, which walks every
series), a tick looks only at the series due by then and those changed since. Series
made, changed, skipped, moved or deleted in chat while the bot runs must still be
reminded on time (or not at all); a meeting ended while it runs still gets its digest."""

from __future__ import annotations

import datetime as dt

from conftest import Chat
from test_meeting_changes import NoticeTarget, held

from chatbot.scheduler import Reminders

TUESDAY = dt.datetime(2018, 3, 20, 12, 0, tzinfo=dt.UTC)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}+00:00")


def running(tmp_path, now: dt.datetime = TUESDAY) -> tuple[Chat, Reminders, NoticeTarget]:
    """A bot whose reminders have caught up at `now`: its timeline is built."""
    chat = Chat(tmp_path, now=now)
    target = NoticeTarget()
    reminders = Reminders(chat.bot, target)
    reminders.tick(now)
    target.posts.clear()
    return chat, reminders, target


def posted(target: NoticeTarget, series: str = "data-sync"
           ) -> list[tuple[str, dt.datetime, dt.timedelta]]:
    """Where, for which meeting and how long before it each reminder of `series` went."""
    return [(channel, r.start_utc, r.offset) for channel, r in target.posts
            if r.series_id == series]


def test_a_series_made_in_chat_after_start_is_reminded_on_time(tmp_path):
    chat, reminders, target = running(tmp_path)
    chat.ok("/meeting new Data Sync", user="ana", channel="data")
    chat.ok("/meeting set when every thursday at 10:00", user="ana", channel="data")
    # Its meeting on Thursday 22 March: the 7-day reminder is overdue, so it is posted at
    # once (as a catch-up would), and the one-day reminder is what comes next.
    thursday = utc("2018-03-22T10:00")
    reminders.tick(utc("2018-03-20T12:01"))
    assert posted(target) == [("data", thursday, dt.timedelta(days=7))]
    reminders.tick(utc("2018-03-21T09:59"))
    reminders.tick(utc("2018-03-21T10:00"))
    assert posted(target)[1:] == [("data", thursday, dt.timedelta(days=1))]


def test_a_time_changed_in_chat_moves_its_reminders(tmp_path):
    chat, reminders, target = running(tmp_path)
    chat.ok("/meeting new Data Sync", user="ana", channel="data")
    chat.ok("/meeting set when every thursday at 10:00", user="ana", channel="data")
    chat.ok("/meeting set reminders 1h", user="ana", channel="data")
    reminders.tick(utc("2018-03-20T12:01"))  # due on Thursday at 09:00: on the timeline
    chat.ok("/meeting set when every wednesday at 08:00", user="ana", channel="data")
    for moment in ("2018-03-20T12:02", "2018-03-21T07:00", "2018-03-22T09:00"):
        reminders.tick(utc(moment))
    assert posted(target) == [("data", utc("2018-03-21T08:00"), dt.timedelta(hours=1))]


def test_a_meeting_skipped_after_start_gets_its_notice_at_once_and_no_reminder(tmp_path):
    chat, reminders, target = running(tmp_path)
    # The 21 March meeting's first reminder (7 days before) was due long ago: the channel
    # hears at the next tick that there is no meeting, not at the next reminder's time.
    chat.ok("/meeting skip 2018-03-21", user="min", name="Min RK")
    reminders.tick(utc("2018-03-20T12:01"))
    assert [text.split(":")[0] for _, text in target.notices] == [
        "No JupyterHub and BinderHub Team Meeting on Wednesday 21 March"]
    for moment in ("2018-03-20T17:00", "2018-03-21T16:00", "2018-03-21T17:00"):
        reminders.tick(utc(moment))
    assert target.posts == []


def test_a_meeting_moved_earlier_after_start_is_reminded_before_it(tmp_path):
    chat, reminders, target = running(tmp_path)
    assert reminders.next_due_at == utc("2018-03-20T17:00")  # one day before 18:00 CET
    chat.ok("/meeting move 2018-03-21 2018-03-20T15:00", user="min")
    # Now today at 14:00 UTC: the one-day reminder is overdue and goes at once.
    reminders.tick(utc("2018-03-20T12:01"))
    assert reminders.next_due_at == utc("2018-03-20T13:00")  # one hour before
    reminders.tick(utc("2018-03-20T13:00"))
    today = utc("2018-03-20T14:00")
    assert posted(target, "binder-team") == [("binder-team", today, dt.timedelta(days=1)),
                                             ("binder-team", today, dt.timedelta(hours=1))]


def test_a_series_deleted_after_start_gets_no_reminder(tmp_path):
    chat, reminders, target = running(tmp_path)
    chat.ok("/meeting new Data Sync", user="ana", channel="data")
    chat.ok("/meeting set when every thursday at 10:00", user="ana", channel="data")
    reminders.tick(utc("2018-03-20T12:01"))
    chat.ok("/meeting delete data-sync", user="ana", channel="data")
    for moment in ("2018-03-20T12:02", "2018-03-21T10:00", "2018-03-22T09:00",
                   "2018-03-22T10:00"):
        reminders.tick(utc(moment))
    assert posted(target) == [("data", utc("2018-03-22T10:00"), dt.timedelta(days=7))]


def test_a_meeting_ended_while_running_gets_its_digest_once(tmp_path):
    chat, reminders, target = running(tmp_path, now=dt.datetime(2018, 2, 1, 12, 0,
                                                                   tzinfo=dt.UTC))
    held(chat, "2018-02-21", ["min", "betatim"])
    reminders.tick(utc("2018-02-21T18:00"))
    held(chat, "2018-03-21", ["min"])  # ends at 17:55
    for moment in ("2018-03-21T17:56", "2018-03-21T17:57", "2018-03-22T12:00"):
        reminders.tick(utc(moment))
    assert [user for user, _ in target.directs] == ["betatim"]
    assert target.directs[0][1].startswith("You missed JupyterHub and BinderHub Team Meeting "
                                           "on Wednesday 21 March.")


def test_a_meeting_moved_twice_is_reminded_at_its_last_time(tmp_path):
    chat, reminders, target = running(tmp_path)
    chat.ok("/meeting move 2018-03-21 2018-03-21T19:00", user="min")
    reminders.tick(utc("2018-03-20T12:01"))
    chat.ok("/meeting move 2018-03-21 2018-03-20T15:00", user="min")  # replaces the first
    for moment in ("2018-03-20T12:02", "2018-03-20T13:00"):
        reminders.tick(utc(moment))
    today = utc("2018-03-20T14:00")
    assert posted(target, "binder-team") == [("binder-team", today, dt.timedelta(days=1)),
                                             ("binder-team", today, dt.timedelta(hours=1))]
