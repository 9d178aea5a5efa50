"""Meeting series: one TOML file per series in the schedules folder.

Loading never raises for a broken file: problems are collected as
`ScheduleProblem`s so that `chatbot run` starts with the valid series and
`chatbot schedules check` can list every problem at once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.core.recurrence import Occurrence, Recurrence, RecurrenceError, RotateSlot
from chatbot.core.timezones import is_zone

DEFAULT_REMINDERS = ("7d", "1d", "1h", "0m")
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}
_KNOWN_KEYS = {
    "name", "timezone", "start", "rrule", "duration", "video", "notes", "channels",
    "dates", "skip", "moved", "rotate", "reminders", "zones", "admins", "public",
}


@dataclass(frozen=True)
class ScheduleProblem:
    path: Path
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Series:
    id: str
    name: str
    recurrence: Recurrence
    duration: dt.timedelta = dt.timedelta(minutes=60)
    video: str = ""
    notes: str = ""
    channels: dict[str, str] = field(default_factory=dict)
    reminders: tuple[dt.timedelta, ...] = ()
    zones: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    public: bool = False

    @property
    def timezone(self) -> str:
        return self.recurrence.timezone

    def in_progress(self, now: dt.datetime) -> Occurrence | None:
        """The occurrence with start <= now < start + duration, if any."""
        latest = self.recurrence.next_after(now - self.duration)
        if latest is not None and latest.start_utc <= now:
            return latest
        return None

    def current_or_next(self, now: dt.datetime) -> Occurrence | None:
        """'The meeting': the one in progress, else the next one."""
        return self.in_progress(now) or self.recurrence.next_after(now)

    def occurrence_on_day(self, day: dt.date) -> Occurrence:
        """The scheduled occurrence keyed `day`; else one at the series' usual wall time.

        Past notes are keyed by the date they were held, which is not always a date
        the rule produces (a meeting moved by a day, before the schedule file existed).
        """
        scheduled = self.recurrence.occurrence_on(day)
        if scheduled is not None:
            return scheduled
        wall = dt.datetime.combine(day, self.recurrence.start.time())
        return Occurrence(day, wall.replace(tzinfo=ZoneInfo(self.timezone)), -1)


def parse_offset(text: str) -> dt.timedelta:
    """'90m', '1h', '7d' -> timedelta; raises ValueError with the accepted forms."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a duration like 60m, 1h or 7d")
    amount, unit = match.groups()
    return dt.timedelta(**{_UNIT[unit]: int(amount)})


DEFAULT_REMINDER_OFFSETS = tuple(parse_offset(r) for r in DEFAULT_REMINDERS)


def _parse_local(text: object, field_name: str) -> dt.datetime:
    if isinstance(text, dt.datetime):
        return text.replace(tzinfo=None)
    # The pattern pins the one accepted form; fromisoformat is many times faster
    # than strptime, which matters when thousands of files load at start.
    if not _LOCAL_TIME.match(str(text)):
        raise ValueError(f"'{text}' is not a local time like 2018-01-17T18:00")
    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"'{text}' is not a local time like 2018-01-17T18:00") from None


def _parse_date(text: object) -> dt.date:
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        return text
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"'{text}' is not a date like 2018-12-19") from None


def _parse_rotate_slot(entry: object, series_zone: str) -> RotateSlot:
    """'09:00' or '09:00 America/Los_Angeles'."""
    parts = str(entry).split()
    if not parts or len(parts) > 2:
        raise ValueError(f"'{entry}' is not a slot like '09:00' or '09:00 America/Los_Angeles'")
    try:
        time = dt.datetime.strptime(parts[0], "%H:%M").time()
    except ValueError:
        raise ValueError(f"'{parts[0]}' is not a time like 09:00") from None
    zone = parts[1] if len(parts) == 2 else None
    if zone is not None and not is_zone(zone):
        raise ValueError(f"unknown timezone '{zone}' (use an IANA name like Europe/Berlin)")
    return RotateSlot(time=time, zone=zone)


