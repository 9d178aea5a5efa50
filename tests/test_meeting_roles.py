"""Facilitator and note-taker from chat: /meeting volunteer, roles and swap, named by
/meeting and carried by `schedules list --json`."""

from __future__ import annotations

import datetime as dt
import json

from conftest import Chat
from test_cli import NOW, chatbot

from chatbot.core.model import Scope
from chatbot.scheduler import compose_for
from chatbot.web.page import meeting_page

# Wednesdays at 17:00 UTC: 18:00 in Berlin, 10:00 in Los Angeles, 02:00 in Tokyo (night).
TEAM = {"ana": "Europe/Berlin", "ben": "America/Los_Angeles", "chen": "Asia/Tokyo"}


def team_chat(tmp_path) -> Chat:
    chat = Chat(tmp_path, now=dt.datetime.fromisoformat(NOW.replace("Z", "+00:00")))
    chat.ok("/meeting new Data", user="ana", channel="data", tz="Europe/Berlin")
    chat.ok("/meeting set when every wednesday at 17:00 UTC", user="ana", channel="data")
    for user, zone in TEAM.items():  # joined in this order
        chat.ok("/meeting volunteer facilitator", user=user, channel="data", tz=zone)
    chat.ok("/meeting volunteer notes", user="dan", channel="data", tz="UTC")
    return chat


def test_regrets_and_night_pass_volunteers_over(tmp_path):
    chat = team_chat(tmp_path)
    chat.ok("/attend regrets", user="ana", channel="data", tz="Europe/Berlin")
    roles = chat.ok("/meeting roles", user="dan", channel="data")
    # 21 March: ana sent regrets, chen would be at night: ben. ana is then first in
    # line; chen, always at night while someone has it by day, is always passed over.
    assert roles.splitlines()[1:] == [
        "  Wednesday 21 March: facilitator ben, notes dan",
        "  Wednesday 28 March: facilitator ana, notes dan",
        "  Wednesday 4 April: facilitator ben, notes dan",
        "  Wednesday 11 April: facilitator ana, notes dan",
    ]
    said = "Facilitator: ben, notes: dan"
    assert said in chat.ok("/meeting", user="dan", channel="data")
    series, scope = chat.bot.schedules.get("data"), Scope("console", "console", "data")
    occurrence = series.current_or_next(chat.clock.now())
    assert said in compose_for(chat.bot, series, scope, occurrence, dt.timedelta(days=1),
                               chat.clock.now()).text()
    assert meeting_page(chat.bot, series, scope, chat.clock.now()).roles == said
    listed = chatbot(tmp_path, "--now", NOW, "schedules", "list", "--meeting", "data",
                     "--json", "--count", "2")
    assert [(row["facilitator"], row["notetaker"]) for row in json.loads(listed.stdout)] == [
        ("ben", "dan"), ("ana", "dan")]


def test_swap_and_leaving_the_line(tmp_path):
    chat = team_chat(tmp_path)
    refused = chat.error("/meeting swap 2018-03-21 facilitator @dan", user="dan",
                         channel="data")
    assert refused.startswith("Only this meeting's facilitator (ana) or a channel admin")
    chat.ok("/meeting swap 2018-03-21 facilitator @chen", user="ana", channel="data")
    chat.ok("/meeting volunteer off", user="dan", channel="data")
    roles = chat.ok("/meeting roles", channel="data").splitlines()
    assert roles[1] == "  Wednesday 21 March: facilitator chen, notes nobody yet"
    assert roles[2] == "  Wednesday 28 March: facilitator ana, notes nobody yet"
    assert "not a coming meeting" in chat.error("/meeting swap 2018-03-22 notes @ben",
                                                user="ana", channel="data")
    assert "already in the facilitator rotation" in chat.error(
        "/meeting volunteer facilitator", user="ben", channel="data")


def test_the_facilitator_chairs_the_meeting_they_facilitate(tmp_path):
    chat = team_chat(tmp_path)  # 21 March: ana facilitates; ana made the series (admin)
    chat.ok("/meeting swap 2018-03-21 facilitator @ben", user="ana", channel="data")
    chat.set_now(dt.datetime(2018, 3, 21, 17, 0, tzinfo=dt.UTC))
    started = chat.ok("/meeting start", user="ana", channel="data")
    assert "The facilitator chairs it too. The chairs are now ana, ben." in started
    # A chair's powers: ben takes up an item, which only chairs may.
    chat.ok("/agenda add Release plan", user="dan", channel="data")
    assert "Release plan" in chat.ok("/agenda next", user="ben", channel="data")
    assert "the chairs are ana, ben" in chat.error("/agenda next", user="dan", channel="data")
