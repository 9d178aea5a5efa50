"""A series' settings -> the schedule file that defines it (`chatbot schedules export ID`).

The settings are the keys of schedules/README.md. Values may be what a file holds
(`"2018-01-17T18:00"`, `"60m"`) or the Python values they stand for (datetime, date,
timedelta, RotateSlot); they are written in the file's own forms, so the file reads as
one written by hand. tomli-w does the quoting and escaping.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import tomli_w

from chatbot.core.recurrence import RotateSlot

__all__ = ["SCHEDULE_KEYS", "schedule_toml"]

# In the order schedules/README.md lists them; tables ([moved], [channels]) come last.
SCHEDULE_KEYS = (
    "name", "timezone", "start", "rrule", "duration", "video", "notes", "dates", "skip",
    "moved", "rotate", "reminders", "zones", "admins", "public",
    "auto_skip_empty", "channels",
)
# An empty list of reminders means "no reminders", not the default ones.
_EMPTY_IS_MEANINGFUL = {"reminders"}


def schedule_toml(settings: Mapping[str, object], *, series_id: str | None = None) -> str:
    """TOML text that chatbot.core.schedule loads back to the same series.

    With `series_id`, a first comment line says the file name to save it under, since
    the file name is the id.
    """
    unknown = sorted(set(settings) - set(SCHEDULE_KEYS))
    if unknown:
        raise ValueError(f"unknown schedule key {', '.join(unknown)} (see schedules/README.md)")
    document = {
        key: _file_form(settings[key])
        for key in SCHEDULE_KEYS
        if key in settings and _worth_writing(key, settings[key])
    }
    text = tomli_w.dumps(document)
    if series_id is not None:
        text = f"# Save as schedules/{series_id}.toml: the file name is the series' id.\n" + text
    return text


def _worth_writing(key: str, value: object) -> bool:
    if value is None:
        return False
    empty = isinstance(value, str | list | tuple | dict) and not value
    return not empty or key in _EMPTY_IS_MEANINGFUL


def _file_form(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(_file_form(key)): _file_form(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_file_form(item) for item in value]
    if isinstance(value, datetime):
        return _wall_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return _offset(value)
    if isinstance(value, RotateSlot):
        return " ".join(filter(None, (_file_form(value.time), value.zone)))
    return value


def _wall_time(value: datetime) -> str:
    if value.tzinfo is not None or value.second or value.microsecond:
        raise ValueError(f"{value} is not a local wall time in minutes like 2018-01-17T18:00")
    return value.strftime("%Y-%m-%dT%H:%M")


def _offset(value: timedelta) -> str:
    """The largest whole unit: 7 days -> '7d', 90 minutes -> '90m'."""
    minutes, rest = divmod(value, timedelta(minutes=1))
    if rest or minutes < 0:
        raise ValueError(f"{value} is not a whole number of minutes like 90m, 1h or 7d")
    for unit, size in (("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
