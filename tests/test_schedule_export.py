"""`chatbot schedules export ID`: the TOML written loads back to the same series."""

from __future__ import annotations

import string
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.core.recurrence import RotateSlot
from chatbot.core.schedule import load_schedule_file, parse_series
from chatbot.core.schedule_export import schedule_toml

EVERY_KEY = {
    "name": 'Data "Team" Sync \\ weekly',
    "timezone": "Europe/Berlin",
    "start": "2018-01-17T18:00",
    "rrule": "FREQ=MONTHLY;BYDAY=3WE",
    "duration": "90m",
    "video": "https://example.org/call?id=1&x='y'",
    "notes": "https://example.org/notes",
    "dates": ["2018-06-06T18:00"],
    "skip": ["2018-08-15"],
    "moved": {"2018-12-19": "2018-12-12T18:00"},
    "rotate": ["18:00", "09:00 America/Los_Angeles"],
    "reminders": ["7d", "1d", "1h", "0m"],
    "zones": ["Asia/Kolkata"],
    "admins": ["U123", "@ana:matrix.org"],
    "public": True,
    "channels": {"console": "data-team", "slack": "C0123456789"},
}


def exported_and_loaded(tmp_path: Path, settings: dict, series_id: str = "data-team-sync"):
    path = tmp_path / f"{series_id}.toml"
    path.write_text(schedule_toml(settings, series_id=series_id), encoding="utf-8")
    return load_schedule_file(path)


def test_every_key_round_trips_to_the_same_series(tmp_path):
    loaded, problems = exported_and_loaded(tmp_path, EVERY_KEY)
    assert problems == []
    expected, _ = parse_series(tmp_path / "data-team-sync.toml", EVERY_KEY)
    assert loaded == expected
    since = datetime(2018, 1, 1, tzinfo=UTC)
    assert loaded.recurrence.upcoming(since, 24) == expected.recurrence.upcoming(since, 24)


def test_python_values_are_written_in_the_files_own_forms(tmp_path):
    settings = {
        "name": "Stand-up",
        "timezone": "UTC",
        "start": datetime(2021, 1, 4, 16, 0),
        "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        "duration": timedelta(minutes=30),
        "skip": (date(2021, 1, 18),),
        "moved": {date(2021, 2, 1): datetime(2021, 2, 2, 16, 0)},
        "rotate": (RotateSlot(time(16, 0)), RotateSlot(time(9, 0), "Asia/Tokyo")),
        "reminders": (timedelta(days=1), timedelta(minutes=15), timedelta(hours=2)),
        "video": None,
        "zones": (),
    }
    text = schedule_toml(settings)
    written = tomllib.loads(text)
    assert written["start"] == "2021-01-04T16:00"
    assert written["duration"] == "30m"
    assert written["reminders"] == ["1d", "15m", "2h"]
    assert written["rotate"] == ["16:00", "09:00 Asia/Tokyo"]
    assert written["moved"] == {"2021-02-01": "2021-02-02T16:00"}
    assert "video" not in written and "zones" not in written
    loaded, problems = exported_and_loaded(tmp_path, settings, "standup")
    assert problems == []
    assert loaded.duration == timedelta(minutes=30)
    assert loaded.recurrence.rotate == settings["rotate"]


def test_no_reminders_stays_no_reminders(tmp_path):
    settings = {"name": "Quiet", "timezone": "UTC", "start": "2027-01-04T10:00",
                "reminders": []}
    loaded, problems = exported_and_loaded(tmp_path, settings, "quiet")
    assert problems == [] and loaded.reminders == ()


def test_the_file_says_the_name_to_save_it_under():
    text = schedule_toml({"name": "Sync", "timezone": "UTC", "start": "2027-01-04T10:00"},
                         series_id="sync")
    assert text.splitlines()[0] == "# Save as schedules/sync.toml: the file name is the series' id."


def test_an_unknown_key_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown schedule key colour"):
        schedule_toml({"name": "Sync", "colour": "blue"})


def test_a_time_with_seconds_is_refused_rather_than_rounded():
    with pytest.raises(ValueError, match="2018-01-17T18:00"):
        schedule_toml({"start": datetime(2018, 1, 17, 18, 0, 30)})


# What a schedule file accepts (core/schedule_fields.py): one line of visible text, links
# to http(s) addresses.
any_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
                   min_size=1, max_size=40).filter(lambda s: s.strip())
any_link = st.text(string.ascii_letters + string.digits + "-_/?=&", max_size=30).map(
    lambda path: f"https://example.org/{path}")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=any_text, video=any_link, admins=st.lists(any_text, max_size=3), channel=any_text)
def test_any_text_people_type_round_trips(tmp_path, name, video, admins, channel):
    settings = {**EVERY_KEY, "name": name, "video": video, "admins": admins,
                "channels": {"console": channel}}
    loaded, problems = exported_and_loaded(tmp_path, settings)
    assert problems == []
    assert loaded.name == name.strip()
    assert loaded.video == video
    assert loaded.admins == tuple(admin.strip() for admin in admins)  # as the loader trims
    assert loaded.channels == {"console": channel.strip()}
