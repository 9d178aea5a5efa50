"""The dates a rule yields, by FREQ period, from python-dateutil's ``rrule``.

dateutil walks a rule forward from DTSTART, so its cost grows with a series'
age. Here a query re-anchors the rule at the start of the FREQ period that
holds the query day (a whole number of INTERVALs after the first period, so
"every other week" keeps its phase), with every BYxxx part that dateutil would
take from DTSTART written out, so the re-anchored rule yields exactly the dates
the original yields from there on.

The 0-based index of a date (for COUNT and for rotating start times) is
arithmetic whenever the number of dates per period repeats in a fixed cycle,
which covers the rules meetings use (weekly, every N weeks, "3rd Wednesday",
"last weekday of the month", weekdays, yearly on a date...). For other rules
("FREQ=MONTHLY;BYDAY=5WE") it is counted on one walk from the start, kept.

COUNT and UNTIL are applied here, not by dateutil: a date-only UNTIL includes
that whole local day, "...Z" compares instants, a floating UNTIL compares
local wall times. Days are proleptic Gregorian ordinals (``date.toordinal``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, takewhile
from math import gcd
from threading import Lock
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from chatbot.core.rrule_text import DAILY, MONTHLY, WEEKLY, YEARLY, RuleParts, parse_rrule

_DATEUTIL_FREQ = {YEARLY: du.YEARLY, MONTHLY: du.MONTHLY, WEEKLY: du.WEEKLY, DAILY: du.DAILY}
# The Gregorian calendar (weekdays included) repeats every 400 years, 146,097 days.
_CALENDAR_REPEAT_DAYS = 146_097
# Going back, periods are expanded this many at a time (about a month's worth).
_PERIODS_PER_STEP_BACK = {YEARLY: 1, MONTHLY: 1, WEEKLY: 4, DAILY: 28}
# Periods whose days are kept per rule: those "now" is asked about over and over.
_PERIODS_KEPT = 6
# Rules are expanded up to here, so that a start a day or two later still fits a datetime.
_LAST_SCANNED_DAY = date(9999, 12, 1).toordinal()


class computed_once:
    """A cached property without the per-class lock functools takes in Python 3.11;
    it stores the value in the instance ``__dict__`` (frozen dataclasses too)."""

    def __init__(self, compute: Callable) -> None:
        self.compute, self.name = compute, compute.__name__

    def __get__(self, instance: object, owner: type | None = None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


def localize(day: date, wall_time: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Pin a wall time on a day to (aware local, aware UTC) per RFC 5545 DST rules.

    fold=0 reads a time that falls in a DST gap with the offset from before
    the gap (02:30 -> 03:30 summer time) and picks the first of a repeated
    time; converting through UTC normalises the gap case to a real wall time.
    """
    if wall_time.fold:
        wall_time = wall_time.replace(fold=0)
    start_utc = datetime.combine(day, wall_time, zone).astimezone(UTC)
    return start_utc.astimezone(zone), start_utc


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


