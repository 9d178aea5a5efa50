"""One read model: the reminder, the page, /todos and the minutes show a meeting alike."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SEED_NOW, Chat

from chatbot.core.model import Scope
from chatbot.meeting_record import IMPORT_CREATOR, minutes_markdown
from chatbot.scheduler import compose_for
from chatbot.web.page import meeting_page

SCOPE = Scope("console", "console", "binder-team")
# A second series in the seed's channel, meeting later than the seed's 21 March meeting.
RELEASE = """\
name = "Release planning"
timezone = "UTC"
start = "2018-03-28T16:00"
rrule = "FREQ=MONTHLY;BYDAY=4WE"

[channels]
console = "binder-team"
"""


@pytest.fixture
def chat(tmp_path) -> Chat:
    chat = Chat(tmp_path)
    (chat.schedules_dir / "release.toml").write_text(RELEASE)
    return chat


def seed_meeting(chat: Chat):
    series = chat.bot.schedules.get("binder-team")
    return series, series.recurrence.next_after(SEED_NOW)


def test_reminder_page_and_todos_group_todos_alike(chat):
    chat.ok("/todo add @betatim reach out to CERN", user="jessica")
    chat.ok("/todo --meeting release add @carol plan the release", user="jessica")
    # Imported notes carry TODOs nobody took.
    chat.store.todos.add(SCOPE, "update the team compass", IMPORT_CREATOR, [],
                        "binder-team", "2018-02-21", "2018-02-21T17:00:00+00:00")
    series, occurrence = seed_meeting(chat)

    reminder = compose_for(chat.bot, series, SCOPE, occurrence, dt.timedelta(days=1), SEED_NOW)
    page = meeting_page(chat.bot, series, SCOPE, SEED_NOW)
    listed = chat.ok("/todos")

    expected = [("betatim", ["reach out to CERN"]), ("nobody yet", ["update the team compass"])]
    assert [(g.owner, [t.text for t in g.todos]) for g in reminder.todos] == expected
    assert [(g.owner, [t.text for t in g.todos]) for g in page.todos] == expected
    assert listed.splitlines()[1:] == [
        "betatim", "  1. reach out to CERN", "nobody yet", "  3. update the team compass"]
    assert "nobody yet\n    3. update the team compass" in reminder.text()
    # The other series' TODO is listed with that series.
    release = chat.ok("/todos --meeting release")
    assert "plan the release" in release and "reach out to CERN" not in release


def test_a_zone_is_shown_once_under_its_canonical_name(chat):
    chat.ok("/agenda add Kubeflow presentation", user="jessica")
    chat.ok("/tz US/Pacific", user="carol", tz=None)
    chat.ok("/tz America/Los_Angeles", user="tim", tz=None)
    chat.ok("/tz Asia/Calcutta", user="yuvi", tz=None)
    series, occurrence = seed_meeting(chat)

    reminder = compose_for(chat.bot, series, SCOPE, occurrence, dt.timedelta(days=1), SEED_NOW)
    labels = [z.label() for z in reminder.zone_times]
    assert "10:00 PDT America/Los_Angeles" in labels
    assert "22:30 IST Asia/Kolkata (night)" in labels
    assert not any("US/Pacific" in label or "Calcutta" in label for label in labels)
    assert len([label for label in labels if "PDT" in label]) == 1

    minutes = minutes_markdown(chat.store, SCOPE, series, occurrence, SEED_NOW)
    assert minutes.count("(America/Los\\_Angeles)") == 1
    assert "US/Pacific" not in minutes and "Calcutta" not in minutes

    page = meeting_page(chat.bot, series, SCOPE, SEED_NOW)
    zones = [row.zone for row in page.next.zones]
    assert zones.count("America/Los_Angeles") == 1 and "US/Pacific" not in zones


def test_meeting_selection_answers_without_a_message(chat):
    meetings = chat.bot.meetings
    assert meetings.choose(SCOPE, None, SEED_NOW).series.id == "binder-team"
    picked = meetings.choose(SCOPE, "release", SEED_NOW)
    assert (picked.series.id, picked.occurrence.key.isoformat()) == ("release", "2018-03-28")
    unknown = meetings.choose(SCOPE, "standup", SEED_NOW)
    assert unknown.reason == ("No meeting 'standup' in this channel "
                              "(its meetings: binder-team, release).")
    elsewhere = meetings.choose(Scope("console", "console", "random"), None, SEED_NOW)
    assert "Bind one in its schedule file" in elsewhere.reason


def test_a_typed_reply_carries_no_token_shaped_text(chat):
    reply = chat.say("/agenda add rotate xoxb-123456789012-abcdefghijklmnop <@carol>")
    assert "xoxb-" not in reply.text and "[redacted]" in reply.text
    # The rest of the reply keeps its parts: the mention is still a user reference.
    assert "<@carol>" in reply.text
