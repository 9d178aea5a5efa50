"""Recurrence and time-zone engine for meeting schedules.

A series is an RFC 5545 RRULE expanded in *local wall-clock time* of the
series' zone, then pinned to real instants. Local times are resolved the way
RFC 5545 (3.3.5) asks: a wall time skipped by a DST gap is read with the UTC
offset from before the gap, a repeated one happens once, at its first instant.
``zoneinfo`` with ``fold=0`` does exactly that.

Speed does not depend on the age of a series: instead of walking forward
from the first occurrence (what ``dateutil.rrule`` does), the engine jumps to
the FREQ period that holds the query instant - a whole number of INTERVALs
after the first period, so the phase of "every other week" is kept - and
expands only that period and the next ones. The 0-based index of an
occurrence (needed for COUNT and for rotating start times) is computed
arithmetically whenever the number of occurrences per period repeats in a
fixed cycle, which covers the rules meetings use (weekly, every N weeks,
monthly "3rd Wednesday", "last weekday of the month", daily on weekdays,
yearly on a date...). For other rules (for example "FREQ=MONTHLY;BYDAY=5WE",
where a month may or may not hold the day) the index is found by walking
period by period from the start, once: the running counts are memoised.

Occurrences are identified by their local date (``Occurrence.key``), so a
rule may yield at most one occurrence per day: sub-daily frequencies and
several BYHOUR/BYMINUTE/BYSECOND values are rejected, as is BYWEEKNO.
Like dateutil (and unlike some calendar apps), a ``start`` that does not
match the rule is not itself an occurrence; it only anchors the rule, and
like dateutil, BYSETPOS in the first week of a WEEKLY rule picks only among
days from the start on. A date-only UNTIL includes that whole local day;
"...Z" compares instants, a floating UNTIL compares local wall times.
"""

from __future__ import annotations

import heapq
import re
from calendar import isleap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, islice, takewhile
from math import gcd
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Occurrence",
    "Recurrence",
    "RecurrenceError",
    "RotateSlot",
    "RuleParts",
    "parse_rrule",
]

YEARLY, MONTHLY, WEEKLY, DAILY = "YEARLY", "MONTHLY", "WEEKLY", "DAILY"
_SUPPORTED_FREQS = (YEARLY, MONTHLY, WEEKLY, DAILY)
_SUB_DAILY_FREQS = ("HOURLY", "MINUTELY", "SECONDLY")
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_KNOWN_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYDAY",
    "BYSETPOS",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
    "WKST",
}

# The Gregorian calendar repeats every 400 years. A rule that found nothing in
# that many consecutive periods never will, so scanning stops there.
_CALENDAR_REPEAT_IN_PERIODS = {YEARLY: 400, MONTHLY: 4800, WEEKLY: 20871, DAILY: 146097}

# Python requires every UTC offset to be strictly within +-24 h, so an
# occurrence keyed on local date D starts within (D - 1 day, D + 2 days) in UTC,
# whatever zone its rotate slot uses. This bounds how far around an instant we look.
_KEY_SLACK_DAYS = 1

# Memoised walking counts stop growing past this many periods (about 550 years
# of a daily rule); beyond it the walk is redone instead of stored.
_WALK_MEMO_LIMIT = 200_000

_ORDINAL_ONE_UTC = datetime(1, 1, 1, tzinfo=UTC)
_LAST_SCANNED_DAY = date(9999, 12, 1).toordinal()


class _computed_once:
    """A cached property without the per-object lock functools takes in Python 3.11.

    The first access stores the value in the instance ``__dict__`` (this also
    works on frozen dataclasses), where later lookups find it directly.
    """

    def __init__(self, compute: Callable) -> None:
        self.compute = compute
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None):
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value


