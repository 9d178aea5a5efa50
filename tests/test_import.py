"""Importing past team-compass notes into the store, and rendering them back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chatbot.core.model import Scope
from chatbot.core.notes_import import parse_notes, split_owners
from chatbot.meeting_record import NotesError, import_notes, load_notes, minutes_markdown

FIXTURES = Path(__file__).parent / "fixtures"
SCOPE = Scope("console", "console", "binder-team")
NOW = dt.datetime(2021, 6, 1, 12, 0, tzinfo=dt.UTC)
DATED = [
    "binder-team-meeting-2018-03.md", "2018-12-20.md", "2019-05-16.md", "2020-05-21.md",
    "2021-03-18.md",
]
# Owners as the store knows them after import: a first name alone means the one person
# of the roll call with that first name.
OWNERS = {
    "binder-team-meeting-2018-03.md": {
        "reach out to CERN about how installing z2jh went": ("Tim",),
        "Jessica will follow up": ("Jessica",),
    },
    "2018-12-20.md": {},
    "2019-05-16.md": {
        "Chris H opens an issue about Black documentation and usage in jupyterhub "
        "([now here](https://github.com/jupyterhub/team-compass/issues/155))": ("Chris H",),
    },
    "2020-05-21.md": {},
    "2021-03-18.md": {
        "connect Sarah w/ Jupyter Book folks about a proposal": ("Chris Holdgraf",),
        'think about a role that could be "glue" between JupyterHub and other communities':
            ("Chris Holdgraf",),
    },
}


def series(chat):
    return chat.bot.schedules.series[0]


def do_import(chat, name: str):
    return import_notes(
        chat.store, chat.archive, SCOPE, series(chat), load_notes(FIXTURES / name), NOW
    )


def stored_todos(chat, key: str) -> dict[str, tuple[str, ...]]:
    todos = [t for t in chat.store.todos.in_channel(SCOPE, open_only=False) if t.occurrence == key]
    users = chat.store.users.by_id("console", sorted({o for t in todos for o in t.owners}))
    return {t.text: tuple(users[o].name for o in t.owners) for t in todos}


@pytest.mark.parametrize("name", DATED)
def test_every_attendee_and_todo_is_stored_with_owners(chat, name):
    notes = parse_notes((FIXTURES / name).read_text(), name)
    result = do_import(chat, name)
    assert result.stored and result.occurrence == notes.date.isoformat()
    roll_call = chat.store.attendance.in_meeting(SCOPE, "binder-team", result.occurrence)
    assert [(a.name, a.affiliation, a.github) for a in roll_call] == [
        (a.name, a.affiliation, a.github) for a in notes.attendees
    ]
    todos = stored_todos(chat, result.occurrence)
    assert sorted(todos) == sorted(t.text for t in notes.todos)
    assert {text: owners for text, owners in todos.items() if owners} == OWNERS[name]
    assert all(t.is_open for t in chat.store.todos.in_channel(SCOPE, open_only=False))
    agenda = chat.store.agenda.items(SCOPE, "binder-team", result.occurrence)
    assert [(i.section, i.text) for i in agenda] == [(i.section, i.text) for i in notes.agenda]
    assert all(item.done for item in agenda)  # past notes were discussed


@pytest.mark.parametrize("name", DATED)
def test_rendered_minutes_of_an_import_keep_every_attendee_and_todo(chat, name):
    result = do_import(chat, name)
    occurrence = series(chat).occurrence_on_day(dt.date.fromisoformat(result.occurrence))
    again = parse_notes(minutes_markdown(chat.store, SCOPE, series(chat), occurrence, NOW))
    assert again.attendees == result.loaded.notes.attendees
    assert again.date == result.loaded.notes.date
    assert {t.text: split_owners(t.owner) for t in again.todos} == stored_todos(
        chat, result.occurrence
    )


def test_minutes_of_an_import_keep_each_items_notes_under_it(chat):
    result = do_import(chat, "binder-team-meeting-2018-03.md")
    occurrence = series(chat).occurrence_on_day(dt.date.fromisoformat(result.occurrence))
    lines = minutes_markdown(chat.store, SCOPE, series(chat), occurrence, NOW).splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("- z2jh - support"))
    expected = [
        "  - NOTES: two biggest differentiators deploy",
        "  - [k8 incubator: kubespray](https://github.",
        "  - TODO: create issue to discuss which parts",
        "  - TODO: reach out to the Orsay people about",
        "  - TODO: reach out to CERN about how install",
        "- Kubeflow \\(JupyterHub and Machine Learning",
    ]
    shown = lines[start + 1:start + 1 + len(expected)]
    assert [line[:len(e)] for line, e in zip(shown, expected, strict=True)] == expected
    assert lines[start + 5].endswith("z2jh went (Tim)")
    assert "Chairs:" not in "\n".join(lines)  # nobody chaired it here
    # Read back, the z2jh item has its notes again.
    again = parse_notes("\n".join(lines))
    (z2jh,) = [item for item in again.agenda if item.text.startswith("z2jh")]
    assert [(e.kind, e.owner) for e in z2jh.entries] == [
        ("note", None), ("link", None), ("todo", None), ("todo", None), ("todo", "Tim")]


def test_the_same_file_twice_stores_nothing_twice(chat):
    do_import(chat, "2018-12-20.md")
    before = chat.snapshot()
    again = do_import(chat, "2018-12-20.md")
    assert not again.stored
    assert chat.snapshot() == before


def test_corrected_notes_add_only_what_is_new(chat, tmp_path):
    original = (FIXTURES / "2020-05-21.md").read_text()
    do_import(chat, "2020-05-21.md")
    corrected = tmp_path / "2020-05-21.md"
    corrected.write_text(original + "\n- [ ] TODO: send the corrected notes around (Min RK)\n")
    result = import_notes(chat.store, chat.archive, SCOPE, series(chat), load_notes(corrected), NOW)
    todos = stored_todos(chat, result.occurrence)
    assert len(todos) == len(result.loaded.notes.todos)
    assert todos["send the corrected notes around"] == ("Min RK",)
    assert len(chat.store.attendance.in_meeting(SCOPE, "binder-team", result.occurrence)) == 11


def test_a_date_off_the_schedule_keeps_the_notes_date(chat):
    # 2018-12-20 was a Thursday; the schedule says third Wednesday (the 19th).
    result = do_import(chat, "2018-12-20.md")
    assert result.occurrence == "2018-12-20"
    record = chat.store.meetings.get(SCOPE, "binder-team", "2018-12-20")
    assert record.started_at == "2018-12-20T17:00:00+00:00"
    assert record.imported_from == "2018-12-20.md" and record.archive_path is None


def test_imported_notes_in_the_archive_are_linked_from_the_next_minutes(chat):
    archived = chat.archive / "binder-team" / "2018-02-21.md"
    archived.parent.mkdir(parents=True)
    archived.write_text((FIXTURES / "2019-05-16.md").read_text().replace("2019", "2018")
                        .replace("16th May", "21st February"))
    loaded = load_notes(archived)
    assert loaded.notes.date == dt.date(2018, 2, 21)
    import_notes(chat.store, chat.archive, SCOPE, series(chat), loaded, NOW)
    march = series(chat).occurrence_on_day(dt.date(2018, 3, 21))
    text = minutes_markdown(chat.store, SCOPE, series(chat), march, NOW)
    assert "- **Previous meeting's notes:** [2018-02-21.md](2018-02-21.md)" in text


def test_an_imported_owner_is_a_known_user(chat):
    chat.ok("/attend Tim / Wild Tree Tech / @betatim", user="betatim")
    do_import(chat, "binder-team-meeting-2018-03.md")
    assert "reach out to CERN about how installing z2jh went" in chat.ok(
        "/todos mine", user="betatim"
    )


def test_two_attendees_with_one_handle_stay_two_people(chat):
    result = do_import(chat, "2021-03-18.md")
    roll_call = chat.store.attendance.in_meeting(SCOPE, "binder-team", result.occurrence)
    both = [a for a in roll_call if a.github == "choldgraf"]
    assert [a.name for a in both] == ["Chris Holdgraf", "Yuvi Panda"]
    assert both[0].user_id != both[1].user_id


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing.md", "no such file"),
        ("monthly-meeting-template.md", "found no roll call, TODOs or agenda"),
        ("collab-cafe-facilitator-checklist.md", "found no roll call, TODOs or agenda"),
    ],
)
def test_unusable_files_are_one_line_errors(name, message):
    with pytest.raises(NotesError, match=message) as raised:
        load_notes(FIXTURES / name)
    assert "\n" not in str(raised.value)


def test_undated_and_binary_files_are_refused(tmp_path):
    undated = tmp_path / "notes.md"
    undated.write_text("## Roll call\n\n- Tim / Wild Tree Tech / @betatim\n")
    with pytest.raises(NotesError, match="found no meeting date"):
        load_notes(undated)
    binary = tmp_path / "2018-03-21.md"
    binary.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(NotesError, match="not UTF-8"):
        load_notes(binary)
    with pytest.raises(NotesError, match="is a folder"):
        load_notes(tmp_path)


def test_imported_todos_without_owner_are_listed(chat):
    do_import(chat, "2020-05-21.md")
    lines = chat.ok("/todos").splitlines()
    assert lines[1] == "nobody yet"
    assert "  1. Can we add a license before moving" in lines
    assert len(lines) == 1 + 1 + 4
