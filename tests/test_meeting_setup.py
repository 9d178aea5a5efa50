"""A series made and changed in chat (/meeting new, set, show, admin, delete), seen by
`chatbot schedules list`, `ics` and `schedules export` as a file series is."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from conftest import Chat
from test_cli import NOW, chatbot

from chatbot.core.schedule import load_schedule_file

# Tuesday 20 March 2018, 12:00 UTC (test_cli.NOW). Each form, the zone its series ends up
# in, and its next three meetings there, counted on a calendar by hand.
WHEN_FORMS = {
    "every 3rd wednesday at 18:00 berlin":
        ("Europe/Berlin", ["2018-03-21T18:00", "2018-04-18T18:00", "2018-05-16T18:00"]),
    "every other monday at 16:00 starting 2018-03-26":
        ("America/New_York", ["2018-03-26T16:00", "2018-04-09T16:00", "2018-04-23T16:00"]),
    "every monday and thursday at 09:30 Europe/Berlin":
        ("Europe/Berlin", ["2018-03-22T09:30", "2018-03-26T09:30", "2018-03-29T09:30"]),
    "weekdays at 09:30 tokyo":  # 21:00 in Tokyo already: Wednesday is next
        ("Asia/Tokyo", ["2018-03-21T09:30", "2018-03-22T09:30", "2018-03-23T09:30"]),
    "every month on the 1st at 17:00 UTC":
        ("UTC", ["2018-04-01T17:00", "2018-05-01T17:00", "2018-06-01T17:00"]),
    "every last friday at 10:00":
        ("America/New_York", ["2018-03-30T10:00", "2018-04-27T10:00", "2018-05-25T10:00"]),
    "on 2018-12-03 at 11:00 Europe/London": ("Europe/London", ["2018-12-03T11:00"]),
    "RRULE:FREQ=WEEKLY;BYDAY=FR at 08:00 Europe/London":
        ("Europe/London", ["2018-03-23T08:00", "2018-03-30T08:00", "2018-04-06T08:00"]),
}


def at_now(tmp_path) -> Chat:
    return Chat(tmp_path, now=dt.datetime.fromisoformat(NOW.replace("Z", "+00:00")))


def test_every_when_form_is_listed_as_counted_by_hand(tmp_path):
    chat = at_now(tmp_path)
    for number, form in enumerate(WHEN_FORMS, start=1):
        channel = f"team-{number}"
        made = chat.ok(f"/meeting new Team {number}", user="ana", channel=channel,
                       tz="America/New_York")
        assert f"(id team-{number})" in made
        assert "Still missing: when it meets" in made
        chat.ok(f"/meeting set when {form}", user="ana", channel=channel)
    listed = chatbot(tmp_path, "--now", NOW, "schedules", "list", "--json", "--count", "3")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    for number, (zone, local_starts) in enumerate(WHEN_FORMS.values(), start=1):
        mine = [row for row in rows if row["meeting"] == f"team-{number}"]
        expected = [dt.datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
                    .isoformat(timespec="minutes") for start in local_starts]
        assert [row["start_local"] for row in mine] == expected, (number, zone)
        assert {row["source"] for row in mine} == {"chat"}
        assert {row["zone"] for row in mine} == {zone}
    assert {row["source"] for row in rows if row["meeting"] == "binder-team"} == {"file"}


def test_set_when_shows_rule_and_meetings_in_both_zones(chat):
    chat.ok("/meeting new Data Team Sync", user="ana", channel="data", tz="Europe/Berlin")
    reply = chat.ok("/meeting set when every 3rd wednesday at 18:00", user="ana",
                    channel="data", tz="America/Los_Angeles")
    assert "RRULE:FREQ=MONTHLY;BYDAY=3WE" in reply
    assert "Wednesday 21 March, 10:00 PDT  |  Wednesday 21 March, 18:00 CET" in reply
    assert "Wednesday 16 May, 09:00 PDT  |  Wednesday 16 May, 18:00 CEST" in reply
    meeting = chat.ok("/meeting", user="bob", channel="data")
    assert meeting.startswith("Data Team Sync: Wednesday 21 March, 17:00 UTC")


def test_through_say_and_back_as_a_schedule_file(tmp_path):
    (tmp_path / "schedules").mkdir()
    made = chatbot(tmp_path, "--now", NOW, "say", "--user", "ana", "--tz", "Europe/Berlin",
                   "--channel", "data", "/meeting new Data Team Sync")
    assert made.returncode == 0, made.stdout + made.stderr
    chatbot(tmp_path, "--now", NOW, "say", "--user", "ana", "--channel", "data",
            "/meeting set when every monday and thursday at 09:30")
    exported = chatbot(tmp_path, "schedules", "export", "data-team-sync")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("# Save as schedules/data-team-sync.toml")
    copy = tmp_path / "copy" / "data-team-sync.toml"
    copy.parent.mkdir()
    copy.write_text(exported.stdout)
    series, problems = load_schedule_file(copy)
    assert problems == []
    assert series.recurrence.rrule == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert (series.timezone, series.admins, series.channels) == (
        "Europe/Berlin", ("ana",), {"console": "data"})
    refused = chatbot(tmp_path, "schedules", "export", "nothing-here")
    assert refused.returncode != 0
    assert "no series was made in chat with that id" in refused.stderr


def test_ids_are_unique_and_settings_are_checked_as_a_file_would_be(chat):
    chat.ok("/meeting new Data Team Sync", user="ana", channel="data")
    assert "(id data-team-sync-2)" in chat.ok("/meeting new data team sync!", channel="other")
    assert "(id data-team-sync-3)" in chat.ok("/meeting new Data Team Sync", channel="third")
    assert "(id data-team)" in chat.ok("/meeting new Data Team", channel="fourth")
    assert "binder-team-2" in chat.ok("/meeting new Binder Team", channel="x")
    assert "no letter or digit" in chat.error("/meeting new ???", channel="y")
    before = chat.snapshot()
    for bad, says in [
        ("/meeting set when fortnightly", "I could not read 'fortnightly'"),
        ("/meeting set when every monday at 09:30 Mars/Olympus", "unknown timezone 'mars/olympus'"),
        ("/meeting set duration 45x", "duration: '45x' is not a duration like 60m"),
        ("/meeting set video ftp://example.org", "video: 'ftp://example.org' is not a link"),
        ("/meeting set timezone atlantis", "timezone:"),
        ("/meeting set public maybe", "neither on nor off"),
        ("/meeting set colour red", "KEY among when, name, timezone"),
    ]:
        assert says in chat.error(bad, user="ana", channel="data")
    assert chat.snapshot() == before
    chat.ok("/meeting set duration 45m", user="ana", channel="data")
    chat.ok("/meeting set reminders 1d 0m", user="ana", channel="data")
    chat.ok("/meeting set zones berlin, tokyo", user="ana", channel="data")
    shown = chat.ok("/meeting show", user="bob", channel="data")
    assert "  duration: 45m" in shown
    assert "  reminders: 1d, 0m" in shown
    assert "  zones: Europe/Berlin, Asia/Tokyo" in shown


def test_only_admins_change_a_series_and_files_are_edited_as_files(chat):
    chat.ok("/meeting new Data Team Sync", user="ana", channel="data")
    before = chat.snapshot()
    refused = chat.error("/meeting set name Other", user="bob", channel="data")
    assert refused == "Only a channel admin (ana) can change Data Team Sync."
    assert "ana" in chat.error("/meeting delete data-team-sync", user="bob", channel="data")
    assert chat.snapshot() == before
    chat.ok("/meeting admin add @bob", user="ana", channel="data")
    chat.ok("/meeting set name Data Sync", user="bob", channel="data")
    chat.ok("/meeting admin remove @ana", user="bob", channel="data")
    assert "needs at least one admin" in chat.error("/meeting admin remove @bob", user="bob",
                                                    channel="data")
    file_series = chat.error("/meeting set name Other", user="ana", channel="binder-team")
    assert "is defined by the file" in file_series
    assert "binder-team.toml; edit that file to change it." in file_series


def test_delete_asks_for_the_id_first(chat):
    chat.ok("/meeting new Data Team Sync", user="ana", channel="data")
    asked = chat.ok("/meeting delete", user="ana", channel="data")
    assert "To confirm, say /meeting delete data-team-sync" in asked
    assert "Data Team Sync" in chat.ok("/meeting show", channel="data")
    chat.ok("/meeting delete data-team-sync", user="ana", channel="data")
    assert "Data Team Sync" not in chat.error("/meeting show", channel="data")
    assert "Deleted" not in chat.error("/meeting delete data-team-sync", user="ana")
