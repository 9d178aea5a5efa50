"""The chat command language end to end, through the shared dispatcher and a real SQLite file."""

from __future__ import annotations

import pytest
from conftest import Chat

from chatbot.core.model import Scope, User
from chatbot.scheduler import Reminders
from chatbot.store import Store, database


def test_seed_flow(chat):
    added = chat.ok("/agenda add Kubeflow presentation", user="jessica")
    assert "Kubeflow presentation" in added
    assert "Wednesday 21 March, 17:00 UTC" in added
    signed = chat.ok("/attend Tim / Wild Tree Tech / @betatim", user="betatim")
    assert "Tim / Wild Tree Tech / @betatim" in signed
    todo = chat.ok(
        "/todo add @betatim reach out to CERN about how installing z2jh went", user="choldgraf"
    )
    assert "TODO 1 for betatim: reach out to CERN" in todo
    mine = chat.ok("/todos mine", user="betatim")
    assert "1. reach out to CERN about how installing z2jh went" in mine
    meeting = chat.ok("/meeting", user="carol", tz="America/Los_Angeles")
    assert "Wednesday 21 March, 10:00 PDT" in meeting
    assert "17:00 UTC" in meeting
    assert "https://calpoly.zoom.us/my/jupyter" in meeting
    assert "1 item" in meeting


def test_agenda_lists_by_section_with_authors(chat):
    chat.ok("/agenda add Kubeflow presentation", user="jessica")
    chat.ok("/agenda add decision: release schedule for BinderHub 0.1", user="min")
    chat.ok("/agenda add news: four JupyterCon submissions", user="chris")
    listing = chat.ok("/agenda")
    lines = listing.splitlines()
    assert lines[1:] == [
        "Help or discussion needed",
        "  1. Kubeflow presentation (jessica)",
        "Decisions needed",
        "  2. release schedule for BinderHub 0.1 (min)",
        "News and reports",
        "  3. four JupyterCon submissions (chris)",
    ]


def test_agenda_remove_done_move(chat):
    for text in ("first", "second", "third"):
        chat.ok(f"/agenda add {text}")
    chat.ok("/agenda move 3 1")
    assert [line.strip() for line in chat.ok("/agenda").splitlines()[2:]] == [
        "1. third (jessica)",
        "2. first (jessica)",
        "3. second (jessica)",
    ]
    chat.ok("/agenda done 2")
    assert "2. first (jessica) (done)" in chat.ok("/agenda")
    chat.ok("/agenda remove 1")
    assert "third" not in chat.ok("/agenda")
    assert [line.strip() for line in chat.ok("/agenda").splitlines()[2:]] == [
        "1. first (jessica) (done)",
        "2. second (jessica)",
    ]


def test_agenda_move_stays_in_section(chat):
    chat.ok("/agenda add a")
    chat.ok("/agenda add decision: b")
    reply = chat.ok("/agenda move 2 1")
    assert "nearest place" in reply
    assert "Decisions needed\n  2. b" in chat.ok("/agenda")


def test_attend_remembers_affiliation_and_records_regrets(chat):
    chat.ok("/attend Tim / Wild Tree Tech / @betatim", user="betatim")
    chat.set_now(chat.clock.now().replace(month=4, day=10))
    again = chat.ok("/attend", user="betatim")
    assert "betatim / Wild Tree Tech / @betatim" in again
    chat.ok("/attend regrets", user="minrk")
    roll = chat.ok("/attendance")
    assert "* betatim / Wild Tree Tech / @betatim" in roll
    assert "Regrets: minrk" in roll


def test_attend_accepts_pipe_separator(chat):
    chat.ok("/attend Carol | Project Jupyter (Cal Poly) | @willingc", user="carol")
    assert "* Carol / Project Jupyter (Cal Poly) / @willingc" in chat.ok("/attendance")


def test_todo_lifecycle_keeps_numbers(chat):
    chat.ok("/todo add write the docs", user="tim")
    chat.ok("/todo add @min @erik review the PR", user="tim")
    chat.ok("/todo done 1", user="tim")
    third = chat.ok("/todo add another", user="tim")
    assert third.startswith("TODO 3 ")
    assert "1." not in chat.ok("/todos")
    chat.ok("/todo reopen 1", user="tim")
    chat.ok("/todo assign 1 @erik", user="tim")
    listing = chat.ok("/todos").splitlines()
    assert listing == [
        "Open TODOs:",
        "erik",
        "  1. write the docs",
        "  2. review the PR",
        "min",
        "  2. review the PR",
        "tim",
        "  3. another",
    ]
    assert "2. review the PR" in chat.ok("/todos @min")
    assert "none" in chat.ok("/todos mine", user="nobody")


def test_todo_mentions_in_platform_form(chat):
    chat.ok("/todo add <@U123|tim> <@U456> ship it", user="carol")
    assert "ship it" in chat.ok("/todos mine", user="U123")
    assert "ship it" in chat.ok("/todos mine", user="U456")


