"""How instants and days are shown to people: the only formatter, built on arrow.

Times are always shown in a named zone, with its abbreviation. Names of days and
months come from arrow's English locale, never from the machine's locale, so chat
replies, reminders, the page and the minutes read the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools

import arrow

from chatbot.core.timezones import zone_info


def in_zone(instant: dt.datetime, zone: str) -> dt.datetime:
    return instant.astimezone(zone_info(zone))


def _arrow(moment: dt.date) -> arrow.Arrow:
    if isinstance(moment, dt.datetime):
        return arrow.Arrow.fromdatetime(moment)
    return arrow.Arrow.fromdate(moment)


def abbreviation(local: dt.datetime, *, spell_offset: bool = False) -> str:
    """'PDT'. A zone with no abbreviation is named by its offset as tzdata writes it
    ('+11', '+0545'), or with `spell_offset` as the minutes write it ('UTC+11',
    'UTC+05:45')."""
    moment = _arrow(local)
    name = moment.format("ZZZ")
    if name and not (spell_offset and name[0] in "+-"):
        return name
    if not spell_offset:
        return moment.format("Z")
    return "UTC" + moment.format("ZZ").removesuffix(":00")


def weekday(local: dt.date, *, short: bool = False) -> str:
    """'Wednesday', or 'Wed'."""
    return _arrow(local).format("ddd" if short else "dddd")


def month_year(local: dt.date) -> str:
    """'March 2018'."""
    return _arrow(local).format("MMMM YYYY")


def long_date(local: dt.date, now: dt.datetime | None = None) -> str:
    """'Wednesday 21 March 2018', or 'Wednesday 21 March' when `now` is in the same year
    (in `local`'s zone; a day without a zone is compared with `now` as it is)."""
    zone = local.tzinfo if isinstance(local, dt.datetime) else None
    same_year = now is not None and (now.astimezone(zone) if zone else now).year == local.year
    return _arrow(local).format("dddd D MMMM" if same_year else "dddd D MMMM YYYY")


def clock_time(local: dt.datetime, *, spell_offset: bool = False) -> str:
    """'10:00 PDT' (see `abbreviation` for zones without one)."""
    return f"{_arrow(local).format('HH:mm')} {abbreviation(local, spell_offset=spell_offset)}"


def long_datetime(instant: dt.datetime, zone: str, now: dt.datetime | None = None) -> str:
    """'Wednesday 21 March, 10:00 PDT' (the year added when it is not `now`'s)."""
    local = in_zone(instant, zone)
    same_year = now is not None and now.astimezone(local.tzinfo).year == local.year
    return _long_datetime(instant, zone, same_year)


@functools.lru_cache(maxsize=4096)
def _long_datetime(instant: dt.datetime, zone: str, same_year: bool) -> str:
    # Remembered: most replies show the same few meetings, and arrow reads its format
    # string anew at every call (a third of a Slack command's ack time, measured).
    local = in_zone(instant, zone)
    day = _arrow(local).format("dddd D MMMM" if same_year else "dddd D MMMM YYYY")
    return f"{day}, {clock_time(local)}"


def utc_stamp(instant: dt.datetime) -> str:
    """'2018-03-21T17:00:00Z'."""
    return arrow.get(instant).to("UTC").format("YYYY-MM-DDTHH:mm:ss[Z]")


def how_far(instant: dt.datetime, now: dt.datetime) -> str:
    """'in 3 days', 'in an hour', '2 hours ago' (arrow's humanize), counted in days from
    a day to six weeks: arrow alone calls 15 days "in a month" and 13 "in a week"."""
    then, since = arrow.get(instant), arrow.get(now)
    if dt.timedelta(days=1) <= abs(instant - now) < dt.timedelta(weeks=6):
        return then.humanize(since, granularity="day")
    return then.humanize(since)
