"""/meeting skip, unskip and move: one meeting of any series, changed in chat.

Stored in `store.occurrence_changes` and applied by `SeriesBook`, so the schedule list,
the calendar feed, the page and the reminders all follow. Admins may change a meeting,
and so may the chairs of its meeting in progress.
"""

from __future__ import annotations

import datetime as dt

from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.permissions import require_chair_or_meeting_admin
from chatbot.core.recurrence import Occurrence, RecurrenceError
from chatbot.core.reply import Instant, line
from chatbot.core.schedule import Series
from chatbot.core.schedule_fields import day as read_day
from chatbot.core.schedule_fields import local_time
from chatbot.core.timefmt import in_zone, long_date, long_datetime
from chatbot.series_book import changed_series


def skip_meeting(context: Context, rest: str) -> Reply:
    series = _changeable(context, "skip a meeting of")
    if rest:
        key = _date(rest.split()[0], "/meeting skip 2026-12-24")
        if _stored(context, series, key) == "skipped":
            raise CommandError(f"{series.name} on {key} is already skipped "
                               f"(/meeting unskip {key} undoes it).")
        occurrence = _occurrence(series, key)
    else:
        occurrence = series.recurrence.next_after(context.now)
        if occurrence is None:
            raise CommandError(f"{series.name} has no coming meeting to skip.")
    key = occurrence.key
    _store_change(context, series, key, None)
    return Reply(f"Skipped {series.name} on {long_date(key, context.now)}. "
                 f"{_next(context, series.id)} Undo: /meeting unskip {key}", public=True)


def unskip_meeting(context: Context, rest: str) -> Reply:
    series = _changeable(context, "unskip a meeting of")
    key = _date(rest.split()[0] if rest else "", "/meeting unskip 2026-12-24")
    if _stored(context, series, key) != "skipped":
        in_file = key in context.bot.schedules.unchanged(series.id).recurrence.skip
        where = "; it is skipped in its schedule file: edit that" if in_file else ""
        raise CommandError(f"No meeting of {series.name} on {key} was skipped in chat{where}.")
    context.store.occurrence_changes.remove(series.id, key.isoformat())
    back = context.bot.schedules.get(series.id).recurrence.occurrence_on(key)
    # The asker's time; on Slack, every reader's own.
    when = Instant(back.start_utc, context.zone, context.now) if back else str(key)
    return Reply([line(f"{series.name} meets again on ", when, " (your time).")], public=True)


def move_meeting(context: Context, rest: str) -> Reply:
    series = _changeable(context, "move a meeting of")
    words = rest.split()
    usage = "/meeting move 2026-12-24 2026-12-23T18:00"
    if len(words) != 2:
        raise CommandError(f"Say which meeting and when, in the meeting's zone: {usage}")
    key = _date(words[0], usage)
    try:
        new_time = local_time(words[1])
    except ValueError as error:
        raise CommandError(f"{error}; write it like {usage}") from None
    if _stored(context, series, key) == "skipped":
        raise CommandError(f"{series.name} on {key} is skipped: /meeting unskip {key} first.")
    occurrence = _occurrence(series, key)
    landing = new_time.date()
    if landing != key and series.recurrence.occurrence_on(landing) is not None:
        raise CommandError(f"{series.name} already meets on {landing}: skip that meeting "
                           "instead, or move this one to another day.")
    _between_neighbours(series, occurrence, new_time, context.now)
    _store_change(context, series, key, new_time.strftime("%Y-%m-%dT%H:%M"))
    moved = context.bot.schedules.get(series.id).recurrence.occurrence_on(key)
    planned = long_datetime(moved.start_utc, series.timezone, context.now)
    yours = Instant(moved.start_utc, context.zone, context.now)
    return Reply([line(f"Moved {series.name} of {key} to {planned} (", yours, " your time).")],
                 public=True)


def _changeable(context: Context, action: str) -> Series:
    series, _ = context.meeting()
    require_chair_or_meeting_admin(context, series, f"{action} {series.name}")
    return series


def _date(text: str, usage: str) -> dt.date:
    try:
        return read_day(text)
    except ValueError as error:
        raise CommandError(f"{error}; write it like {usage}") from None


def _stored(context: Context, series: Series, key: dt.date) -> str | None:
    row = context.store.occurrence_changes.get(series.id, key.isoformat())
    if row is None:
        return None
    return "skipped" if row["moved_to"] is None else "moved"


def _occurrence(series: Series, key: dt.date):
    occurrence = series.recurrence.occurrence_on(key)
    if occurrence is None:
        coming = series.recurrence.upcoming(
            dt.datetime.combine(key, dt.time(0), tzinfo=dt.UTC), 2)
        dates = ", ".join(o.key.isoformat() for o in coming) or "none"
        raise CommandError(f"{key} is not a meeting of {series.name} (the next after it: "
                           f"{dates}); give a date it meets on.")
    return occurrence


def _between_neighbours(series: Series, occurrence: Occurrence, new_time: dt.datetime,
                        now: dt.datetime) -> None:
    """A moved meeting stays between the meetings before and after it: moved past one,
    the two would swap, and the agenda gathered for one would be held at the other."""
    def wall(neighbour: Occurrence) -> dt.datetime:  # in the zone `new_time` is given in
        return in_zone(neighbour.start_utc, series.timezone).replace(tzinfo=None)

    key, zone = occurrence.key, series.timezone
    following = series.recurrence.next_after(occurrence.start_utc)
    if following is not None and new_time >= wall(following):
        raise CommandError(
            f"That is not before the next meeting ({long_datetime(following.start_utc, zone, now)})"
            f": move {key} to an earlier time, or skip it (/meeting skip {key}).")
    before = series.recurrence.previous_before(occurrence.start_utc - dt.timedelta(seconds=1))
    if before is not None and new_time <= wall(before):
        raise CommandError(
            f"That is not after the meeting before ({long_datetime(before.start_utc, zone, now)})"
            f": move {key} to a later time, or skip it (/meeting skip {key}).")


def _store_change(context: Context, series: Series, key: dt.date, moved_to: str | None
                  ) -> None:
    """Store the change once the series can take it (a move onto another meeting's day,
    or past the next one, is refused as a file saying it would be)."""
    changes = context.store.occurrence_changes
    mine = [(day, to) for sid, day, to in changes.rows() if sid == series.id]
    mine = [(day, to) for day, to in mine if day != key.isoformat()]
    try:
        changed_series(context.bot.schedules.unchanged(series.id),
                       mine + [(key.isoformat(), moved_to)])
    except RecurrenceError as error:
        raise CommandError(f"{error.message}. Nothing was changed.") from None
    changes.set(series.id, key.isoformat(), moved_to, context.user.id, context.now.isoformat())


def _next(context: Context, series_id: str) -> str:
    following = context.bot.schedules.get(series_id).recurrence.next_after(context.now)
    if following is None:
        return "It has no meeting after that."
    return f"The next one: {long_datetime(following.start_utc, context.zone, context.now)}."
