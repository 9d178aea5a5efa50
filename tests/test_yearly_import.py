"""`chatbot import` of a yearly archive file: each dated section is a past meeting, and a
month that says it had none is stored as skipped, with nobody in its roll call."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatbot.core.model import Scope
from chatbot.meeting_record import NotesError, load_notes_file
from chatbot.store import Store
from tests.test_meeting_e2e import chatbot

DATA = Path(__file__).parent / "data"
SCOPE = Scope("console", "console", "binder-team")
YEAR = """\
# 2018 JupyterHub and BinderHub Team Meeting Notes Archive

## 2018-03-21

### Check-in

- Tim / @betatim / Wild Tree Tech
- Min | @minrk | Simula

### Agenda

- **Tim (10m):** z2jh on bare metal
  - TODO: reach out to CERN (Tim)

## 2018-02

No meeting due to lack of attendees.

## 2018-01-17

### Attendees

- Chris (@choldgraf) / UC Berkeley

### Agenda

- Open PRs
"""


def test_every_section_of_the_teams_2024_file_is_a_meeting_or_a_month_without_one():
    loaded = load_notes_file(DATA / "collab-cafe-2024.md")
    assert [(str(one.notes.date), one.skipped) for one in loaded] == [
        ("2024-11-19", False), ("2024-10-15", True), ("2024-09-17", False),
        ("2024-08-20", False), ("2024-07-17", False), ("2024-06-01", True),
        ("2024-05-22", False), ("2024-04-01", True), ("2024-03-19", False),
        ("2024-02-20", False), ("2024-01-16", False),
    ]
    november = loaded[0].notes
    assert [(a.name, a.github, a.affiliation) for a in november.attendees[::2][:2]] == [
        ("Min", "minrk", "Simula"), ("Simon", "manics", "University of Dundee")]


def test_a_section_that_is_no_meeting_notes_imports_nothing(tmp_path):
    year = tmp_path / "2018.md"
    year.write_text(YEAR.replace("No meeting due to lack of attendees.", "We met in person."))
    with pytest.raises(NotesError, match="section 2018-02: found no roll call"):
        load_notes_file(year)


def test_import_of_a_yearly_file_prints_one_object_per_meeting(tmp_path):
    shutil.copytree(Path(__file__).resolve().parent.parent / "schedules",
                    tmp_path / "schedules", ignore=shutil.ignore_patterns("*.md"))
    (tmp_path / "2018.md").write_text(YEAR)
    done = chatbot(tmp_path, "import", "--json", str(tmp_path / "2018.md"))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(f["date"], f["skipped"], len(f["attendees"])) for f in found] == [
        ("2018-03-21", False, 2), ("2018-02-01", True, 0), ("2018-01-17", False, 1)]
    assert found[0]["attendees"][1] == {"name": "Min", "affiliation": "Simula",
                                        "github": "minrk"}
    store = Store(tmp_path / "chatbot.db")
    held = {m.occurrence: m.skipped for m in store.meetings.held(SCOPE, "binder-team")}
    assert list(held.values()).count(True) == 1 and len(held) == 3
    skipped = next(day for day, no_meeting in held.items() if no_meeting)
    assert store.attendance.in_meeting(SCOPE, "binder-team", skipped) == []