class RecurrenceError(ValueError):
    """A recurrence field is invalid; ``field`` names it, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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


# --------------------------------------------------------------------------
# RRULE parsing


@dataclass(frozen=True)
class RuleParts:
    """A parsed RRULE. Weekdays are 0=Monday..6=Sunday as in ``date.weekday()``.

    ``until`` is a ``date`` (inclusive local day), a naive ``datetime``
    (local wall time) or an aware UTC ``datetime`` ("...Z", the RFC form).
    ``byday`` holds ``(weekday, position)`` pairs; position None means every.
    """

    freq: str
    interval: int = 1
    count: int | None = None
    until: date | datetime | None = None
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int | None], ...] = ()
    bysetpos: tuple[int, ...] = ()
    byhour: int | None = None
    byminute: int | None = None
    bysecond: int | None = None
    wkst: int = 0


def parse_rrule(text: str) -> RuleParts:
    """Parse an RRULE body ("FREQ=MONTHLY;BYDAY=3WE"); raise RecurrenceError("rrule", ...)."""
    if not isinstance(text, str):
        raise RecurrenceError("rrule", f"expected text, got {type(text).__name__}")
    return _parse_rrule_cached(text.strip())


@lru_cache(maxsize=4096)
def _parse_rrule_cached(text: str) -> RuleParts:
    raw = _split_rule_parts(text)
    freq = _parse_freq(raw)
    until = _parse_until(raw["UNTIL"]) if "UNTIL" in raw else None
    parts = RuleParts(
        freq=freq,
        interval=_parse_single_int(raw, "INTERVAL", 1, None, default=1),
        count=_parse_single_int(raw, "COUNT", 1, None, default=None),
        until=until,
        bymonth=_parse_int_list(raw, "BYMONTH", 12, signed=False, lowest=1),
        bymonthday=_parse_int_list(raw, "BYMONTHDAY", 31),
        byyearday=_parse_int_list(raw, "BYYEARDAY", 366),
        byday=_parse_byday(raw.get("BYDAY")),
        bysetpos=_parse_int_list(raw, "BYSETPOS", 366),
        byhour=_parse_single_int(raw, "BYHOUR", 0, 23, default=None, one_per_day=True),
        byminute=_parse_single_int(raw, "BYMINUTE", 0, 59, default=None, one_per_day=True),
        bysecond=_parse_single_int(raw, "BYSECOND", 0, 59, default=None, one_per_day=True),
        wkst=_parse_weekday_code(raw["WKST"], "WKST") if "WKST" in raw else 0,
    )
    _check_part_combinations(parts, raw)
    return parts


def _split_rule_parts(text: str) -> dict[str, str]:
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise RecurrenceError("rrule", "empty rule")
    raw: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value:
            raise RecurrenceError("rrule", f"malformed part {chunk!r}, expected NAME=VALUE")
        if name not in _KNOWN_PARTS:
            raise RecurrenceError("rrule", f"unknown part {name!r}")
        if name in raw:
            raise RecurrenceError("rrule", f"{name} is given twice")
        raw[name] = value
    return raw


def _parse_freq(raw: dict[str, str]) -> str:
    freq = raw.get("FREQ")
    if freq is None:
        raise RecurrenceError("rrule", "FREQ is required")
    if freq in _SUB_DAILY_FREQS:
        raise RecurrenceError(
            "rrule",
            f"FREQ={freq} is not supported: occurrences are keyed by date, at most one a day",
        )
    if freq not in _SUPPORTED_FREQS:
        raise RecurrenceError("rrule", f"unknown FREQ {freq!r}")
    return freq


def _parse_int(name: str, text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise RecurrenceError("rrule", f"{name} value {text!r} is not an integer")
    return int(text)


def _parse_single_int(raw, name, lowest, highest, *, default, one_per_day=False):
    if name not in raw:
        return default
    text = raw[name]
    if one_per_day and "," in text:
        raise RecurrenceError(
            "rrule",
            f"{name} may hold one value only: occurrences are keyed by date, at most one a day",
        )
    value = _parse_int(name, text)
    if value < lowest or (highest is not None and value > highest):
        bounds = f"{lowest}..{highest}" if highest is not None else f">= {lowest}"
        raise RecurrenceError("rrule", f"{name} value {value} is out of range ({bounds})")
    return value


def _parse_int_list(raw, name, highest, *, signed=True, lowest=None) -> tuple[int, ...]:
    """Parse "1,-1,15"; signed lists allow -highest..-1 and 1..highest (0 never)."""
    if name not in raw:
        return ()
    values = []
    for item in raw[name].split(","):
        value = _parse_int(name, item.strip())
        in_range = 1 <= abs(value) <= highest if signed else lowest <= value <= highest
        if not in_range:
            bounds = f"1..{highest} or -{highest}..-1" if signed else f"{lowest}..{highest}"
            raise RecurrenceError("rrule", f"{name} value {value} is out of range ({bounds})")
        values.append(value)
    return tuple(sorted(set(values)))


def _parse_weekday_code(code: str, name: str) -> int:
    if code not in _WEEKDAY_CODES:
        raise RecurrenceError("rrule", f"{name} value {code!r} is not a weekday (MO..SU)")
    return _WEEKDAY_CODES.index(code)


def _parse_byday(text: str | None) -> tuple[tuple[int, int | None], ...]:
    if text is None:
        return ()
    specs = set()
    for item in text.split(","):
        match = re.fullmatch(r"([+-]?\d{1,2})?([A-Z]{2})", item.strip())
        if not match:
            raise RecurrenceError(
                "rrule", f"BYDAY value {item!r} is not like 'MO' or '3WE' or '-1FR'"
            )
        position = int(match[1]) if match[1] else None
        if position is not None and not 1 <= abs(position) <= 53:
            raise RecurrenceError(
                "rrule", f"BYDAY position in {item!r} is out of range (1..53 or -53..-1)"
            )
        specs.add((_parse_weekday_code(match[2], "BYDAY"), position))
    return tuple(sorted(specs, key=lambda spec: (spec[0], spec[1] or 0)))


def _parse_until(text: str) -> date | datetime:
    match = re.fullmatch(r"(\d{8})(?:T(\d{6})(Z?))?", text)
    if not match:
        raise RecurrenceError(
            "rrule", f"UNTIL value {text!r} is not like 20181231 or 20181231T235959Z"
        )
    try:
        if match[2] is None:
            return datetime.strptime(match[1], "%Y%m%d").date()
        value = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    except ValueError:
        raise RecurrenceError("rrule", f"UNTIL value {text!r} is not a real date") from None
    return value.replace(tzinfo=UTC) if match[3] else value


def _check_part_combinations(parts: RuleParts, raw: dict[str, str]) -> None:
    """Reject what RFC 5545 3.3.10 forbids, with a message saying which rule broke."""
    if parts.count is not None and parts.until is not None:
        raise RecurrenceError("rrule", "COUNT and UNTIL cannot both be given")
    if "BYWEEKNO" in raw:
        raise RecurrenceError("rrule", "BYWEEKNO is not supported")
    if parts.bymonthday and parts.freq == WEEKLY:
        raise RecurrenceError("rrule", "BYMONTHDAY cannot be used with FREQ=WEEKLY")
    if parts.byyearday and parts.freq != YEARLY:
        raise RecurrenceError("rrule", "BYYEARDAY needs FREQ=YEARLY")
    has_positions = any(position is not None for _, position in parts.byday)
    if has_positions and parts.freq not in (MONTHLY, YEARLY):
        raise RecurrenceError(
            "rrule", "BYDAY with a position (like '3WE') needs FREQ=MONTHLY or YEARLY"
        )
    other_by_parts = set(raw) & (
        _KNOWN_PARTS - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYSETPOS"}
    )
    if parts.bysetpos and not other_by_parts:
        raise RecurrenceError("rrule", "BYSETPOS needs another BYxxx part to pick from")


# --------------------------------------------------------------------------
# Calendar helpers (days are proleptic Gregorian ordinals: 1 = Monday 0001-01-01)

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_length(year: int, month: int) -> int:
    return 29 if month == 2 and isleap(year) else _DAYS_IN_MONTH[month - 1]


def _weekday_of(ordinal: int) -> int:
    return (ordinal - 1) % 7


def _resolve_signed(values: tuple[int, ...], length: int) -> Iterator[int]:
    """Turn 1-based positions, negative ones counted from the end, into 1..length."""
    for value in values:
        position = value if value > 0 else length + value + 1
        if 1 <= position <= length:
            yield position


def _pick_positions(days: list[int], positions: tuple[int, ...]) -> list[int]:
    picked = set()
    for position in positions:
        offset = position - 1 if position > 0 else len(days) + position
        if 0 <= offset < len(days):
            picked.add(days[offset])
    return sorted(picked)


def _localize(wall: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Pin a naive wall time to (aware local, aware UTC) per RFC 5545 DST rules.

    fold=0 reads a time that falls in a DST gap with the offset from before
    the gap (02:30 -> 03:30 summer time) and picks the first of a repeated
    time; converting through UTC normalises the gap case to a real wall time.
    """
    start_utc = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return start_utc.astimezone(zone), start_utc


