"""Every series the bot knows: the schedule files' and those made in chat.

`SeriesBook` stands where a `ScheduleBook` stood (selection, reminders, pages, the
calendar feed, the command line), so a series made with `/meeting new` is seen by all of
them. A chat series is read from its stored settings by the same rules as a file
(`parse_series`); one still missing its time is stored, but is not a series yet. The
meetings skipped and moved in chat (`store.occurrence_changes`) are applied to every
series, as if its file listed them under `skip` and `moved`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import replace
from pathlib import Path

from chatbot.core.recurrence import RecurrenceError
from chatbot.core.schedule import ScheduleBook, ScheduleProblem, Series, parse_series
from chatbot.store import Store

log = logging.getLogger("chatbot.schedules")

CHAT, FILE = "chat", "file"


def chat_series(series_id: str, settings: dict) -> tuple[Series | None, list[ScheduleProblem]]:
    """The series `settings` define, or the problems (as a file of that id would have)."""
    return parse_series(Path(f"{series_id}.toml"), settings)


class SeriesBook:
    def __init__(self, files: ScheduleBook, store: Store):
        self.files = files
        self.store = store
        self._version: tuple | None = None
        self._series: list[Series] = []
        self._unchanged: dict[str, Series] = {}
        self._parsed: dict[tuple[str, str], Series | None] = {}

    @property
    def folder(self) -> Path:
        return self.files.folder

    @property
    def log_problems(self) -> bool:
        return self.files.log_problems

    @log_problems.setter
    def log_problems(self, value: bool) -> None:
        self.files.log_problems = value

    @property
    def problems(self) -> list[ScheduleProblem]:
        return self.files.problems

    @property
    def series(self) -> list[Series]:
        """File series, then chat series whose id no file takes, by id. The list is the
        same object while nothing changed (selection indexes it by identity)."""
        from_files = self.files.series
        rows = tuple(self.store.chat_series.rows())
        changes = self.store.occurrence_changes.rows()
        version = (id(from_files), rows, changes)
        if version != self._version:
            taken = {s.id for s in from_files}
            made = [s for row in rows if row[0] not in taken and (s := self._parse(row))]
            every = sorted(from_files + made, key=lambda s: s.id)
            self._unchanged = {s.id: s for s in every}
            self._series = [with_changes(s, changes) for s in every]
            self._version = version
        return self._series

    def unchanged(self, series_id: str) -> Series | None:
        """The series as its file or settings define it, without changes made in chat."""
        self.series  # noqa: B018  (brings the index up to date)
        return self._unchanged.get(series_id)

    def _parse(self, row: tuple[str, str]) -> Series | None:
        if row not in self._parsed:
            series, problems = chat_series(row[0], json.loads(row[1]))
            if problems and "start" not in {p.field for p in problems}:
                log.warning("chat series %s cannot be read: %s", row[0], problems[0])
            self._parsed[row] = series
        return self._parsed[row]

    def get(self, series_id: str) -> Series | None:
        return next((s for s in self.series if s.id == series_id), None)

    def source(self, series_id: str) -> str:
        return FILE if self.files.get(series_id) is not None else CHAT


def with_changes(series: Series, changes: tuple[tuple[str, str, str | None], ...]) -> Series:
    """`series` with the meetings skipped and moved in chat; changes the series cannot
    take (its meeting no longer exists after an edit of the file) are left out."""
    mine = [(day, moved_to) for sid, day, moved_to in changes if sid == series.id]
    if not mine:
        return series
    try:
        return changed_series(series, mine)
    except RecurrenceError as error:
        log.warning("meetings skipped or moved in chat no longer fit %s: %s", series.id, error)
        return series


def changed_series(series: Series, changes: list[tuple[str, str | None]]) -> Series:
    """`series` with `changes` (date, moved-to wall time or None for skipped) in place of
    what its file says about those dates; RecurrenceError if it cannot take them."""
    recurrence = series.recurrence
    days = {dt.date.fromisoformat(day): moved_to for day, moved_to in changes}
    changed = replace(
        recurrence,
        skip=tuple(d for d in recurrence.skip if d not in days)
        + tuple(day for day, moved_to in days.items() if moved_to is None),
        moved=tuple(pair for pair in recurrence.moved if pair[0] not in days)
        + tuple((day, dt.datetime.fromisoformat(to)) for day, to in days.items() if to),
    )
    changed.validate()
    return replace(series, recurrence=changed)
