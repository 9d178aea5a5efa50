"""RRULE text -> ``RuleParts``: what a schedule file's ``rrule`` says, checked.

Our own reader rather than dateutil's ``rrulestr``: a schedule file's author gets
one line saying which part is wrong and why (``rrulestr`` reports many mistakes
as Python errors and accepts rules this bot cannot key by date: sub-daily ones,
several times a day, BYWEEKNO). ``recurrence.py`` hands the parts to dateutil.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

YEARLY, MONTHLY, WEEKLY, DAILY = "YEARLY", "MONTHLY", "WEEKLY", "DAILY"
FREQUENCIES = (YEARLY, MONTHLY, WEEKLY, DAILY)
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_LIMIT_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYSETPOS"}
_BY_PARTS = {"BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY", "BYHOUR", "BYMINUTE",
             "BYSECOND"}


class RecurrenceError(ValueError):
    """A recurrence field is invalid; ``field`` names it, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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
    if freq not in FREQUENCIES:
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
