from __future__ import annotations

import pytest

from chatbot.core.timezones import UnknownZone, resolve_zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("Los Angeles", "America/Los_Angeles"),
        ("  los   angeles ", "America/Los_Angeles"),
        ("kolkata", "Asia/Kolkata"),
        ("utc", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_resolves_names_and_cities(text, zone):
    assert resolve_zone(text) == zone


def test_unknown_zone_suggests_close_ones():
    with pytest.raises(UnknownZone) as caught:
        resolve_zone("los angelos")
    assert "America/Los_Angeles" in caught.value.suggestions
    assert "IANA" in str(caught.value)


def test_utc_aliases_are_shown_once_as_utc(tmp_path):
    import datetime as dt
    from pathlib import Path

    from chatbot.core.reminder import compose_reminder
    from chatbot.core.schedule import load_schedule_file

    series, _ = load_schedule_file(
        Path(__file__).resolve().parent.parent / "schedules" / "binder-team.toml")
    occurrence = series.recurrence.next_after(dt.datetime(2018, 3, 20, tzinfo=dt.UTC))
    reminder = compose_reminder(series, occurrence, dt.timedelta(days=1),
                                dt.datetime(2018, 3, 20, 17, tzinfo=dt.UTC),
                                {"Etc/UTC", "Zulu", "UTC"}, [], [])
    assert [z.zone for z in reminder.zone_times] == ["UTC"]
