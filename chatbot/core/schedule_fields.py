"""What a schedule file may hold: types, ranges and sizes, checked by pydantic.

Every value a file can give is bounded here, so that what `chatbot schedules check`
accepts can be computed, shown and stored by every command: a duration or offset
that overflows a date, a year past 2200, a COUNT or a list of `dates` too long to
expand, a newline in a name or link (a calendar line, a commit trailer), a link
that is not http(s). Cross-field rules (is a moved date an occurrence?) stay with
`Recurrence.validate`; this module only knows single values.

`validate_fields(data)` answers the model or the problems as (field, message) pairs.
"""

import datetime as dt
import functools
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from chatbot.core.hidden_text import visible_name, visible_text
from chatbot.core.recurrence import RotateSlot
from chatbot.core.timezones import is_zone

FIRST_YEAR, LAST_YEAR = 1970, 2200
MAX_DURATION = dt.timedelta(days=7)
MAX_REMINDER = dt.timedelta(days=60)
MAX_COUNT = 10_000  # occurrences a rule may name with COUNT
# A meeting at least every 10 years, so that listing many still ends before the year 9999.
MAX_INTERVAL = {"DAILY": 3660, "WEEKLY": 520, "MONTHLY": 120, "YEARLY": 10}
MAX_ENTRIES = 500  # each of dates, skip, moved
MAX_REMINDERS = 12
MAX_ZONES = MAX_SLOTS = 24
MAX_ADMINS = 100
MAX_PROBLEMS = 10  # lines reported per file
MAX_NAME, MAX_LINK, MAX_RULE, MAX_ID = 200, 2_000, 500, 100
PLATFORMS = ("console", "slack", "gitter")
SERIES_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
DEFAULT_DURATION = dt.timedelta(minutes=60)
DEFAULT_REMINDERS = ("7d", "1d", "1h", "0m")

_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DURATION = re.compile(r"\s*(\d+)\s*([mhd])\s*")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # categories Cc, Zl, Zp


def shown(value: object, limit: int = 40) -> str:
    """A value quoted for a problem line: one line, never longer than `limit`."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, dt.date | dt.time | float) or (
            isinstance(value, int) and abs(value) < 10**limit):
        text = str(value)
    else:
        text = type(value).__name__
    text = "".join(c if c.isprintable() else "?" for c in text)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def series_id_problem(stem: str) -> str | None:
    """Why a file name cannot be a series id (ids end up in paths, links and commands)."""
    if len(stem) > MAX_ID or not SERIES_ID.fullmatch(stem):
        return (f"file name {shown(stem)} cannot be a series id: use lowercase letters, "
                f"digits, - and _ (starting with a letter or digit), like binder-team.toml")
    return None


# ---- single values: each raises ValueError with what to write instead


def _text(value: object, limit: int, visible=visible_text) -> str:
    """Hidden characters are dropped as from everything people say in chat, so a file's
    text reads as it looks and matches what chat commands see."""
    if not isinstance(value, str):
        raise ValueError("must be a quoted string")
    text = visible(value).strip()
    if not text:
        raise ValueError("is empty; write some text in quotes")
    if len(text) > limit:
        raise ValueError(f"is longer than {limit} characters")
    if _CONTROL.search(text):
        raise ValueError("must be one line without control characters (no newlines or tabs)")
    return text


def line_of(limit: int):
    return lambda value: _text(value, limit)


def person(value: object) -> str:
    """An admin's user id or name, cleaned as chat cleans whoever speaks."""
    return _text(value, MAX_NAME, visible=visible_name)


def link(value: object) -> str:
    text = _text(value, MAX_LINK)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        raise ValueError(f"{shown(text)} is not a link like https://example.org/room")
    return text


MINUTES_STYLES = ("report", "cafe")  # built in: core/minutes.py, core/cafe.py
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")
MAX_PATH = 300


def minutes_style(value: object) -> str:
    """How the minutes are written: a built-in style, or a Jinja2 template's path
    (relative to the schedule file's folder)."""
    text = _text(value, MAX_PATH)
    if text in MINUTES_STYLES or text.endswith(TEMPLATE_SUFFIXES):
        return text
    raise ValueError(f'{shown(text)} is neither "report", "cafe" nor the path of a Jinja2 '
                     'template (ending in .j2), like minutes = "cafe"')


def zone(value: object) -> str:
    text = _text(value, 64)
    if not is_zone(text):
        raise ValueError(f"unknown timezone {shown(text)} (use an IANA name)")
    return text


