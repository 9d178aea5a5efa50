"""Occurrences of a meeting series: a rule in a zone, plus skipped, moved and extra dates.

A series is an RFC 5545 RRULE expanded in *local wall-clock time* of the
series' zone (``rule_dates``: python-dateutil, re-anchored near the query so
the cost does not grow with a series' age), then pinned to real instants.
Local times are resolved the way RFC 5545 (3.3.5) asks: a wall time skipped
by a DST gap is read with the UTC offset from before the gap, a repeated one
happens once, at its first instant. ``zoneinfo`` with ``fold=0`` does that.

Occurrences are identified by their local date (``Occurrence.key``), so a
rule may yield at most one occurrence per day (``rrule_text`` rejects the
rest). As in dateutil, a ``start`` that does not match the rule only anchors
it. Rotating start times go by the occurrence's index in the rule.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import islice, takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatbot.core.rrule_text import RecurrenceError, RuleParts, parse_rrule
from chatbot.core.rule_dates import RuleDates, computed_once, localize, rule_dates

__all__ = ["Occurrence", "Recurrence", "RecurrenceError", "RotateSlot", "RuleParts", "parse_rrule"]

# An occurrence keyed on local date D starts within (D - 1 day, D + 2 days) in UTC
# (Python keeps UTC offsets within +-24 h), whatever zone its rotate slot uses.
_KEY_SLACK_DAYS = 1
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RotateSlot:
    time: time
    zone: str | None = None


@dataclass(frozen=True)
class Occurrence:
    key: date
    start: datetime
    index: int

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)


def _as_utc(instant: datetime) -> datetime:
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise ValueError(f"instant must be a timezone-aware datetime, got {instant!r}")
    return instant.astimezone(UTC)


def _zone(field_name: str, key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise RecurrenceError(field_name, f"unknown time zone {key!r}") from None


@dataclass(frozen=True)
class Recurrence:
    """A meeting series: a rule in a zone plus one-off changes.

    ``key`` of an occurrence is its local date in the series zone as the rule
    produced it; skipping, moving and the rotation index all refer to it.
    A rotate slot applies its own wall time, in its own zone, to that date.
    Moved and extra (``dates``) occurrences are in the series zone.
    """

    timezone: str
    start: datetime
    rrule: str | None = None
    dates: tuple[datetime, ...] = ()
    skip: tuple[date, ...] = ()
    moved: tuple[tuple[date, datetime], ...] = ()
    rotate: tuple[RotateSlot, ...] = ()

    def __post_init__(self) -> None:
        # Lists (e.g. from JSON) and a dict for `moved` are accepted; tuples keep it hashable.
        moved = self.moved.items() if isinstance(self.moved, Mapping) else self.moved
        object.__setattr__(self, "moved", tuple(tuple(pair) for pair in moved))
        for name in ("dates", "skip", "rotate"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        # Recent next_after answers as (from, until, inclusive, answer): the answer holds
        # for every instant in [from, until), since no occurrence starts in between. Chat
        # commands ask about "now" over and over; this spares recomputing it.
        object.__setattr__(self, "_recent_answers", [])

    # ---- validation

    def validate(self) -> None:
        """Raise RecurrenceError(field, message) for the first problem found."""
        _zone("timezone", self.timezone)
        _require_naive_datetime("start", self.start)
        if self.rrule is not None:
            parse_rrule(self.rrule)
        for wall in self.dates:
            _require_naive_datetime("dates", wall)
        for key in self.skip:
            _require_date("skip", key)
        for pair in self.moved:
            if len(pair) != 2:
                raise RecurrenceError("moved", f"expected (date, datetime) pairs, got {pair!r}")
            _require_date("moved", pair[0])
            _require_naive_datetime("moved", pair[1])
        for slot in self.rotate:
            self._validate_slot(slot)
        self._validate_against_rule()

    @staticmethod
    def _validate_slot(slot: RotateSlot) -> None:
        if not isinstance(slot, RotateSlot) or not isinstance(slot.time, time):
            raise RecurrenceError("rotate", f"expected RotateSlot(time, zone), got {slot!r}")
        if slot.time.tzinfo is not None:
            raise RecurrenceError(
                "rotate", f"slot time {slot.time} must be naive; put the zone in `zone`"
            )
        if slot.zone is not None:
            _zone("rotate", slot.zone)

    def _validate_against_rule(self) -> None:
        schedule = self._schedule
        if not schedule.has_occurrence:
            raise RecurrenceError("rrule", "the rule produces no occurrence on or after start")
        moved_keys = [key for key, _ in self.moved]
        for key in moved_keys:
            if moved_keys.count(key) > 1:
                raise RecurrenceError("moved", f"{key} is moved twice")
            if key in self._skipped:
                raise RecurrenceError("moved", f"{key} is both skipped and moved")
            if schedule.index_of(key.toordinal()) is None:
                raise RecurrenceError("moved", f"{key} is not an occurrence of the series")
        extra_keys = [wall.date() for wall in self.dates]
        for key in extra_keys:
            if extra_keys.count(key) > 1:
                raise RecurrenceError(
                    "dates", f"two extra dates on {key}; occurrences are keyed by date"
                )
            if schedule.index_of(key.toordinal()) is not None:
                raise RecurrenceError(
                    "dates", f"{key} already has an occurrence; occurrences are keyed by date"
                )

    # ---- queries

    def next_after(self, instant: datetime, *, inclusive: bool = False) -> Occurrence | None:
        """First occurrence starting after ``instant`` (or at it, if inclusive)."""
        moment = _as_utc(instant)
        for since, until, was_inclusive, answer in self._recent_answers:
            if was_inclusive == inclusive and since <= moment < until:
                return answer
        until, answer = next(self._occurrences_from(moment, inclusive), (_NEVER, None))
        # A new list each time: readers on other threads never see it half-changed.
        object.__setattr__(self, "_recent_answers",
                           [(moment, until, inclusive, answer), *self._recent_answers[:3]])
        return answer

    def upcoming(
        self, instant: datetime, count: int, *, inclusive: bool = False
    ) -> list[Occurrence]:
        """The next ``count`` occurrences after ``instant``, in start order."""
        found = self._occurrences_from(_as_utc(instant), inclusive)
        return [occurrence for _, occurrence in islice(found, max(count, 0))]

    def between(self, start_instant: datetime, end_instant: datetime) -> list[Occurrence]:
        """Occurrences with start_instant <= start_utc < end_instant, in start order."""
        end_utc = _as_utc(end_instant)
        found = self._occurrences_from(_as_utc(start_instant), inclusive=True)
        return [occurrence for _, occurrence in takewhile(lambda pair: pair[0] < end_utc, found)]

    def previous_before(self, instant: datetime) -> Occurrence | None:
        """Last occurrence starting at or before ``instant``."""
        limit = _as_utc(instant)
        best = max(
            (
                (start_utc, occurrence.key) + (occurrence,)
                for start_utc, occurrence in self._explicit_occurrences
                if start_utc <= limit
            ),
            key=lambda item: item[:2],
            default=None,
        )
        last_key = limit.toordinal() + _KEY_SLACK_DAYS
        for ordinal, index in self._schedule.dates_until(last_key):
            # Key D starts before D + 2 days (UTC): before the best found when that is later.
            if best is not None and best[0].toordinal() >= ordinal + _KEY_SLACK_DAYS + 1:
                break  # this key and all earlier ones start before the best found
            regular = self._regular_occurrence(ordinal, index)
            if regular is None:
                continue
            start_utc, occurrence = regular
            if start_utc <= limit and (best is None or (start_utc, occurrence.key) > best[:2]):
                best = (start_utc, occurrence.key, occurrence)
        return best[2] if best else None

    def occurrence_on(self, key: date) -> Occurrence | None:
        """The occurrence identified by ``key`` (None if there is none or it is skipped)."""
        if key in self._skipped:
            return None
        index = self._schedule.index_of(key.toordinal())
        if index is not None:
            if key in self._moved_to:
                return self._explicit_occurrence(key, self._moved_to[key], index)[1]
            return self._regular_occurrence(key.toordinal(), index)[1]
        for wall in self.dates:
            if wall.date() == key:
                return self._explicit_occurrence(key, wall, -1)[1]
        return None

    # ---- internals

    def _occurrences_from(
        self, threshold: datetime, inclusive: bool
    ) -> Iterator[tuple[datetime, Occurrence]]:
        """(start in UTC, occurrence) after the UTC ``threshold`` in start order, lazily.

        Rule dates come in key order; a start can sit up to two days either
        side of its key (rotate zones) and moved/extra ones anywhere, so they
        wait in a heap until no later key can start before them.
        """
        is_wanted = threshold.__le__ if inclusive else threshold.__lt__
        pending = [
            (start_utc, occurrence.key, position, occurrence)
            for position, (start_utc, occurrence) in enumerate(self._explicit_occurrences)
            if is_wanted(start_utc)
        ]
        heapq.heapify(pending)
        # Key D starts before D + 2 days (UTC): keys two days or more before the
        # threshold's UTC day cannot start after it. A start is before day X (UTC)
        # exactly when its UTC date is.
        first_key = threshold.toordinal() - _KEY_SLACK_DAYS
        for ordinal, index in self._schedule.dates_from(first_key):
            while pending and pending[0][0].toordinal() < ordinal - _KEY_SLACK_DAYS:
                first = heapq.heappop(pending)
                yield first[0], first[3]
            if index is None:
                continue  # only a bound: no occurrence is keyed before that day
            regular = self._regular_occurrence(ordinal, index)
            if regular is not None and is_wanted(regular[0]):
                start_utc, occurrence = regular
                heapq.heappush(pending, (start_utc, occurrence.key, -1 - index, occurrence))
        while pending:
            first = heapq.heappop(pending)
            yield first[0], first[3]

    def _regular_occurrence(self, ordinal: int, index: int) -> tuple[datetime, Occurrence] | None:
        """The rule's occurrence on that day; None if skipped or moved (moved ones are explicit)."""
        key = date.fromordinal(ordinal)
        if key in self._skipped or key in self._moved_to:
            return None
        if self.rotate:
            slot_time, zone = self._slots[index % len(self._slots)]
        else:
            slot_time, zone = self._schedule.time_of_day, self._zone
        start, start_utc = localize(key, slot_time, zone)
        return start_utc, Occurrence(key, start, index)

    def _explicit_occurrence(
        self, key: date, wall: datetime, index: int
    ) -> tuple[datetime, Occurrence]:
        start, start_utc = localize(wall.date(), wall.time(), self._zone)
        return start_utc, Occurrence(key, start, index)

    @computed_once
    def _schedule(self) -> RuleDates:
        return rule_dates(self.rrule, self.start, self._zone)

    @computed_once
    def _zone(self) -> ZoneInfo:
        return _zone("timezone", self.timezone)

    @computed_once
    def _slots(self) -> list[tuple[time, ZoneInfo]]:
        return [
            (slot.time, _zone("rotate", slot.zone) if slot.zone else self._zone)
            for slot in self.rotate
        ]

    @computed_once
    def _skipped(self) -> frozenset[date]:
        return frozenset(self.skip)

    @computed_once
    def _moved_to(self) -> dict[date, datetime]:
        return dict(self.moved)

    @computed_once
    def _explicit_occurrences(self) -> list[tuple[datetime, Occurrence]]:
        """Moved occurrences (keeping key and index) and extra dates (index -1)."""
        found = []
        for key, wall in self._moved_to.items():
            index = self._schedule.index_of(key.toordinal())
            if index is not None and key not in self._skipped:  # else validate() complains
                found.append(self._explicit_occurrence(key, wall, index))
        found.extend(self._explicit_occurrence(wall.date(), wall, -1) for wall in self.dates)
        return found


def _require_naive_datetime(field_name: str, value: object) -> None:
    if not isinstance(value, datetime):
        raise RecurrenceError(field_name, f"expected a datetime, got {value!r}")
    if value.tzinfo is not None:
        raise RecurrenceError(field_name, f"{value} must be naive local time in the series zone")


def _require_date(field_name: str, value: object) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RecurrenceError(field_name, f"expected a date (the occurrence key), got {value!r}")