class _Collector:
    """Runs each field's parser and records a problem instead of raising."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[ScheduleProblem] = []

    def take(self, field_name: str, parse, default=None):
        try:
            return parse()
        except (ValueError, TypeError) as error:
            self.problems.append(ScheduleProblem(self.path, field_name, str(error)))
            return default


def _as_list(value: object, field_name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"must be a list, like {field_name} = [...]")
    return value


def parse_series(path: Path, data: dict) -> tuple[Series | None, list[ScheduleProblem]]:
    check = _Collector(path)
    for key in sorted(set(data) - _KNOWN_KEYS):
        check.problems.append(ScheduleProblem(path, key, "unknown key (see schedules/README.md)"))

    def required_text(key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError("missing; add it as a quoted string")
        return value.strip()

    name = check.take("name", lambda: required_text("name"))
    zone = check.take("timezone", lambda: required_text("timezone"))
    if zone is not None and not is_zone(zone):
        check.problems.append(
            ScheduleProblem(path, "timezone", f"unknown timezone '{zone}' (use an IANA name)")
        )
        zone = None
    start = check.take("start", lambda: _parse_local(_required_value(data, "start"), "start"))
    rrule = data.get("rrule")
    if rrule is not None and not isinstance(rrule, str):
        check.problems.append(ScheduleProblem(path, "rrule", "must be a string like FREQ=WEEKLY"))
        rrule = None
    duration = check.take(
        "duration", lambda: parse_offset(data.get("duration", "60m")), dt.timedelta(minutes=60)
    )
    dates = check.take(
        "dates",
        lambda: tuple(_parse_local(d, "dates") for d in _as_list(data.get("dates"), "dates")),
        (),
    )
    skip = check.take(
        "skip", lambda: tuple(_parse_date(d) for d in _as_list(data.get("skip"), "skip")), ()
    )
    moved = check.take("moved", lambda: _parse_moved(data.get("moved")), ())
    rotate = check.take(
        "rotate",
        lambda: tuple(_parse_rotate_slot(s, zone) for s in _as_list(data.get("rotate"), "rotate")),
        (),
    )
    reminders = check.take(
        "reminders",
        lambda: tuple(
            parse_offset(r)
            for r in _as_list(data.get("reminders", list(DEFAULT_REMINDERS)), "reminders")
        ),
        DEFAULT_REMINDER_OFFSETS,
    )
    zones = check.take("zones", lambda: _parse_zones(data.get("zones")), ())
    channels = check.take("channels", lambda: _parse_channels(data.get("channels")), {})
    admins = check.take(
        "admins", lambda: tuple(str(a) for a in _as_list(data.get("admins"), "admins")), ()
    )
    if name is None or zone is None or start is None:
        return None, check.problems
    recurrence = Recurrence(
        timezone=zone, start=start, rrule=rrule, dates=dates, skip=skip, moved=moved, rotate=rotate
    )
    try:
        recurrence.validate()
    except RecurrenceError as error:
        check.problems.append(ScheduleProblem(path, error.field, error.message))
        return None, check.problems
    if check.problems:
        return None, check.problems
    series = Series(
        id=path.stem,
        name=name,
        recurrence=recurrence,
        duration=duration,
        video=str(data.get("video", "")),
        notes=str(data.get("notes", "")),
        channels=channels,
        reminders=reminders,
        zones=zones,
        admins=admins,
        public=bool(data.get("public", False)),
    )
    return series, []


def _required_value(data: dict, key: str) -> object:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("missing; add it like start = \"2018-01-17T18:00\"")
    return value


def _parse_moved(value: object) -> tuple[tuple[dt.date, dt.datetime], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError('must be a table like moved = { "2018-12-19" = "2018-12-12T18:00" }')
    return tuple(
        (_parse_date(original), _parse_local(new, "moved")) for original, new in value.items()
    )


def _parse_zones(value: object) -> tuple[str, ...]:
    zones = tuple(str(z) for z in _as_list(value, "zones"))
    unknown = [z for z in zones if not is_zone(z)]
    if unknown:
        raise ValueError(f"unknown timezone {', '.join(unknown)} (use IANA names)")
    return zones


def _parse_channels(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError('must be a table like [channels] console = "binder-team"')
    return {str(platform): str(channel) for platform, channel in value.items()}


def load_schedule_file(path: Path) -> tuple[Series | None, list[ScheduleProblem]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return None, [ScheduleProblem(path, "file", f"not valid TOML: {error}")]
    except OSError as error:
        return None, [ScheduleProblem(path, "file", f"cannot be read: {error.strerror}")]
    return parse_series(path, data)


def schedule_files(folder: Path) -> list[Path]:
    return [folder / name for name in sorted(p.name for p in folder.glob("*.toml"))]


def load_schedules(folder: Path) -> tuple[list[Series], list[ScheduleProblem]]:
    """Every valid series in `folder` (sorted by id) and every problem found."""
    series: list[Series] = []
    problems: list[ScheduleProblem] = []
    if not folder.is_dir():
        missing = ScheduleProblem(folder, "folder", "does not exist; create it or pass --schedules")
        return [], [missing]
    for path in schedule_files(folder):
        loaded, found = load_schedule_file(path)
        problems.extend(found)
        if loaded is not None:
            series.append(loaded)
    return series, problems


class ScheduleBook:
    """The series in a folder, reloaded when a file changes: edits need no restart.

    Looking for changes means a stat() per file, so it happens at most every
    `check_interval` seconds: a bot with thousands of series must not stat them
    all for every command.
    """

    def __init__(self, folder: Path, check_interval: float = 1.0):
        self.folder = Path(folder)
        self.check_interval = check_interval
        self._checked_at = -float("inf")
        self._signature: tuple | None = None
        self._series: list[Series] = []
        self._problems: list[ScheduleProblem] = []

    def _current_signature(self) -> tuple:
        # Checked on every command: one scandir, not a glob and two stat calls per file.
        try:
            with os.scandir(self.folder) as entries:
                files = [(entry.name, entry.stat()) for entry in entries
                         if entry.name.endswith(".toml")]
        except OSError:
            return ()
        return tuple(sorted((name, stat.st_mtime_ns, stat.st_size) for name, stat in files))

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.check_interval:
            return
        self._checked_at = now
        signature = self._current_signature()
        if signature != self._signature:
            self._series, self._problems = load_schedules(self.folder)
            self._signature = signature

    @property
    def series(self) -> list[Series]:
        self._refresh()
        return self._series

    @property
    def problems(self) -> list[ScheduleProblem]:
        self._refresh()
        return self._problems

    def get(self, series_id: str) -> Series | None:
        return next((s for s in self.series if s.id == series_id), None)