def _in_years(moment: dt.date, value: object):
    _check_year(moment.year, value)
    return moment


def _check_year(year: int, value: object) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{shown(value)} is not between the years {FIRST_YEAR} and {LAST_YEAR}")


def _parsed(value: object, pattern: re.Pattern, parse, form: str):
    """Text in the one accepted form, parsed, within the years. The pattern comes first:
    fromisoformat alone accepts more forms, and is many times faster than strptime,
    which matters when thousands of files load at start."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{shown(value)} is not a {form}")
    try:
        moment = parse(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is not a real {form.split(' like')[0]}") from None
    return _in_years(moment, value)


def local_time(value: object) -> dt.datetime:
    """'2018-01-17T18:00' (or a TOML local date-time): a wall-clock time in the series' zone."""
    if not isinstance(value, dt.datetime):
        return _parsed(value, _LOCAL_TIME, dt.datetime.fromisoformat,
                       "local time like 2018-01-17T18:00")
    if value.tzinfo is not None:
        raise ValueError("must be a local time without an offset, like 2018-01-17T18:00")
    return _in_years(value, value)


def day(value: object) -> dt.date:
    """'2018-12-19' (or a TOML local date)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return _in_years(value, value)
    return _parsed(value, _DATE, dt.date.fromisoformat, "date like 2018-12-19")


def parse_offset(text: object) -> dt.timedelta:
    """'90m', '1h', '7d' -> timedelta; raises ValueError with the accepted forms."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{shown(text)} is not a duration like 60m, 1h or 7d")
    amount, unit = match.groups()
    if len(amount) > 9:  # more than any bound, and more than a timedelta holds
        raise ValueError(f"{shown(text)} is far too long")
    return dt.timedelta(**{_UNIT[unit]: int(amount)})


def _bounded_offset(lowest: dt.timedelta, highest: dt.timedelta, what: str):
    def check(value: object) -> dt.timedelta:
        offset = parse_offset(value)
        if not lowest <= offset <= highest:
            raise ValueError(f"{shown(value)} is not between {_span(lowest)} and "
                             f"{_span(highest)} {what}")
        return offset
    return check


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def rule(value: object) -> str:
    """The RRULE text, with the numbers it may give bounded (the rule itself is parsed by
    `Recurrence`): a COUNT or INTERVAL that no meeting needs, an UNTIL past 2200."""
    if not isinstance(value, str):
        raise ValueError("must be a quoted string")
    return _rule_text(value)


@functools.lru_cache(maxsize=4096)
def _rule_text(value: str) -> str:
    """`rule` for a string: thousands of series share a few rules (a hosted bot loads
    100,000 at start), so each text is read once."""
    text = _text(value, MAX_RULE)
    body = text.upper().removeprefix("RRULE:")
    pairs = [(name.strip(), setting.strip())
             for name, _, setting in (part.partition("=") for part in body.split(";"))]
    parts = dict(pairs)
    highest = {"COUNT": MAX_COUNT, "INTERVAL": MAX_INTERVAL.get(parts.get("FREQ"), MAX_COUNT)}
    for name, most in highest.items():
        number = parts.get(name, "").lstrip("+")
        if number.isdigit() and (len(number) > 9 or int(number) > most):
            raise ValueError(f"{name} may be at most {most}"
                             + (f" with FREQ={parts['FREQ']}" if name == "INTERVAL" else ""))
    until = parts.get("UNTIL", "")
    if until[:4].isdigit():
        _check_year(int(until[:4]), until)
    if len(parts) < len(pairs) or not all(name and setting for name, setting in pairs):
        return text  # malformed: `Recurrence` says which part
    # One spelling, as calendar programs read it in `chatbot ics` (FREQ first).
    return ";".join(f"{name}={setting}" for name, setting in
                    sorted(pairs, key=lambda pair: pair[0] != "FREQ"))


def rotate_slot(value: object) -> RotateSlot:
    """'09:00' or '09:00 America/Los_Angeles'."""
    parts = _text(value, 80).split()
    if len(parts) > 2:
        raise ValueError(f"{shown(value)} is not a slot like '09:00' or "
                         "'09:00 America/Los_Angeles'")
    try:
        time = dt.datetime.strptime(parts[0], "%H:%M").time()
    except ValueError:
        raise ValueError(f"{shown(parts[0])} is not a time like 09:00") from None
    slot_zone = zone(parts[1]) if len(parts) == 2 else None
    return RotateSlot(time=time, zone=slot_zone)


