"""An RFC 5545 calendar of a series, for calendar programs to import or subscribe to."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar

from chatbot.core.schedule import Series

# Rotating start times cannot be written as one RRULE: the coming year's
# occurrences are written as overrides of the rule's instances instead.
ROTATION_HORIZON = dt.timedelta(days=366)
TIMEZONE_YEARS = dt.timedelta(days=366 * 10)


def _rule_start(series: Series, key: dt.date) -> dt.datetime:
    """The instance of the rule on `key`, as the RRULE alone would place it."""
    zone = zoneinfo.ZoneInfo(series.timezone)
    return dt.datetime.combine(key, series.recurrence.start.time(), tzinfo=zone)


def _event(series: Series, uid: str, start: dt.datetime, now: dt.datetime
           ) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", series.name)
    event.add("dtstart", start)
    event.add("duration", series.duration)
    event.add("dtstamp", now.astimezone(dt.UTC).replace(microsecond=0))  # when written
    description = "\n".join(
        line for line in (f"Video: {series.video}" if series.video else "",
                          f"Notes: {series.notes}" if series.notes else "") if line
    )
    if description:
        event.add("description", description)
    if series.video:
        event.add("location", series.video)
        event.add("url", series.video)
    return event


def series_calendar(series: Series, now: dt.datetime) -> bytes:
    recurrence = series.recurrence
    zone = zoneinfo.ZoneInfo(series.timezone)
    uid = f"{series.id}@chatbot"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//chatbot//meeting series//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", series.name)
    master = _event(series, uid, recurrence.start.replace(tzinfo=zone), now)
    if recurrence.rrule:
        master.add("rrule", icalendar.vRecur.from_ical(recurrence.rrule))
    for skipped in recurrence.skip:
        master.add("exdate", _rule_start(series, skipped))
    for extra in recurrence.dates:
        master.add("rdate", extra.replace(tzinfo=zone))
    calendar.add_component(master)

    overrides = {key: new.replace(tzinfo=zone) for key, new in recurrence.moved}
    if recurrence.rotate:
        for occurrence in recurrence.between(now, now + ROTATION_HORIZON):
            if occurrence.index >= 0 and occurrence.start != _rule_start(series, occurrence.key):
                overrides.setdefault(occurrence.key, occurrence.start)
    for key, start in sorted(overrides.items()):
        override = _event(series, uid, start, now)
        override.add("recurrence-id", _rule_start(series, key))
        calendar.add_component(override)
    # The zone's transitions from the series' first meeting to TIMEZONE_YEARS ahead (not
    # icalendar's 1970-2038, which both writes decades nobody meets in and stops in 2038).
    calendar.add_missing_timezones(
        first_date=min(recurrence.start.date(), now.date()),
        last_date=now.date() + TIMEZONE_YEARS)
    return calendar.to_ical()