def _as_utc(instant: datetime) -> datetime:
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise ValueError(f"instant must be a timezone-aware datetime, got {instant!r}")
    return instant.astimezone(UTC)


def _utc_midnight(ordinal: int) -> datetime:
    return _ORDINAL_ONE_UTC + timedelta(days=ordinal - 1)


def _zone(field_name: str, key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise RecurrenceError(field_name, f"unknown time zone {key!r}") from None


# --------------------------------------------------------------------------
# The rule bound to its start: which local dates occur, with which index


class _DayParts:
    """The day-selecting parts of a rule, with what it leaves to DTSTART filled in
    (RFC 5545 3.3.10, as dateutil does), in the shapes _Schedule looks them up in.
    """

    def __init__(self, parts: RuleParts, start_month: int, start_day: int, start_weekday: int):
        bymonth, bymonthday, byday = parts.bymonth, parts.bymonthday, parts.byday
        if not (parts.byyearday or bymonthday or byday):
            if parts.freq == YEARLY:
                bymonth = bymonth or (start_month,)
                bymonthday = (start_day,)
            elif parts.freq == MONTHLY:
                bymonthday = (start_day,)
            elif parts.freq == WEEKLY:
                byday = ((start_weekday, None),)
        self.bymonth = frozenset(bymonth)
        self.bymonthday = bymonthday
        self.monthday_set = frozenset(bymonthday)
        self.byyearday = parts.byyearday
        self.yearday_set = frozenset(parts.byyearday)
        self.byday = byday
        self.every_weekdays = frozenset(weekday for weekday, position in byday if position is None)
        self.nth_weekdays = frozenset(spec for spec in byday if spec[1] is not None)
        # RFC 5545: "3WE" counts within the month for MONTHLY, and for YEARLY narrowed by BYMONTH.
        self.nth_counts_in_month = parts.freq == MONTHLY or bool(bymonth)
        # When the dates come from a single part, generating them is enough: no day-by-day check.
        one_day_part = not parts.byyearday and bool(bymonthday) != bool(byday)
        self.month_candidates_exact = one_day_part
        self.week_candidates_exact = bool(self.every_weekdays) and not bymonth
        self.year_candidates_exact = not (bymonth or bymonthday) and (
            bool(byday) != bool(parts.byyearday)
        )


_day_parts_for = lru_cache(maxsize=4096)(_DayParts)


def _day_parts(parts: RuleParts, start: datetime) -> _DayParts:
    """Shared per rule: only what a rule leaves to DTSTART is taken from ``start``."""
    if parts.byyearday or parts.bymonthday or parts.byday:
        return _day_parts_for(parts, 0, 0, 0)
    if parts.freq == YEARLY:
        return _day_parts_for(parts, start.month, start.day, 0)
    if parts.freq == MONTHLY:
        return _day_parts_for(parts, 0, start.day, 0)
    return _day_parts_for(parts, 0, 0, start.weekday() if parts.freq == WEEKLY else 0)


class _Schedule:
    """Dates of an expanded rule, by FREQ period, without walking from the start.

    Periods are numbered on an absolute scale (years, months since year 0,
    weeks since ordinal 1 aligned on WKST, day ordinals); the rule's periods
    are ``first_period + n * interval``.
    """

    def __init__(self, parts: RuleParts, start: datetime, zone: ZoneInfo) -> None:
        start = start.replace(microsecond=0)  # RRULE times have whole seconds (as in dateutil)
        self.freq = parts.freq
        self.interval = parts.interval
        self.count = parts.count
        self.until = parts.until
        self.zone = zone
        self.wkst = parts.wkst
        self.bysetpos = parts.bysetpos
        self.time_of_day = time(
            start.hour if parts.byhour is None else parts.byhour,
            start.minute if parts.byminute is None else parts.byminute,
            start.second if parts.bysecond is None else parts.bysecond,
        )
        # Copied onto the schedule: these are looked up on every expanded period.
        vars(self).update(vars(_day_parts(parts, start)))
        start_day = start.toordinal()
        # The start itself is excluded when the rule's time of day is earlier.
        self.first_ordinal = start_day if self.time_of_day >= start.time() else start_day + 1
        self.first_period = self.period_of(start_day)
        self.last_scanned_period = self.period_of(_LAST_SCANNED_DAY)
        self._until_ordinal = self._until_as_ordinal()
        self._walked_counts = [0]
        first_days = self.period_days(self.first_period)
        first_picked = first_days
        if self.freq == WEEKLY and self.bysetpos:
            # As dateutil does: the first week only offers BYSETPOS the days from the start on.
            first_picked = _pick_positions(
                self._week_days(self.first_period, start_day), self.bysetpos
            )
        self._first_period_occurring = [day for day in first_picked if day >= self.first_ordinal]
        self._dropped_before_start = len(first_days) - len(self._first_period_occurring)
        self._cycle_prefix = self._count_cycle_prefix(len(first_days))

    # ---- periods

    def period_of(self, ordinal: int) -> int:
        if self.freq == DAILY:
            return ordinal
        if self.freq == WEEKLY:
            return (ordinal - 1 - self.wkst) // 7
        day = date.fromordinal(ordinal)
        return day.year * 12 + day.month - 1 if self.freq == MONTHLY else day.year

    def next_valid_period(self, period: int) -> int:
        if period <= self.first_period:
            return self.first_period
        steps = -(-(period - self.first_period) // self.interval)
        return self.first_period + steps * self.interval

    def previous_valid_period(self, period: int) -> int | None:
        if period < self.first_period:
            return None
        return self.first_period + (period - self.first_period) // self.interval * self.interval

    # ---- expanding one period

    def period_days(self, period: int) -> list[int]:
        """All rule dates of a period (BYSETPOS applied), ignoring start and limits."""
        if self.freq == DAILY:
            days = [period] if self._day_matches(period) else []
        elif self.freq == WEEKLY:
            days = self._week_days(period)
        elif self.freq == MONTHLY:
            year, month_index = divmod(period, 12)
            days = self._month_days(year, month_index + 1)
        else:
            days = self._year_days(period)
        return _pick_positions(days, self.bysetpos) if self.bysetpos else days

    def occurring_days(self, period: int) -> list[int]:
        """Dates of a period that really occur: not before the start."""
        if period == self.first_period:
            return self._first_period_occurring
        return self.period_days(period)

    def _week_days(self, period: int, from_day: int = 0) -> list[int]:
        week_start = period * 7 + 1 + self.wkst
        if self.every_weekdays:
            candidates = [week_start + (weekday - self.wkst) % 7 for weekday in self.every_weekdays]
        else:
            candidates = range(week_start, week_start + 7)
        if from_day > week_start:
            candidates = [day for day in candidates if day >= from_day]
        return self._matching_sorted(candidates, self.week_candidates_exact)

    def _month_days(self, year: int, month: int) -> list[int]:
        if self.bymonth and month not in self.bymonth:
            return []
        first = date(year, month, 1).toordinal()
        length = _month_length(year, month)
        # Generate from the most selective part; _day_matches then checks all parts.
        if self.bymonthday:
            candidates = [first + day - 1 for day in _resolve_signed(self.bymonthday, length)]
        elif self.byday:
            candidates = self._weekday_candidates(first, first + length)
        else:
            candidates = range(first, first + length)
        return self._matching_sorted(candidates, self.month_candidates_exact)

    def _year_days(self, year: int) -> list[int]:
        if self.bymonth or self.bymonthday:
            months = sorted(self.bymonth) if self.bymonth else range(1, 13)
            return [day for month in months for day in self._month_days(year, month)]
        first = date(year, 1, 1).toordinal()
        length = 366 if isleap(year) else 365
        if self.byday:
            candidates = self._weekday_candidates(first, first + length)
        elif self.byyearday:
            candidates = [first + day - 1 for day in _resolve_signed(self.byyearday, length)]
        else:
            candidates = range(first, first + length)
        return self._matching_sorted(candidates, self.year_candidates_exact)

    def _matching_sorted(self, candidates, exact: bool) -> list[int]:
        if exact:
            return sorted(set(candidates))
        return sorted({day for day in candidates if self._day_matches(day)})

    def _weekday_candidates(self, low: int, high: int) -> Iterator[int]:
        """Days in [low, high) named by BYDAY; positions count within that span."""
        for weekday, position in self.byday:
            first_such = low + (weekday - _weekday_of(low)) % 7
            if position is None:
                yield from range(first_such, high, 7)
            elif position > 0:
                day = first_such + 7 * (position - 1)
                if day < high:
                    yield day
            else:
                last_such = high - 1 - (_weekday_of(high - 1) - weekday) % 7
                day = last_such + 7 * (position + 1)
                if day >= low:
                    yield day

    def _day_matches(self, ordinal: int) -> bool:
        day = date.fromordinal(ordinal)
        if self.bymonth and day.month not in self.bymonth:
            return False
        if self.bymonthday:
            from_end = day.day - _month_length(day.year, day.month) - 1
            if day.day not in self.monthday_set and from_end not in self.monthday_set:
                return False
        if self.byyearday:
            year_first = date(day.year, 1, 1).toordinal()
            yearday = ordinal - year_first + 1
            from_end = yearday - (366 if isleap(day.year) else 365) - 1
            if yearday not in self.yearday_set and from_end not in self.yearday_set:
                return False
        return not self.byday or self._weekday_matches(ordinal, day)

    def _weekday_matches(self, ordinal: int, day: date) -> bool:
        weekday = _weekday_of(ordinal)
        if weekday in self.every_weekdays:
            return True
        if not self.nth_weekdays:
            return False
        if self.nth_counts_in_month:
            low = ordinal - day.day + 1
            high = low + _month_length(day.year, day.month)
        else:
            low = date(day.year, 1, 1).toordinal()
            high = low + (366 if isleap(day.year) else 365)
        from_start = (ordinal - low) // 7 + 1
        from_end = -((high - 1 - ordinal) // 7 + 1)
        return (weekday, from_start) in self.nth_weekdays or (
            weekday,
            from_end,
        ) in self.nth_weekdays

    # ---- counting occurrences before a period (the index)

    def _count_cycle_prefix(self, first_count: int) -> list[int] | None:
        """Running occurrence counts over one cycle of periods, if counts repeat.

        When the number of dates in the n-th period depends only on n mod c,
        the count before any period is arithmetic. Returns the c+1 running
        sums over periods 0..c-1 (ignoring the start), or None.
        """
        cycle = self._cycle_length()
        if cycle is None:
            return None
        counts = [first_count] + [
            len(self.period_days(self.first_period + n * self.interval)) for n in range(1, cycle)
        ]
        return list(accumulate(counts, initial=0))

    def _cycle_length(self) -> int | None:
        months_repeat = 12 // gcd(12, self.interval)  # periods until the month-of-year repeats
        if self.freq == DAILY:
            if self.bymonth or self.bymonthday:
                return None
            # Only the weekday decides, and it repeats every 7 periods.
            return 7 if self.byday else 1
        if self.freq == WEEKLY:
            return None if self.bymonth else 1
        if self.freq == MONTHLY:
            if self._month_count_is_fixed() or self._setpos_count_is_fixed():
                return months_repeat if self.bymonth else 1
            return None
        return 1 if self._year_count_is_fixed() else None

    def _month_count_is_fixed(self) -> bool:
        """Does every month hold the same number of matching days?"""
        if self.byyearday or (self.bymonthday and self.byday):
            return False
        if self.bymonthday:
            return _same_sign_within(self.bymonthday, 28)  # every month has days 1..28
        if self.every_weekdays or not self.nth_counts_in_month:
            return False  # a weekday occurs 4 or 5 times a month
        return _same_sign_within([position for _, position in self.nth_weekdays], 4)

    def _setpos_count_is_fixed(self) -> bool:
        """E.g. "last weekday of the month": BYSETPOS picks from at least 4 per weekday."""
        if not self.bysetpos or self.nth_weekdays or self.bymonthday or not self.every_weekdays:
            return False
        return _same_sign_within(self.bysetpos, 4 * len(self.every_weekdays))

    def _year_count_is_fixed(self) -> bool:
        if self.bymonth or self.bymonthday:
            return not self.byyearday and self._month_count_is_fixed()
        if self.byyearday:
            return not self.byday and _same_sign_within(self.byyearday, 365)
        if self.every_weekdays:
            return False
        return _same_sign_within([position for _, position in self.nth_weekdays], 52)

    def count_before(self, period: int) -> int:
        """Occurrences (COUNT and UNTIL ignored) in the rule's periods before ``period``."""
        passed = (period - self.first_period) // self.interval
        if passed <= 0:
            return 0
        prefix = self._cycle_prefix
        if prefix is None:
            return self._walked_count(passed)
        cycle = len(prefix) - 1
        whole_cycles, rest = divmod(passed, cycle)
        return whole_cycles * prefix[cycle] + prefix[rest] - self._dropped_before_start

    def _walked_count(self, passed: int) -> int:
        """Fallback for rules with irregular counts: walk periods once, memoised."""
        counts = self._walked_counts
        while len(counts) <= min(passed, _WALK_MEMO_LIMIT):
            period = self.first_period + (len(counts) - 1) * self.interval
            counts.append(counts[-1] + len(self.occurring_days(period)))
        if passed < len(counts):
            return counts[passed]
        total = counts[-1]
        for walked in range(len(counts) - 1, passed):
            total += len(self.period_days(self.first_period + walked * self.interval))
        return total

    # ---- limits

    def _until_as_ordinal(self) -> int | None:
        """A day at or after the last one UNTIL allows (exact check: within_limits)."""
        if self.until is None:
            return None
        if isinstance(self.until, datetime):
            return self.until.toordinal() + 1  # +1: a UTC instant may be the next local day
        return self.until.toordinal()

    def within_limits(self, ordinal: int, index: int) -> bool:
        if self.count is not None:
            return index < self.count
        if self.until is None:
            return True
        if not isinstance(self.until, datetime):
            return ordinal <= self._until_ordinal
        wall = datetime.combine(date.fromordinal(ordinal), self.time_of_day)
        if self.until.tzinfo is None:
            return wall <= self.until
        return _localize(wall, self.zone)[1] <= self.until

    @_computed_once
    def final_period(self) -> int | None:
        """A period at or after the last occurrence; None if the series is endless."""
        if self._until_ordinal is not None:
            return self.period_of(min(self._until_ordinal, _LAST_SCANNED_DAY))
        if self.count is None:
            return None
        return self._period_reaching(self.count)

    def _period_reaching(self, count: int) -> int | None:
        """The valid period in which the count-th occurrence falls (search, no walk)."""

        def period_at(step: int) -> int:
            return self.first_period + step * self.interval

        most_steps = (self.last_scanned_period - self.first_period) // self.interval
        high = 1
        while self.count_before(period_at(high)) < count:
            if high >= most_steps:
                return None
            high = min(high * 2, most_steps)
        low = 0  # invariant: count_before(period_at(low)) < count <= count_before(period_at(high))
        while high - low > 1:
            middle = (low + high) // 2
            if self.count_before(period_at(middle)) < count:
                low = middle
            else:
                high = middle
        return period_at(low)

    # ---- iteration over occurring dates

    def dates_from(self, first_wanted: int) -> Iterator[tuple[int, int]]:
        """(ordinal, index) of occurrences on or after day ``first_wanted``, ascending."""
        period = self.next_valid_period(self.period_of(max(first_wanted, self.first_ordinal)))
        index = self.count_before(period)
        empty_run = 0
        while period <= self.last_scanned_period:
            days = self.occurring_days(period)
            for ordinal in days:
                if not self.within_limits(ordinal, index):
                    return
                if ordinal >= first_wanted:
                    yield ordinal, index
                index += 1
            empty_run = 0 if days else empty_run + 1
            if empty_run > _CALENDAR_REPEAT_IN_PERIODS[self.freq]:
                return
            period += self.interval

    def dates_until(self, last_wanted: int) -> Iterator[tuple[int, int]]:
        """(ordinal, index) of occurrences on or before day ``last_wanted``, descending."""
        period = self.previous_valid_period(self.period_of(min(last_wanted, _LAST_SCANNED_DAY)))
        if period is not None and self.final_period is not None:
            period = self.previous_valid_period(min(period, self.final_period))
        while period is not None and period >= self.first_period:
            days = self.occurring_days(period)
            first_index = self.count_before(period)
            for offset in range(len(days) - 1, -1, -1):
                ordinal, index = days[offset], first_index + offset
                if ordinal <= last_wanted and self.within_limits(ordinal, index):
                    yield ordinal, index
            period -= self.interval

    def index_of(self, ordinal: int) -> int | None:
        """Index of the occurrence on that day, or None if the rule has none."""
        period = self.period_of(ordinal)
        if period < self.first_period or (period - self.first_period) % self.interval:
            return None
        days = self.occurring_days(period)
        if ordinal not in days:
            return None
        index = self.count_before(period) + days.index(ordinal)
        return index if self.within_limits(ordinal, index) else None


def _same_sign_within(values, limit: int) -> bool:
    values = list(values)
    return bool(values) and (
        all(0 < v <= limit for v in values) or all(-limit <= v < 0 for v in values)
    )


@lru_cache(maxsize=65536)
def _schedule_for(rrule: str | None, start: datetime, timezone_name: str) -> _Schedule:
    # A one-off is the one-occurrence rule anchored at its start.
    parts = parse_rrule(rrule) if rrule is not None else RuleParts(freq=DAILY, count=1)
    return _Schedule(parts, start, _zone("timezone", timezone_name))


# --------------------------------------------------------------------------
# The series


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
        if next(schedule.dates_from(schedule.first_ordinal), None) is None:
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
        answer = next(self._occurrences_from(instant, inclusive), None)
        until = answer.start_utc if answer is not None else datetime.max.replace(tzinfo=UTC)
        # A new list each time: readers on other threads never see it half-changed.
        object.__setattr__(self, "_recent_answers",
                           [(moment, until, inclusive, answer), *self._recent_answers[:3]])
        return answer

    def upcoming(
        self, instant: datetime, count: int, *, inclusive: bool = False
    ) -> list[Occurrence]:
        """The next ``count`` occurrences after ``instant``, in start order."""
        return list(islice(self._occurrences_from(instant, inclusive), max(count, 0)))

    def between(self, start_instant: datetime, end_instant: datetime) -> list[Occurrence]:
        """Occurrences with start_instant <= start_utc < end_instant, in start order."""
        end_utc = _as_utc(end_instant)
        found = self._occurrences_from(start_instant, inclusive=True)
        return list(takewhile(lambda occurrence: occurrence.start_utc < end_utc, found))

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
        last_key = limit.date().toordinal() + _KEY_SLACK_DAYS
        for ordinal, index in self._schedule.dates_until(last_key):
            latest_possible = _utc_midnight(ordinal + _KEY_SLACK_DAYS + 1)
            if best is not None and latest_possible <= best[0]:
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

    def _occurrences_from(self, instant: datetime, inclusive: bool) -> Iterator[Occurrence]:
        """All occurrences after ``instant`` in start order, lazily.

        Rule dates come in key order; a start can sit up to two days either
        side of its key (rotate zones) and moved/extra ones anywhere, so they
        wait in a heap until no later key can start before them.
        """
        threshold = _as_utc(instant)

        def is_wanted(start_utc: datetime) -> bool:
            return start_utc >= threshold if inclusive else start_utc > threshold

        pending = [
            (start_utc, occurrence.key, position, occurrence)
            for position, (start_utc, occurrence) in enumerate(self._explicit_occurrences)
            if is_wanted(start_utc)
        ]
        heapq.heapify(pending)
        first_key = threshold.date().toordinal() - _KEY_SLACK_DAYS - 1
        for ordinal, index in self._schedule.dates_from(first_key):
            earliest_possible = _utc_midnight(ordinal - _KEY_SLACK_DAYS)
            while pending and pending[0][0] < earliest_possible:
                yield heapq.heappop(pending)[3]
            regular = self._regular_occurrence(ordinal, index)
            if regular is not None and is_wanted(regular[0]):
                start_utc, occurrence = regular
                heapq.heappush(pending, (start_utc, occurrence.key, -1 - index, occurrence))
        while pending:
            yield heapq.heappop(pending)[3]

    def _regular_occurrence(self, ordinal: int, index: int) -> tuple[datetime, Occurrence] | None:
        """The rule's occurrence on that day; None if skipped or moved (moved ones are explicit)."""
        key = date.fromordinal(ordinal)
        if key in self._skipped or key in self._moved_to:
            return None
        if self.rotate:
            slot_time, zone = self._slots[index % len(self._slots)]
        else:
            slot_time, zone = self._schedule.time_of_day, self._zone
        start, start_utc = _localize(datetime.combine(key, slot_time), zone)
        return start_utc, Occurrence(key, start, index)

    def _explicit_occurrence(
        self, key: date, wall: datetime, index: int
    ) -> tuple[datetime, Occurrence]:
        start, start_utc = _localize(wall, self._zone)
        return start_utc, Occurrence(key, start, index)

    @_computed_once
    def _schedule(self) -> _Schedule:
        # Shared across equal rules: series rebuilt from storage on every tick still hit the cache.
        return _schedule_for(self.rrule, self.start, self.timezone)

    @_computed_once
    def _zone(self) -> ZoneInfo:
        return _zone("timezone", self.timezone)

    @_computed_once
    def _slots(self) -> list[tuple[time, ZoneInfo]]:
        return [
            (slot.time, _zone("rotate", slot.zone) if slot.zone else self._zone)
            for slot in self.rotate
        ]

    @_computed_once
    def _skipped(self) -> frozenset[date]:
        return frozenset(self.skip)

    @_computed_once
    def _moved_to(self) -> dict[date, datetime]:
        return dict(self.moved)

    @_computed_once
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
