"""How instants are shown to people: always in a named zone, with its abbreviation."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import arrow


def in_zone(instant: dt.datetime, zone: str) -> dt.datetime:
    return instant.astimezone(zoneinfo.ZoneInfo(zone))


def abbreviation(local: dt.datetime) -> str:
    return local.tzname() or local.strftime("%z")


def long_date(local: dt.datetime, now: dt.datetime | None = None) -> str:
    """'Wednesday 21 March 2018', or 'Wednesday 21 March' when `now` is in the same year."""
    same_year = now is not None and now.astimezone(local.tzinfo).year == local.year
    year = "" if same_year else f" {local.year}"
    return f"{local:%A} {local.day} {local:%B}{year}"


def clock_time(local: dt.datetime) -> str:
    return f"{local:%H:%M} {abbreviation(local)}"


def long_datetime(instant: dt.datetime, zone: str, now: dt.datetime | None = None) -> str:
    """'Wednesday 21 March, 10:00 PDT' (the year added when it is not `now`'s)."""
    local = in_zone(instant, zone)
    return f"{long_date(local, now)}, {clock_time(local)}"


def utc_stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def how_far(instant: dt.datetime, now: dt.datetime) -> str:
    """'in 3 days', 'in an hour', '2 hours ago' (arrow's humanize)."""
    return arrow.get(instant).humanize(arrow.get(now))
