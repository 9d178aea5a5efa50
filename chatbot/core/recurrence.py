"""Occurrences of a meeting series, on python-dateutil's ``rrule``.

A series is an RFC 5545 RRULE expanded in *local wall-clock time* of the
series' zone, then pinned to real instants. Local times are resolved the way
RFC 5545 (3.3.5) asks: a wall time skipped by a DST gap is read with the UTC
offset from before the gap, a repeated one happens once, at its first instant.
``zoneinfo`` with ``fold=0`` does exactly that.

dateutil expands the rule, but not from DTSTART: walking from there costs
time in proportion to a series' age. A query re-anchors the rule at the
start of the FREQ period that holds the query day (a whole number of
INTERVALs after the first period, so "every other week" keeps its phase),
with every BYxxx part that dateutil would take from DTSTART pinned, so the
re-anchored rule yields exactly the dates the original yields from there.
The 0-based index of an occurrence (for COUNT and for rotating start times)
is arithmetic whenever the number of occurrences per period repeats in a
fixed cycle, which covers the rules meetings use (weekly, every N weeks,
"3rd Wednesday", "last weekday of the month", weekdays, yearly on a date...).
For other rules ("FREQ=MONTHLY;BYDAY=5WE") it is counted on one walk from
the start, kept per rule.

Occurrences are identified by their local date (``Occurrence.key``), so a
rule may yield at most one occurrence per day: sub-daily frequencies, several
BYHOUR/BYMINUTE/BYSECOND values and BYWEEKNO are rejected. As in dateutil, a
``start`` that does not match the rule only anchors it. COUNT and UNTIL are
applied here, not by dateutil: a date-only UNTIL includes that whole local
day, "...Z" compares instants, a floating UNTIL compares local wall times.
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, islice, takewhile
from math import gcd
from threading import Lock
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du

__all__ = ["Occurrence", "Recurrence", "RecurrenceError", "RotateSlot", "RuleParts", "parse_rrule"]

YEARLY, MONTHLY, WEEKLY, DAILY = "YEARLY", "MONTHLY", "WEEKLY", "DAILY"
_DATEUTIL_FREQ = {YEARLY: du.YEARLY, MONTHLY: du.MONTHLY, WEEKLY: du.WEEKLY, DAILY: du.DAILY}
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_LIMIT_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYSETPOS"}
_BY_PARTS = {"BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY", "BYHOUR", "BYMINUTE",
             "BYSECOND"}

# The Gregorian calendar (weekdays included) repeats every 400 years, 146,097 days.
_CALENDAR_REPEAT_DAYS = 146_097
# Going back, periods are expanded this many at a time (about a month's worth).
_PERIODS_PER_STEP_BACK = {YEARLY: 1, MONTHLY: 1, WEEKLY: 4, DAILY: 28}
# An occurrence keyed on local date D starts within (D - 1 day, D + 2 days) in UTC
# (Python keeps UTC offsets within +-24 h), whatever zone its rotate slot uses.
_KEY_SLACK_DAYS = 1
# Rules are expanded up to here, so that a start a day or two later still fits a datetime.
_LAST_SCANNED_DAY = date(9999, 12, 1).toordinal()
_ORDINAL_ONE_UTC = datetime(1, 1, 1, tzinfo=UTC)


class _computed_once:
    """A cached property without the per-class lock functools takes in Python 3.11;
    it stores the value in the instance ``__dict__`` (frozen dataclasses too)."""

    def __init__(self, compute: Callable) -> None:
        self.compute, self.name = compute, compute.__name__

    def __get__(self, instance: object, owner: type | None = None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
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
# RRULE parsing: our own, for one clear line per mistake (dateutil's rrulestr
# accepts sub-daily rules and reports others as Python errors).


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
        if name not in _LIMIT_PARTS | _BY_PARTS:
            raise RecurrenceError("rrule", f"unknown part {name!r}")
        if name in raw:
            raise RecurrenceError("rrule", f"{name} is given twice")
        raw[name] = value
    return raw


def _parse_freq(raw: dict[str, str]) -> str:
    freq = raw.get("FREQ")
    if freq is None:
        raise RecurrenceError("rrule", "FREQ is required")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise RecurrenceError(
            "rrule",
            f"FREQ={freq} is not supported: occurrences are keyed by date, at most one a day",
        )
    if freq not in _DATEUTIL_FREQ:
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
    if parts.bysetpos and not set(raw) & _BY_PARTS:
        raise RecurrenceError("rrule", "BYSETPOS needs another BYxxx part to pick from")




# --------------------------------------------------------------------------
# Instants


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


def _pinned_parts(parts: RuleParts, start: datetime) -> dict:
    """dateutil's rrule arguments but DTSTART, with what the rule leaves to DTSTART
    (RFC 5545 3.3.10, read as dateutil reads it) written out, so that the rule can
    be re-anchored at any period and still mean the same."""
    bymonth, bymonthday, byday = parts.bymonth, parts.bymonthday, parts.byday
    if not (parts.byyearday or bymonthday or byday):
        if parts.freq == YEARLY:
            bymonth, bymonthday = bymonth or (start.month,), (start.day,)
        elif parts.freq == MONTHLY:
            bymonthday = (start.day,)
        elif parts.freq == WEEKLY:
            byday = ((start.weekday(), None),)
    return {
        "interval": parts.interval, "wkst": parts.wkst, "bymonth": bymonth or None,
        "bymonthday": bymonthday or None, "byyearday": parts.byyearday or None,
        "byweekday": tuple(du.weekday(day, position) for day, position in byday) or None,
        "bysetpos": parts.bysetpos or None,
        "byhour": start.hour if parts.byhour is None else parts.byhour,
        "byminute": start.minute if parts.byminute is None else parts.byminute,
        "bysecond": start.second if parts.bysecond is None else parts.bysecond,
    }  # fmt: skip


def _same_sign_within(values, limit: int) -> bool:
    values = list(values or ())
    return bool(values) and (
        all(0 < v <= limit for v in values) or all(-limit <= v < 0 for v in values)
    )


def _cycle_length(freq: str, pinned: dict) -> int | None:
    """Periods after which the number of dates per period repeats, if it does.

    It does when the count depends only on the month of the year or the weekday
    the period starts on; then the index of any occurrence is arithmetic.
    """
    months, monthdays = pinned["bymonth"], pinned["bymonthday"]
    yeardays, setpos = pinned["byyearday"], pinned["bysetpos"]
    weekdays = pinned["byweekday"] or ()
    every = [day for day in weekdays if day.n is None]
    positions = [day.n for day in weekdays if day.n is not None]
    # Positions count within the month here: MONTHLY, or YEARLY narrowed by BYMONTH.
    month_fixed = not yeardays and (
        _same_sign_within(monthdays, 28) and not weekdays  # every month has days 1..28
        or not monthdays and not every and _same_sign_within(positions, 4)
    )
    if freq == DAILY:
        return None if months or monthdays else 7 if weekdays else 1
    if freq == WEEKLY:
        return None if months else 1
    if freq == MONTHLY:
        # E.g. "last weekday of the month": BYSETPOS picks among 4 or more of each weekday.
        picks_fixed = bool(setpos and every and not positions and not monthdays) and (
            _same_sign_within(setpos, 4 * len(every))
        )
        if not (month_fixed or picks_fixed):
            return None
        return 12 // gcd(12, pinned["interval"]) if months else 1
    if months or monthdays:
        return 1 if month_fixed else None
    if yeardays:
        return 1 if not weekdays and _same_sign_within(yeardays, 365) else None
    return 1 if not every and _same_sign_within(positions, 52) else None


class _Schedule:
    """Dates of a rule by FREQ period, from dateutil re-anchored near the query.

    Periods are numbered on an absolute scale (years, months since year 0,
    weeks since ordinal 1 aligned on WKST, day ordinals); the rule's periods
    are ``first_period + n * interval``. Days are proleptic Gregorian ordinals.
    """

    def __init__(self, parts: RuleParts, start: datetime, zone: ZoneInfo) -> None:
        start = start.replace(microsecond=0)  # RRULE times have whole seconds (as in dateutil)
        self.freq, self.interval, self.wkst = parts.freq, parts.interval, parts.wkst
        self.count, self.until, self.zone = parts.count, parts.until, zone
        self.start = start
        self.pinned = _pinned_parts(parts, start)
        self.time_of_day = time(*(self.pinned[n] for n in ("byhour", "byminute", "bysecond")))
        self.first_rule = self._rule(start)
        self.first_period = self.period_of(start.toordinal())
        self.last_period = self.period_of(_LAST_SCANNED_DAY)
        self._walked = array("l")  # days of the walk from the start, for irregular counts
        self._walk = iter(self.first_rule)
        self._walk_lock = Lock()  # one walker at a time: generators are not thread-safe
        self._anchored: dict[int, du.rrule] = {}  # recent re-anchored rules by first day
        # dateutil searches a rule with no date up to year 9999. Shifted by whole 400-year
        # cycles (same weekdays, same leap years) to start at most 400 * (INTERVAL + 1)
        # years before that, a search meets every phase of the calendar and still stops.
        self._shift_days = _CALENDAR_REPEAT_DAYS * max(
            0, (9999 - start.year - 400 * self.interval) // 400
        )

    def _rule(self, anchor: datetime) -> du.rrule:
        return du.rrule(_DATEUTIL_FREQ[self.freq], dtstart=anchor, **self.pinned)

    # ---- periods

    def period_of(self, ordinal: int) -> int:
        if self.freq == DAILY:
            return ordinal
        if self.freq == WEEKLY:
            return (ordinal - 1 - self.wkst) // 7
        day = date.fromordinal(ordinal)
        return day.year * 12 + day.month - 1 if self.freq == MONTHLY else day.year

    def period_start(self, period: int) -> int:
        """The first day of a period (a day past the last one for periods beyond year 9999)."""
        if self.freq == DAILY:
            return period
        if self.freq == WEEKLY:
            return period * 7 + 1 + self.wkst
        year, month = (period, 1) if self.freq == YEARLY else divmod(period, 12)
        if year > 9999:
            return date.max.toordinal() + 1
        return date(year, month + (self.freq == MONTHLY), 1).toordinal()

    def next_valid_period(self, period: int) -> int:
        if period <= self.first_period:
            return self.first_period
        steps = -(-(period - self.first_period) // self.interval)
        return self.first_period + steps * self.interval

    def previous_valid_period(self, period: int) -> int | None:
        if period < self.first_period:
            return None
        return self.first_period + (period - self.first_period) // self.interval * self.interval

    def rule_from(self, period: int) -> du.rrule:
        """dateutil's rule from the start of a valid ``period`` on: re-anchored there."""
        if period <= self.first_period:
            return self.first_rule  # its first period starts at the start, not before
        first_day = self.period_start(period)
        rule = self._anchored.get(first_day)
        if rule is None:
            if len(self._anchored) >= 8:
                self._anchored.clear()
            rule = self._anchored[first_day] = self._rule(datetime.fromordinal(first_day))
        return rule

    def days_in(self, period: int, periods: int = 1, rule: du.rrule | None = None) -> list[int]:
        """Occurring days (limits ignored) of ``periods`` valid periods from ``period`` on."""
        end = self.period_start(period + periods * self.interval)
        days = (wall.toordinal() for wall in rule or self.rule_from(period))
        return list(takewhile(end.__gt__, days))

    # ---- the index: occurrences before a period

    @_computed_once
    def _cycle_prefix(self) -> list[int] | None:
        """Running counts over one cycle of whole periods from the first one, if counts repeat."""
        cycle = _cycle_length(self.freq, self.pinned)
        if cycle is None:
            return None
        first, shift = self.first_period, self._shift_days
        end = self.period_start(first + cycle * self.interval)
        counts = [0] * cycle
        for wall in self._rule(datetime.fromordinal(self.period_start(first) + shift)):
            day = wall.toordinal() - shift
            if day >= end:
                break
            counts[(self.period_of(day) - first) // self.interval] += 1
        # The first period starts at the start: days before it are not occurrences.
        self._dropped_before_start = counts[0] and counts[0] - len(self.days_in(first))
        return list(accumulate(counts, initial=0))

    def count_before(self, period: int) -> int:
        """Occurrences (COUNT and UNTIL ignored) in the rule's periods before ``period``."""
        passed = (period - self.first_period) // self.interval
        if passed <= 0:
            return 0
        prefix = self._cycle_prefix
        if prefix is None:
            first_day = self.period_start(period)
            return bisect_left(self._walked_through(first_day), first_day)
        whole_cycles, rest = divmod(passed, len(prefix) - 1)
        return whole_cycles * prefix[-1] + prefix[rest] - self._dropped_before_start

    def _walked_through(self, day: int, count: int = 0) -> array:
        """The walk from the start, taken on until it passes ``day`` and holds ``count`` days."""
        with self._walk_lock:
            walked = self._walked
            while not walked or walked[-1] < day or len(walked) < count:
                wall = next(self._walk, None)
                if wall is None:
                    break
                walked.append(wall.toordinal())
            return walked

    # ---- limits

    @_computed_once
    def final_period(self) -> int | None:
        """A period at or after the last occurrence; None if the series is endless."""
        if self.until is not None:
            return self.period_of(min(self.until.toordinal() + 1, _LAST_SCANNED_DAY))
        if self.count is None:
            return None
        prefix = self._cycle_prefix
        if prefix is None:
            walked = self._walked_through(0, self.count)
            return self.period_of(walked[self.count - 1]) if len(walked) >= self.count else None
        if not prefix[-1]:
            return None
        # The count-th occurrence, counted over whole periods from the first one.
        whole_cycles, rest = divmod(self.count - 1 + self._dropped_before_start, prefix[-1])
        passed = whole_cycles * (len(prefix) - 1) + bisect_right(prefix, rest) - 1
        return self.first_period + passed * self.interval

    def within_limits(self, ordinal: int, index: int) -> bool:
        if self.count is not None:
            return index < self.count
        if self.until is None:
            return True
        if not isinstance(self.until, datetime):
            return ordinal <= self.until.toordinal()
        wall = datetime.combine(date.fromordinal(ordinal), self.time_of_day)
        if self.until.tzinfo is None:
            return wall <= self.until
        return _localize(wall, self.zone)[1] <= self.until

    @_computed_once
    def has_occurrence(self) -> bool:
        """Does the rule produce an occurrence at all (within its limits)?"""
        setpos, weekdays = self.pinned["bysetpos"], self.pinned["byweekday"] or ()
        most_per_period = {YEARLY: 366, MONTHLY: 31, WEEKLY: len(weekdays), DAILY: 1}[self.freq]
        if setpos and min(map(abs, setpos)) > most_per_period:
            return False  # the quick answer for a common slip: positions past the period's dates
        prefix = self._cycle_prefix
        if prefix is None:
            shifted = self._rule(self.start + timedelta(days=self._shift_days))
            if next(iter(shifted), None) is None:
                return False
        elif not prefix[-1]:
            return False
        return next(self.dates_from(self.start.toordinal()), None) is not None

    # ---- iteration over occurring dates

    def dates_from(self, first_wanted: int) -> Iterator[tuple[int, int]]:
        """(ordinal, index) of occurrences on or after day ``first_wanted``, ascending."""
        period = self.next_valid_period(self.period_of(first_wanted))
        final = self.final_period
        if period > self.last_period or (final is not None and period > final):
            return
        index = self.count_before(period)
        for wall in self.rule_from(period):
            ordinal = wall.toordinal()
            if ordinal > _LAST_SCANNED_DAY or not self.within_limits(ordinal, index):
                return
            if ordinal >= first_wanted:
                yield ordinal, index
            index += 1

    def dates_until(self, last_wanted: int) -> Iterator[tuple[int, int]]:
        """(ordinal, index) of occurrences on or before day ``last_wanted``, descending."""
        period = self.period_of(min(last_wanted, _LAST_SCANNED_DAY))
        if self.final_period is not None:
            period = min(period, self.final_period)
        period = self.previous_valid_period(period)
        span = 1  # the period holding the day first, then about a month's worth at a time
        while period is not None and period >= self.first_period:
            low = max(self.first_period, period - (span - 1) * self.interval)
            span = _PERIODS_PER_STEP_BACK[self.freq]
            days = self.days_in(low, (period - low) // self.interval + 1)
            first_index = self.count_before(low)
            for offset in range(len(days) - 1, -1, -1):
                ordinal, index = days[offset], first_index + offset
                if ordinal <= last_wanted and self.within_limits(ordinal, index):
                    yield ordinal, index
            period = low - self.interval

    def index_of(self, ordinal: int) -> int | None:
        """Index of the occurrence on that day, or None if the rule has none."""
        period = self.period_of(ordinal)
        if period < self.first_period or (period - self.first_period) % self.interval:
            return None
        days = self.days_in(period)
        if ordinal not in days:
            return None
        index = self.count_before(period) + days.index(ordinal)
        return index if self.within_limits(ordinal, index) else None


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