def test_tz_set_by_city_and_used(chat):
    reply = chat.ok("/tz los angeles", user="carol")
    assert "America/Los_Angeles" in reply
    assert "America/Los_Angeles" in chat.ok("/tz", user="carol", tz=None)
    assert "10:00 PDT" in chat.ok("/meeting", user="carol", tz="UTC")
    assert "Asia/Kolkata" in chat.ok("/tz asia/kolkata", user="min")
    assert "22:30 IST" in chat.ok("/meeting", user="min")


def test_help(chat):
    assert "/agenda" in chat.ok("/help")
    assert "--meeting" in chat.ok("/help")
    assert "/todo add" in chat.ok("/help todo")


def test_several_series_in_one_channel(chat):
    (chat.schedules_dir / "standup.toml").write_text(
        'name = "Stand-up"\ntimezone = "UTC"\nstart = "2018-01-01T09:00"\n'
        'rrule = "FREQ=DAILY"\nduration = "15m"\n[channels]\nconsole = "binder-team"\n'
    )
    assert "Stand-up" in chat.ok("/agenda add daily thing")
    added = chat.ok("/agenda --meeting binder-team add monthly thing")
    assert "JupyterHub and BinderHub Team Meeting" in added
    assert "monthly thing" in chat.ok("/agenda -m binder-team")
    assert "monthly thing" not in chat.ok("/agenda")
    assert "binder-team, standup" in chat.error("/agenda --meeting nope")


BAD_INPUT = [
    ("/agendas", "Unknown command /agendas. Did you mean /agenda?"),
    ("/agenda add", "Add what?"),
    ("/agenda add decision:", "Add what?"),
    ("/agenda remove 7", "There is no agenda item 7"),
    ("/agenda remove x", "'x' is not a agenda item number"),
    ("/agenda frobnicate", "Unknown /agenda action"),
    ("/agenda move 1", "Move which item where?"),
    ("/todo done 99", "There is no TODO 99"),
    ("/todo done 99999999999999999999", "is not a TODO number"),
    ("/todo add", "What needs doing?"),
    ("/todo assign 1", "Assign TODO 1 to whom?"),
    ("/todo", "Usage: /todo add"),
    ("/tz Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
    ("/tz berlinn", "Did you mean Europe/Berlin"),
    ("/attend Tim / x / @bad handle!", "is not a GitHub handle"),
    ("/help nope", "Unknown command /nope"),
    ("hello there", "Commands start with /"),
    ("/agenda add " + "x" * 2001, "the limit is 2,000"),
    ("/agenda --meeting", "--meeting needs a meeting id"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_INPUT)
def test_bad_input_is_explained_and_changes_nothing(chat, text, expected):
    chat.ok("/agenda add keep me", user="jessica")
    chat.ok("/todo add keep me too", user="jessica")
    before = chat.snapshot()
    message = chat.error(text, user="jessica")
    assert expected.lower() in message.lower()
    assert "\n" not in message
    assert chat.snapshot() == before
    assert "keep me" in chat.ok("/agenda")


def test_a_command_failing_after_its_first_write_changes_nothing(chat, monkeypatch):
    chat.ok("/todo add keep me", user="jessica")
    before = chat.snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # The owners' names are looked up after the new owner and the TODO row are stored.
    monkeypatch.setattr(chat.store.users, "by_id", broken)
    message = chat.error("/todo add @newcomer something", user="jessica")
    assert "something went wrong" in message and "nothing was changed" in message
    assert "disk on fire" not in message
    assert chat.snapshot() == before
    monkeypatch.undo()
    assert "TODO 2 for jessica: again" in chat.ok("/todo add again", user="jessica")


def test_reading_commands_answer_while_another_process_writes(tmp_path, monkeypatch):
    # A command begins its transaction at its first write: one that only reads never
    # waits for the write lock (a write would wait out this busy timeout, then fail).
    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0.01)
    chat = Chat(tmp_path)
    chat.ok("/agenda add Kubeflow", user="jessica")
    other_process = Store(chat.db_path)
    with other_process.transaction():
        other_process.users.save("console", User("tim", "Tim"))
        assert "Kubeflow" in chat.ok("/agenda", user="jessica")
        assert "nothing was changed" in chat.error("/agenda add Binder", user="jessica")
    assert "Binder" in chat.ok("/agenda add Binder", user="jessica")


def test_a_room_bound_by_alias_is_one_channel_once_the_adapter_resolves_it(chat):
    schedule = chat.schedules_dir / "binder-team.toml"
    schedule.write_text(schedule.read_text() + 'gitter = "#binder:example.org"\n')
    room = dict(platform="gitter", workspace="matrix", channel="!abc:example.org")
    assert "No meeting is scheduled" in chat.error("/agenda", **room)

    chat.bot.channel_ids[("gitter", "#binder:example.org")] = "!abc:example.org"
    assert "Kubeflow" in chat.ok("/agenda add Kubeflow", **room)

    class Target:
        platform, workspace = "gitter", "matrix"

    series = chat.bot.schedules.get("binder-team")
    scope = Reminders(chat.bot, Target()).scope(series)
    assert scope == Scope("gitter", "matrix", "!abc:example.org")
    assert [item.text for item in chat.store.agenda.items(scope, "binder-team", "2018-03-21")] == [
        "Kubeflow"]