def moved_table(value: object) -> tuple[tuple[dt.date, dt.datetime], ...]:
    if not isinstance(value, dict):
        raise ValueError('must be a table like moved = { "2018-12-19" = "2018-12-12T18:00" }')
    if len(value) > MAX_ENTRIES:
        raise ValueError(f"may move at most {MAX_ENTRIES} meetings")
    return tuple((day(original), local_time(new)) for original, new in value.items())


def channel_table(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('must be a table like [channels] console = "binder-team"')
    unknown = [key for key in value if key not in PLATFORMS]
    if unknown:
        raise ValueError(f"unknown platform {shown(unknown[0])} (use {', '.join(PLATFORMS)})")
    return {platform: _text(channel, MAX_NAME) for platform, channel in value.items()}


# PlainValidator: the type is exactly what the function checks, no coercion of pydantic's.
Line = Annotated[str, PlainValidator(line_of(MAX_NAME))]
Person = Annotated[str, PlainValidator(person)]
LocalTime = Annotated[dt.datetime, PlainValidator(local_time)]
Day = Annotated[dt.date, PlainValidator(day)]
Duration = Annotated[dt.timedelta, PlainValidator(
    _bounded_offset(dt.timedelta(minutes=1), MAX_DURATION, "long"))]
Reminder = Annotated[dt.timedelta, PlainValidator(
    _bounded_offset(dt.timedelta(0), MAX_REMINDER, "before the start"))]


class ScheduleFields(BaseModel):
    """One schedule file's keys, each typed and bounded (see schedules/README.md)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True,
                              arbitrary_types_allowed=True)

    name: Line
    timezone: Annotated[str, PlainValidator(zone)]
    start: LocalTime
    rrule: Annotated[str | None, PlainValidator(rule)] = None
    duration: Duration = DEFAULT_DURATION
    video: Annotated[str, PlainValidator(link)] = ""
    notes: Annotated[str, PlainValidator(link)] = ""
    dates: Annotated[list[LocalTime], Field(max_length=MAX_ENTRIES)] = ()
    skip: Annotated[list[Day], Field(max_length=MAX_ENTRIES)] = ()
    moved: Annotated[tuple, PlainValidator(moved_table)] = ()
    rotate: Annotated[list[Annotated[RotateSlot, PlainValidator(rotate_slot)]],
                      Field(max_length=MAX_SLOTS)] = ()
    reminders: Annotated[list[Reminder], Field(max_length=MAX_REMINDERS)] = tuple(
        parse_offset(text) for text in DEFAULT_REMINDERS)
    zones: Annotated[list[Annotated[str, PlainValidator(zone)]], Field(max_length=MAX_ZONES)] = ()
    admins: Annotated[list[Person], Field(max_length=MAX_ADMINS)] = ()
    public: bool = False
    auto_skip_empty: bool = False
    channels: Annotated[dict, PlainValidator(channel_table)] = Field(default_factory=dict)
    minutes: Annotated[str, PlainValidator(minutes_style)] = "report"


# What pydantic's own checks mean, said as what to write instead.
_EXAMPLES = {
    "name": 'name = "Team Meeting"', "timezone": 'timezone = "Europe/Berlin"',
    "start": 'start = "2018-01-17T18:00"',
}
_MESSAGES = {
    "bool_type": "must be true or false, without quotes",
    "list_type": "must be a list, like {field} = [...]",
    "extra_forbidden": "unknown key (see schedules/README.md)",
    "too_long": "may have at most {max_length} entries",
}


def _problem(error: dict[str, Any]) -> tuple[str, str]:
    field, *inside = error["loc"] or ("file",)
    kind = error["type"]
    if kind == "missing":
        message = f"missing; add it like {_EXAMPLES.get(field, field)}"
    elif kind == "value_error":
        message = str(error["ctx"]["error"])
    elif kind in _MESSAGES:
        message = _MESSAGES[kind].format(field=field, **error.get("ctx", {}))
    else:
        message = error["msg"]
    where = "".join(f"entry {step + 1}: " if isinstance(step, int) else f"{shown(step)}: "
                    for step in inside)
    return str(field), where + message


def validate_fields(data: dict) -> tuple[ScheduleFields | None, list[tuple[str, str]]]:
    """The file's fields, or every problem found as (field, message)."""
    try:
        return ScheduleFields.model_validate(data), []
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors(include_url=False, include_input=False)]
    if len(problems) > MAX_PROBLEMS:  # one file must not flood `check` or the log
        more = len(problems) - MAX_PROBLEMS + 1
        problems[MAX_PROBLEMS - 1:] = [("file", f"and {more} more problems like these")]
    return None, problems