def _month_fixed(pinned: dict) -> bool:
    """Whether every month holds as many of the rule's days as any other: days 1..28
    (each month has them), or the 1st-4th (or last-4th) of weekdays. Positions count
    within the month here: MONTHLY, or YEARLY narrowed by BYMONTH."""
    monthdays, weekdays = pinned["bymonthday"], pinned["byweekday"] or ()
    positions = [day.n for day in weekdays if day.n is not None]
    return not pinned["byyearday"] and (
        _same_sign_within(monthdays, 28) and not weekdays
        or not monthdays and len(positions) == len(weekdays) and _same_sign_within(positions, 4)
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
    month_fixed = _month_fixed(pinned)
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


def _every_period_has_a_date(freq: str, pinned: dict) -> bool:
    """Whether every period surely holds a date of the rule: each week has every
    weekday, each month days 1 to 28 and four of each weekday. The common rules, whose
    check at load then needs no walk over a cycle of periods."""
    months, monthdays, weekdays = pinned["bymonth"], pinned["bymonthday"], pinned["byweekday"]
    if months or pinned["byyearday"] or pinned["bysetpos"]:
        return False
    if freq == WEEKLY:
        return bool(weekdays)
    every_weekday = not monthdays and any(day.n is None for day in weekdays or ())
    return freq == MONTHLY and (_month_fixed(pinned) or every_weekday)


class RuleDates:
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
        self.first_rule = du.rrule(_DATEUTIL_FREQ[self.freq], dtstart=start, **self.pinned)
        self.first_period = self.period_of(start.toordinal())
        self.last_period = self.period_of(_LAST_SCANNED_DAY)
        self._walked = array("l")  # days of the walk from the start, for irregular counts
        self._walk: Iterator[datetime] | None = None  # made on first use: most rules never walk
        self._walk_lock = Lock()  # one walker at a time: generators are not thread-safe
        self._expanded: dict[int, tuple[int, ...]] = {}  # a few periods' days, kept
        # dateutil searches a rule with no date up to year 9999. Shifted by whole 400-year
        # cycles (same weekdays, same leap years) to start at most 400 * (INTERVAL + 1)
        # years before that, a search meets every phase of the calendar and still stops.
        self._shift_days = _CALENDAR_REPEAT_DAYS * max(
            0, (9999 - start.year - 400 * self.interval) // 400
        )

    def _rule(self, anchor: datetime) -> du.rrule:
        """dateutil's rule from ``anchor`` on: the first rule with another DTSTART.

        With every BY part pinned, DTSTART is all an rrule takes from its start, so a
        copy with it replaced is the rule dateutil would build, for a fifth of the cost
        (tests/test_recurrence.py compares the two, for the installed dateutil)."""
        rule = object.__new__(du.rrule)
        rule.__dict__.update(self.first_rule.__dict__)
        rule._dtstart = anchor
        return rule

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
        year, month = (period, 1) if self.freq == YEARLY else (period // 12, period % 12 + 1)
        if year > 9999:
            return date.max.toordinal() + 1
        return date(year, month, 1).toordinal()

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
        return self._rule(datetime.fromordinal(self.period_start(period)))

    def periods_from(self, period: int) -> Iterator[tuple[int, tuple[int, ...]]]:
        """Each valid period from ``period`` on that holds days of the rule, with its days.

        Periods kept are read back; the rest come from one dateutil pass, which keeps
        the periods it completes (the last few: "now" is asked about over and over).
        A period whose size is known is given out as soon as its last day is, before
        dateutil works out the next one, which the caller may not need.
        """
        while (kept := self._expanded.get(period)) is not None:
            yield period, kept
            period += self.interval
        current, days, end, size = period, [], 0, None
        for wall in self.rule_from(period):
            day = wall.toordinal()
            if days and day >= end:  # a period of unknown size ended
                yield current, self._keep(current, days)
                days = []
            if not days:
                current = self.period_of(day)
                end, size = self.period_start(current + self.interval), self._size_of(current)
            days.append(day)
            if len(days) == size:
                yield current, self._keep(current, days)
                days = []
        if days:
            yield current, self._keep(current, days)

    def _keep(self, period: int, days: list[int]) -> tuple[int, ...]:
        """Keep a period's days, as a tuple: the collector stops tracking a tuple of ints,
        so a full collection (slow in a large process) does not come sooner."""
        if len(self._expanded) >= _PERIODS_KEPT:
            self._expanded.clear()
        kept = self._expanded[period] = tuple(days)
        return kept

    def expand(self, period: int) -> tuple[int, ...]:
        """The days of a valid period."""
        kept = self._expanded.get(period)
        if kept is not None or self._size_of(period) == 0:
            return kept or ()
        for found, days in self.periods_from(period):
            return days if found == period else ()
        return ()

    def days_in(self, period: int, periods: int = 1) -> list[int]:
        """Occurring days (limits ignored) of ``periods`` valid periods from ``period`` on."""
        end = self.period_start(period + periods * self.interval)
        days = (wall.toordinal() for wall in self.rule_from(period))
        return list(takewhile(end.__gt__, days))

    # ---- the index: occurrences before a period

    @computed_once
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

    def _size_of(self, period: int) -> int | None:
        """How many days a valid period holds (limits ignored), if the counts repeat."""
        prefix = self._cycle_prefix
        if prefix is None:
            return None
        passed = (period - self.first_period) // self.interval
        rest = passed % (len(prefix) - 1)
        size = prefix[rest + 1] - prefix[rest]
        return size - self._dropped_before_start if passed == 0 else size

    def _walked_through(self, day: int, count: int = 0) -> array:
        """The walk from the start, taken on until it passes ``day`` and holds ``count`` days."""
        with self._walk_lock:
            walked = self._walked
            if self._walk is None:
                self._walk = iter(self.first_rule)
            while not walked or walked[-1] < day or len(walked) < count:
                wall = next(self._walk, None)
                if wall is None:
                    break
                walked.append(wall.toordinal())
            return walked

    # ---- limits

    @computed_once
    def final_period(self) -> int | None:
        """A period at or after the last occurrence; None if the series is endless."""
        if self.until is not None:  # a day on: "...Z" may fall on the next local day
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
        day = date.fromordinal(ordinal)
        if self.until.tzinfo is None:
            return datetime.combine(day, self.time_of_day) <= self.until
        return localize(day, self.time_of_day, self.zone)[1] <= self.until

    @computed_once
    def has_occurrence(self) -> bool:
        """Does the rule produce an occurrence at all (within its limits)?"""
        setpos, weekdays = self.pinned["bysetpos"], self.pinned["byweekday"] or ()
        most_per_period = {YEARLY: 366, MONTHLY: 31, WEEKLY: len(weekdays), DAILY: 1}[self.freq]
        if setpos and min(map(abs, setpos)) > most_per_period:
            return False  # the quick answer for a common slip: positions past the period's dates
        if self.until is None and _every_period_has_a_date(self.freq, self.pinned):
            # Sure without a walk (at load, for every series): the periods from the
            # start's on each hold a date, and a COUNT counts from the first of them.
            return True
        prefix = self._cycle_prefix
        if prefix is None:
            shifted = self._rule(self.start + timedelta(days=self._shift_days))
            if next(iter(shifted), None) is None:
                return False
        elif not prefix[-1]:
            return False
        return any(index is not None for _, index in self.dates_from(self.start.toordinal()))

    # ---- iteration over occurring dates

    def dates_from(self, first_wanted: int) -> Iterator[tuple[int, int | None]]:
        """(ordinal, index) of occurrences on or after day ``first_wanted``, ascending.

        After each period comes (first day of the next period, None): no occurrence
        lies before that day, said before dateutil works the next period out.
        """
        period = self.next_valid_period(self.period_of(max(first_wanted, self.start.toordinal())))
        final = self.final_period
        if period > self.last_period or (final is not None and period > final):
            return
        index = self.count_before(period)
        for current, days in self.periods_from(period):
            for ordinal in days:
                if ordinal > _LAST_SCANNED_DAY or not self.within_limits(ordinal, index):
                    return
                if ordinal >= first_wanted:
                    yield ordinal, index
                index += 1
            yield self.period_start(current + self.interval), None

    def dates_until(self, last_wanted: int) -> Iterator[tuple[int, int]]:
        """(ordinal, index) of occurrences on or before day ``last_wanted``, descending."""
        if last_wanted < self.start.toordinal():
            return
        period = self.period_of(min(last_wanted, _LAST_SCANNED_DAY))
        if self.final_period is not None:
            period = min(period, self.final_period)
        period = self.previous_valid_period(period)
        steps = 0
        while period is not None and period >= self.first_period:
            if steps < 2:  # the period holding the day and the one before: kept, asked often
                low, days = period, self.expand(period)
            else:  # then about a month's worth at a time
                step_back = (_PERIODS_PER_STEP_BACK[self.freq] - 1) * self.interval
                low = max(self.first_period, period - step_back)
                days = self.days_in(low, (period - low) // self.interval + 1)
            steps += 1
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
        days = self.expand(period)
        if ordinal not in days:
            return None
        index = self.count_before(period) + days.index(ordinal)
        return index if self.within_limits(ordinal, index) else None


@lru_cache(maxsize=4096)
def rule_dates(rrule: str | None, start: datetime, zone: ZoneInfo) -> RuleDates:
    """Shared across equal rules (a schedule file reloaded, a chat series read again after
    a change). Small: each series keeps its own; a larger cache only kept the expanded
    periods of 100,000 series alive twice over (220 MB on a hosted bot)."""
    # A one-off is the one-occurrence rule anchored at its start.
    parts = parse_rrule(rrule) if rrule is not None else RuleParts(freq=DAILY, count=1)
    return RuleDates(parts, start, zone)
