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
from chatbot.core.schedule import (
    ScheduleBook,
    ScheduleProblem,
    Series,
    parse_series,
    stored_series,
)
from chatbot.store import Store

log = logging.getLogger("chatbot.schedules")

CHAT, FILE = "chat", "file"


def chat_series(series_id: str, settings: dict) -> tuple[Series | None, list[ScheduleProblem]]:
    """The series `settings` define, or the problems (as a file of that id would have)."""
    return parse_series(Path(f"{series_id}.toml"), settings)


class SeriesBook:
    """Kept up to date incrementally: the store numbers every change to a chat series or a
    meeting skipped or moved (`store.series_changes`), so one small query per use tells
    whether anything changed, and only the series that did are read and parsed again.
    `generation` counts the updates; `changed_since(generation)` says which series they
    touched, for readers that keep their own per-series state (the reminder timeline)."""

    KEPT_GENERATIONS = 1000  # further back, `changed_since` answers "all of them"

    def __init__(self, files: ScheduleBook, store: Store):
        self.files = files
        self.store = store
        self.generation = 0
        self._files_seen: list[Series] | None = None
        self._seq = 0
        self._series: list[Series] = []
        self._by_id: dict[str, Series] = {}
        self._unchanged: dict[str, Series] = {}
        self._made: dict[str, Series] = {}  # chat series, as their settings define them
        self._changes: dict[str, list[tuple[str, str | None]]] = {}
        self._touched: list[set[str]] = []  # per generation, oldest first

    def _guard(self):
        """Commands and the reminder thread both bring the book up to date. The store's
        own lock, not one of the book's: a command holds that lock throughout, and then
        asks the book, while the reminder thread holding the book's lock would wait
        for the store's (a deadlock). No write comes, so no transaction begins."""
        return self.store.transaction(from_first_write=True)

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
        with self._guard():
            from_files = self.files.series
            latest = self.store.series_changes.latest()
            if from_files is not self._files_seen or latest != self._seq:
                self._update(from_files, latest)
            return self._series

    def _update(self, from_files: list[Series], latest: int) -> None:
        if self._files_seen is None:  # the first look: everything, in two queries
            touched = None
            self._made = self._read(self.store.chat_series.rows())
            self._changes = _by_series(self.store.occurrence_changes.rows())
        else:
            touched = self.store.series_changes.since(self._seq)
            for series_id in touched:
                self._made.pop(series_id, None)
                self._changes.pop(series_id, None)
            self._made.update(self._read(self.store.chat_series.rows_of(touched)))
            self._changes.update(_by_series(self.store.occurrence_changes.rows_of(touched)))
            if from_files is not self._files_seen:  # a file edited: files are read again
                touched |= {s.id for s in from_files} | {s.id for s in self._files_seen}
        taken = {s.id: s for s in from_files}
        if touched is None or not self._replaced_in_place(touched, taken):
            every = sorted(from_files + [s for i, s in self._made.items() if i not in taken],
                           key=lambda s: s.id)
            self._unchanged = {s.id: s for s in every}
            self._by_id = {s.id: (self._by_id[s.id] if touched is not None and s.id not in touched
                                  and s.id in self._by_id else
                                  with_changes(s, self._changes.get(s.id, [])))
                           for s in every}
        self._series = list(self._by_id.values())
        self._files_seen, self._seq = from_files, latest
        self._touched.append(set(self._by_id) if touched is None else touched)
        del self._touched[:-self.KEPT_GENERATIONS]
        self.generation += 1

    def _replaced_in_place(self, touched: set[str], from_files: dict[str, Series]) -> bool:
        """When no series came or went, the changed ones take their places (the dicts
        keep their order, by id): no sort of every series after each change. False, and
        nothing done, otherwise."""
        bases = {series_id: from_files.get(series_id) or self._made.get(series_id)
                 for series_id in touched}
        if any((base is None) != (series_id not in self._unchanged)
               for series_id, base in bases.items()):
            return False
        for series_id, base in bases.items():
            if base is not None:
                self._unchanged[series_id] = base
                self._by_id[series_id] = with_changes(base, self._changes.get(series_id, []))
        return True

    def changes_since(self, generation: int) -> tuple[int, set[str] | None]:
        """The current generation, and the ids of the series changed (made, edited,
        deleted, a meeting skipped or moved) after `generation`: None when that is too
        far back to say (or 0, never seen), meaning all of them."""
        with self._guard():
            self.series  # noqa: B018  (brings the book up to date)
            behind = self.generation - generation
            if generation <= 0 or behind > len(self._touched):
                return self.generation, None
            return self.generation, set().union(*self._touched[len(self._touched) - behind:])

    def unchanged(self, series_id: str) -> Series | None:
        """The series as its file or settings define it, without changes made in chat."""
        with self._guard():
            self.series  # noqa: B018  (brings the index up to date)
            return self._unchanged.get(series_id)

    @staticmethod
    def _read(rows: list[tuple[str, str]]) -> dict[str, Series]:
        return {series_id: series for series_id, settings in rows
                if (series := _stored_series(series_id, settings))}

    def get(self, series_id: str) -> Series | None:
        with self._guard():
            self.series  # noqa: B018  (brings the index up to date)
            return self._by_id.get(series_id)

    def source(self, series_id: str) -> str:
        return FILE if self.files.get(series_id) is not None else CHAT


def _stored_series(series_id: str, settings: str) -> Series | None:
    """Settings were checked (`chat_series`) before they were stored: read back without
    checking them again; those that are not as stored then are parsed for their problem
    (a series still missing its time is no series yet)."""
    data = json.loads(settings)
    series = stored_series(series_id, data)
    if series is None:
        series, problems = chat_series(series_id, data)
        if problems and "start" not in {p.field for p in problems}:
            log.warning("chat series %s cannot be read: %s", series_id, problems[0])
    return series


def _by_series(rows: tuple[tuple[str, str, str | None], ...]
               ) -> dict[str, list[tuple[str, str | None]]]:
    found: dict[str, list[tuple[str, str | None]]] = {}
    for series_id, day, moved_to in rows:
        found.setdefault(series_id, []).append((day, moved_to))
    return found


def with_changes(series: Series, mine: list[tuple[str, str | None]]) -> Series:
    """`series` with the meetings skipped and moved in chat (date, moved-to wall time or
    None); changes the series cannot take (its meeting no longer exists after an edit of
    the file) are left out."""
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
