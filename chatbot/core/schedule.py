"""Meeting series: one TOML file per series in the schedules folder.

Loading never raises for a broken file: problems are collected as
`ScheduleProblem`s so that `chatbot run` starts with the valid series and
`chatbot schedules check` can list every problem at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.core.recurrence import Occurrence, Recurrence, RecurrenceError
from chatbot.core.schedule_fields import (
    MINUTES_STYLES,
    ScheduleFields,
    parse_offset,
    series_id_problem,
    validate_fields,
)

__all__ = ["ScheduleBook", "ScheduleProblem", "Series", "load_schedules", "parse_offset"]
log = logging.getLogger("chatbot.schedules")


@dataclass(frozen=True)
class ScheduleProblem:
    path: Path
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
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
    # "report" (a file per meeting), "cafe" (a file per year, newest meeting on top) or
    # the absolute path of the team's own Jinja2 template.
    minutes: str = "report"
    auto_skip_empty: bool = False  # skip a meeting whose agenda is empty a day before

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


MAX_FILE_BYTES = 64 * 1024
MAX_NESTING = 16  # brackets and braces; a schedule needs 2
MAX_DOTS = 100  # per line, outside strings; a schedule needs one (channels.slack = ...)

# Strings and comments, whose marks do not count, and the marks that do.
_TOML_MARK = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[][{}.\n]',
    re.S,
)


def toml_shape_problem(text: str) -> str | None:
    """Why `text` must not reach tomllib, which recurses once per level of nesting (5,000
    nested arrays end in a RecursionError) and spends time growing with the square of a
    dotted key's parts (20,000 parts: 10 s)."""
    depth = dots = 0
    for found in _TOML_MARK.finditer(text):
        mark = found.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return f"nests arrays or tables more than {MAX_NESTING} deep"
        elif mark in ("]", "}"):
            depth -= 1
        elif mark == ".":
            dots += 1
            if dots > MAX_DOTS:
                line = text.count("\n", 0, found.start()) + 1
                return f"line {line} has more than {MAX_DOTS} dotted key parts"
        elif mark == "\n":
            dots = 0
    return None


def parse_series(path: Path, data: dict) -> tuple[Series | None, list[ScheduleProblem]]:
    fields, found = validate_fields(data)
    problems = [ScheduleProblem(path, field, message) for field, message in found]
    bad_id = series_id_problem(path.stem)
    if bad_id:
        problems.insert(0, ScheduleProblem(path, "file", bad_id))
    if fields is None or problems:
        return None, problems
    return series_of(path, fields)


def stored_series(series_id: str, data: dict) -> Series | None:
    """The series of settings stored after `parse_series` accepted them (a series made in
    chat), without checking their dates against the rule again, which expands the rule:
    a hosted bot loads 100,000 at start, and that check was most of the time. None for
    settings that are no series (the caller parses them then, for the problems)."""
    fields, problems = validate_fields(data)
    return series_of(Path(f"{series_id}.toml"), fields, check_rule=False)[0] if (
        fields is not None and not problems) else None


def series_of(path: Path, fields: ScheduleFields, check_rule: bool = True
              ) -> tuple[Series | None, list[ScheduleProblem]]:
    """The series valid `fields` define, or the problem of their dates against the rule
    (unless `check_rule` is off) or of the template they name."""
    recurrence = Recurrence(
        timezone=fields.timezone, start=fields.start, rrule=fields.rrule, dates=fields.dates,
        skip=fields.skip, moved=fields.moved, rotate=fields.rotate,
    )
    if check_rule:
        try:
            recurrence.validate()
        except RecurrenceError as error:
            return None, [ScheduleProblem(path, error.field, error.message)]
    series = Series(
        id=path.stem,
        name=fields.name,
        recurrence=recurrence,
        duration=fields.duration,
        video=fields.video,
        notes=fields.notes,
        channels=dict(fields.channels),
        reminders=tuple(fields.reminders),
        zones=tuple(fields.zones),
        admins=tuple(fields.admins),
        public=fields.public,
        minutes=_minutes(path, fields.minutes),
        auto_skip_empty=fields.auto_skip_empty,
    )
    if series.minutes not in MINUTES_STYLES and not Path(series.minutes).is_file():
        return None, [ScheduleProblem(path, "minutes", f"no template at {series.minutes}")]
    return series, []


def _minutes(path: Path, style: str) -> str:
    """A template's path, relative to the schedule file's folder, made absolute."""
    return style if style in MINUTES_STYLES else str((path.parent / style).resolve())


def read_schedule_text(path: Path) -> str:
    """The file's text; OSError or ValueError (with what to do) for anything but a small
    regular file. A FIFO or device is refused before it is opened, and opening does not
    block either, in case the file is swapped for one in between."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError("is not a regular file; a schedule is a .toml text file")
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ValueError("is not a regular file; a schedule is a .toml text file")
        content = file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(f"is larger than {MAX_FILE_BYTES // 1024} KB; a schedule needs far less")
    return content.decode("utf-8")


def load_schedule_file(path: Path) -> tuple[Series | None, list[ScheduleProblem]]:
    try:
        text = read_schedule_text(path)
    except OSError as error:
        return None, [ScheduleProblem(path, "file", f"cannot be read: {error.strerror}")]
    except UnicodeDecodeError:
        return None, [ScheduleProblem(path, "file", "is not UTF-8 text")]
    except ValueError as error:
        return None, [ScheduleProblem(path, "file", str(error))]
    shape_problem = toml_shape_problem(text)
    if shape_problem:
        return None, [ScheduleProblem(path, "file", shape_problem)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [ScheduleProblem(path, "file", f"not valid TOML: {error}")]
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
    all for every command. A file that turns bad while the bot runs keeps its last
    good version; with `log_problems`, each problem is logged once, when it appears.
    """

    def __init__(self, folder: Path, check_interval: float = 1.0, log_problems: bool = False):
        self.folder = Path(folder)
        self.check_interval = check_interval
        self.log_problems = log_problems
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
        return tuple(sorted((name, info.st_mtime_ns, info.st_size) for name, info in files))

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.check_interval:
            return
        self._checked_at = now
        signature = self._current_signature()
        if signature != self._signature:
            series, problems = load_schedules(self.folder)
            self._series = self._keeping_last_good(series, problems)
            self._report(problems)
            self._problems = problems
            self._signature = signature

    def _keeping_last_good(self, series: list[Series], problems: list[ScheduleProblem]):
        """`series`, plus the running version of each file that has just turned bad."""
        loaded = {s.id for s in series}
        broken = {p.path.stem for p in problems if p.path.parent == self.folder}
        kept = [s for s in self._series if s.id in broken and s.id not in loaded]
        return sorted(series + kept, key=lambda s: s.id)

    def _report(self, problems: list[ScheduleProblem]) -> None:
        if not self.log_problems:
            return
        running = {s.id for s in self._series}
        for problem in sorted(set(problems) - set(self._problems), key=str):
            if problem.path.stem in running:
                log.error("broken schedule, still running its last good version: %s", problem)
            else:
                log.warning("skipping broken schedule: %s", problem)

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
