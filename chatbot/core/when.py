"""`/meeting set when TEXT`: what people write about a meeting's timing -> an RRULE.

    read_when("every 3rd wednesday at 18:00 berlin", today=date(2026, 11, 29))
    -> When(rrule="FREQ=MONTHLY;BYDAY=3WE", start=2026-12-16 18:00, zone="Europe/Berlin")

The start is the first day the rule matches on or after `starting YYYY-MM-DD` (or
today), so "every other monday" counts its weeks from the first Monday meant, not from
a day the rule skips. A time zone is optional: without one, the series keeps its own.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from chatbot.core.recurrence import Recurrence, RecurrenceError, parse_rrule
from chatbot.core.timezones import UnknownZone, resolve_zone

__all__ = ["ACCEPTED_FORMS", "When", "WhenError", "read_when"]

ACCEPTED_FORMS = (
    "every 3rd wednesday at 18:00 (first, second, third, fourth, last)",
    "every other monday at 16:00",
    "every monday and thursday at 09:30",
    "weekdays at 09:30",
    "every month on the 1st at 17:00",
    "on 2026-12-03 at 11:00",
    "RRULE:FREQ=WEEKLY;BYDAY=MO at 09:30",
)
_HELP = (
    f"write it like {'; '.join(ACCEPTED_FORMS)}; "
    "a zone may follow the time (at 18:00 Europe/Berlin), and 'starting YYYY-MM-DD' may end it"
)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "last": -1,
}
_DAY = r"[a-z]+"
_TAIL = re.compile(r"^(?P<what>.+?)\s+at\s+(?P<time>\d{1,2}:\d{2})(?:\s+(?P<zone>.+))?$")
_STARTING = re.compile(r"\s+starting\s+(?P<day>\S+)(?=\s|$)")
_NTH_WEEKDAY = re.compile(
    rf"^every\s+(?P<nth>[a-z0-9]+)\s+(?P<day>{_DAY})(?:\s+of\s+(?:the|each|every)\s+month)?$"
)
_OTHER_WEEKDAY = re.compile(rf"^every\s+other\s+(?P<day>{_DAY})$")
_WEEKDAY_LIST = re.compile(rf"^(?:every|on)\s+(?P<days>{_DAY}(?:\s*(?:,|and)\s*{_DAY})*)$")
_DAILY = re.compile(r"^(?:every\s+day|daily)$")
_WEEKDAYS_ONLY = re.compile(r"^(?:every\s+)?weekdays?$")
_MONTH_DAY = re.compile(
    r"^every\s+month\s+on\s+the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+day)?$"
)
_ONE_OFF = re.compile(r"^on\s+(?P<day>\d{4}-\d{2}-\d{2})$")
_RAW_RRULE = re.compile(r"^(?:rrule:)?(?P<rule>freq=\S+)$")


class When(NamedTuple):
    """A series' timing: `rrule` None means a one-off meeting at `start`.

    `start` is a naive wall time in `zone`, or in the series' own zone when `zone` is None.
    """

    rrule: str | None
    start: datetime
    zone: str | None


class WhenError(ValueError):
    """One line saying what was not understood and how to write it."""


def read_when(text: str, *, today: date) -> When:
    """Read `/meeting set when TEXT`; raise WhenError with the accepted forms."""
    spoken = " ".join(str(text).split())
    spoken, starting = _take_starting(spoken)
    tail = _TAIL.match(spoken.lower())
    if not tail:
        raise WhenError(f"I could not read '{spoken}': {_HELP}")
    wall_time = _read_time(tail["time"])
    zone = _read_zone(tail["zone"]) if tail["zone"] else None
    what = tail["what"]

    one_off = _ONE_OFF.match(what)
    if one_off:
        if starting is not None:
            raise WhenError("a one-off meeting has its own date; leave out 'starting'")
        day = _read_date(one_off["day"])
        if day < today:
            raise WhenError(f"{day} has passed; give a date from {today} on")
        return When(None, datetime.combine(day, wall_time), zone)

    rrule = _rule_for(what, spoken)
    first_day = _first_matching_day(rrule, starting or today, wall_time)
    return When(rrule, datetime.combine(first_day, wall_time), zone)


def _take_starting(spoken: str) -> tuple[str, date | None]:
    """Cut `starting YYYY-MM-DD` out, wherever it stands."""
    found = _STARTING.search(" " + spoken)
    if not found:
        return spoken, None
    rest = (" " + spoken)[: found.start()] + (" " + spoken)[found.end():]
    return rest.strip(), _read_date(found["day"])


def _rule_for(what: str, spoken: str) -> str:
    if match := _RAW_RRULE.match(what):
        return _checked_rrule(match["rule"].upper())
    if _DAILY.match(what):
        return "FREQ=DAILY"
    if _WEEKDAYS_ONLY.match(what):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if match := _OTHER_WEEKDAY.match(what):
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={_weekday_code(match['day'], spoken)}"
    if match := _MONTH_DAY.match(what):
        day = int(match["day"])
        if not 1 <= day <= 31:
            raise WhenError(f"a month has no day {day}; pick one from 1 to 31")
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    if (match := _NTH_WEEKDAY.match(what)) and match["nth"] in _ORDINALS:
        nth = _ORDINALS[match["nth"]]
        return f"FREQ=MONTHLY;BYDAY={nth}{_weekday_code(match['day'], spoken)}"
    if match := _WEEKDAY_LIST.match(what):
        names = re.split(r"\s*(?:,|\band\b)\s*", match["days"])
        codes = sorted({_weekday_code(name, spoken) for name in names if name},
                       key=_RRULE_DAYS.index)
        return f"FREQ=WEEKLY;BYDAY={','.join(codes)}"
    raise WhenError(f"I could not read '{spoken}': {_HELP}")


def _weekday_code(word: str, spoken: str) -> str:
    """'wednesday', 'wednesdays' or 'wed' -> 'WE'."""
    singular = word[:-1] if word.endswith("s") and word[:-1] in _WEEKDAYS else word
    for name, code in zip(_WEEKDAYS, _RRULE_DAYS, strict=True):
        if singular == name or (len(singular) >= 3 and name.startswith(singular)):
            return code
    raise WhenError(f"'{word}' in '{spoken}' is not a day of the week: {_HELP}")


def _checked_rrule(rule: str) -> str:
    try:
        parse_rrule(rule)
    except RecurrenceError as error:
        raise WhenError(f"that RRULE does not work: {error.message}") from None
    return rule


def _read_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise WhenError(f"'{text}' is not a time of day; write it like 09:30 or 18:00")
    return time(hours, minutes)


def _read_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise WhenError(f"'{text}' is not a date; write it like 2026-12-03") from None


def _read_zone(text: str) -> str:
    try:
        return resolve_zone(text)
    except UnknownZone as error:
        raise WhenError(str(error)) from error


def _first_matching_day(rrule: str, on_or_after: date, wall_time: time) -> date:
    """The first day on or after `on_or_after` the rule, without its INTERVAL, matches."""
    every_period = ";".join(
        part for part in rrule.split(";") if not part.startswith("INTERVAL=")
    )
    # Only the day matters, so UTC stands in for the series' zone.
    probe = Recurrence(
        timezone="UTC", start=datetime.combine(on_or_after, wall_time), rrule=every_period
    )
    first = probe.upcoming(datetime.combine(on_or_after, time(0), tzinfo=UTC), 1,
                           inclusive=True)
    if not first:
        raise WhenError(f"that rule has no meeting on or after {on_or_after}; change it")
    return first[0].key
