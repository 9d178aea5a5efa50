"""/meeting start, /meeting end and /decision: run the meeting and archive its minutes."""

from __future__ import annotations

import datetime as dt

from chatbot.archive import ArchiveError
from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import clean
from chatbot.commands.permissions import require_meeting_admin
from chatbot.core.model import Decision, MeetingRecord
from chatbot.core.recurrence import Occurrence
from chatbot.core.reply import Instant, Line, Link, line, lines_of
from chatbot.core.schedule import Series
from chatbot.core.timefmt import clock_time, how_far, in_zone, long_datetime
from chatbot.meeting_record import Ended, NotInProgress, end_meeting
from chatbot.meeting_roles import roles_at

# /meeting start picks the occurrence scheduled nearest to now, within this much either
# way: a meeting started hours late is still that day's meeting, and a mistaken start
# cannot open next month's meeting weeks early.
START_WINDOW = dt.timedelta(hours=12)


def _series(context: Context) -> dict[str, Series]:
    """This channel's series (only the picked one with --meeting ID)."""
    candidates = context.bot.meetings.series_in(context.scope)
    pick = context.command.meeting
    return {s.id: s for s in candidates if pick is None or s.id == pick}


def open_meeting(context: Context) -> tuple[Series, MeetingRecord] | None:
    series = _series(context)
    for record in context.store.meetings.in_progress(context.scope):
        if record.series in series:
            return series[record.series], record
    return None


def _occurrence(series: Series, record: MeetingRecord) -> Occurrence:
    return series.occurrence_on_day(dt.date.fromisoformat(record.occurrence))


def _to_start(context: Context) -> tuple[Series, Occurrence]:
    series, upcoming = context.meeting()  # in progress by the clock, else the next
    earlier = series.recurrence.previous_before(context.now)
    choices = [upcoming]
    held = earlier is not None and context.bot.meetings.has_ended(context.scope, series.id,
                                                                   earlier)
    if earlier is not None and not held:
        choices.append(earlier)
    distance = {o: abs(o.start_utc - context.now) for o in choices}
    nearest = min(choices, key=distance.get)
    if distance[nearest] > START_WINDOW:
        when = long_datetime(upcoming.start_utc, context.zone, context.now)
        raise CommandError(
            f"The next {series.name} is on {when} ({how_far(upcoming.start_utc, context.now)}); "
            "/meeting start works from 12 hours before a scheduled meeting to 12 hours after. "
            "For an extra meeting, add its date to the schedule file."
        )
    return series, nearest


def start(context: Context) -> Reply:
    running = open_meeting(context)
    if running is not None:
        series, record = running
        when = long_datetime(_occurrence(series, record).start_utc, context.zone, context.now)
        raise CommandError(
            f"{series.name} of {when} is already in progress (started by "
            f"{context.names([record.started_by])[record.started_by]}); "
            "close it with /meeting end first."
        )
    series, occurrence = _to_start(context)
    require_meeting_admin(context, series.admins, f"start {series.name}")
    key = occurrence.key.isoformat()
    when = Instant(occurrence.start_utc, context.zone, context.now)
    context.store.meetings.start(
        context.scope, series.id, key, context.user.id, context.now.isoformat()
    )
    roles = roles_at(context.store, series, context.scope, occurrence, context.now)
    chaired = ""
    if roles is not None and roles.facilitator:
        from chatbot.commands import live  # live builds on this module: imported when used

        chaired = live.chair_the_facilitator(context, roles.facilitator)
    items = len(context.store.agenda.items(context.scope, series.id, key))
    said = (f"{chaired}\n"
            f"Agenda: {items} item{'s' if items != 1 else ''} (see /agenda). Sign the roll call "
            "with /attend, record decisions with /decision TEXT and TODOs with /todo add; "
            "/meeting end closes the meeting and archives the minutes.")
    return Reply([line(f"{context.user.name} started {series.name} of ", when, "."),
                  *lines_of(said.lstrip("\n")), *_page_line(context, series)], public=True)


def _page_line(context: Context, series: Series) -> list[Line]:
    page = context.bot.pages.url(series)
    return [line(Link(page, "See it in your time"))] if page else []


def end(context: Context) -> Reply:
    running = open_meeting(context)
    if running is None:
        raise CommandError(
            "No meeting is in progress in this channel; start one with /meeting start."
        )
    series, record = running
    require_meeting_admin(context, series.admins, f"end {series.name}")
    occurrence = _occurrence(series, record)
    try:
        ended = end_meeting(
            context.store, context.bot.archive, context.scope, series, occurrence, context.now
        )
    except ArchiveError as error:
        raise CommandError(
            f"{error}. The meeting is still in progress: fix the archive folder "
            "(CHATBOT_ARCHIVE) and say /meeting end again."
        ) from None
    except NotInProgress:
        raise CommandError(f"{series.name} has just been ended by someone else.") from None
    return Reply(summary(context, series, occurrence, ended), public=True)


def summary(context: Context, series: Series, occurrence: Occurrence, ended: Ended) -> str:
    """What the channel sees at the end: who came, what was decided, who does what next."""
    minutes = ended.minutes
    when = long_datetime(occurrence.start_utc, context.zone, context.now)
    lines = [f"{context.user.name} ended {series.name} of {when}."]
    names = [person.name for person in minutes.attendees]
    lines.append(
        f"Attendees ({len(names)}): {', '.join(names)}" if names
        else "Attendees: nobody signed the roll call."
    )
    if minutes.regrets:
        lines.append("Regrets: " + ", ".join(person.name for person in minutes.regrets))
    if minutes.decisions:
        lines.append(f"Decisions ({len(minutes.decisions)}):")
        lines += [f"  - {text}" for text in minutes.decisions]
    new = [todo for todo in minutes.todos if todo.is_new and not todo.done]
    if new:
        lines.append("New TODOs by owner:")
        owners = sorted({o for todo in new for o in todo.owners}, key=str.lower)
        for owner in owners + ([""] if any(not t.owners for t in new) else []):
            lines.append(f"  {owner or 'nobody'}")
            lines += [
                f"    {t.number}. {t.text}" for t in new
                if (owner in t.owners if owner else not t.owners)
            ]
    if ended.carried and ended.next_occurrence is not None:
        count = len(ended.carried)
        following = long_datetime(ended.next_occurrence.start_utc, context.zone, context.now)
        lines.append(
            f"Carried over to {following}: {count} agenda item{'s' if count != 1 else ''}"
        )
    git = f" ({ended.git})" if ended.git else ""
    lines.append(f"Minutes: {ended.path}{git}")
    page = context.bot.pages.url(series)
    if page:
        lines.append(f"  on the meeting's page: {page}/minutes/{occurrence.key.isoformat()}")
    return "\n".join(lines)


def decision_command(context: Context) -> Reply:
    return record_decision(context)[0]


def record_decision(context: Context) -> tuple[Reply, Decision]:
    text = clean(context.command.args)
    if not text:
        raise CommandError("What was decided? Usage: /decision TEXT")
    series, occurrence = context.meeting()
    key = occurrence.key.isoformat()
    decision = context.store.decisions.add(
        context.scope, series.id, key, text, context.user.id, context.now.isoformat()
    )
    count = len(context.store.decisions.in_meeting(context.scope, series.id, key))
    when = Instant(occurrence.start_utc, context.zone, context.now)
    shown = line(f"Decision {count} of {series.name} on ", when, f": {text}")
    return Reply([shown], public=True), decision


def started_at(context: Context, series: Series, occurrence: Occurrence) -> str | None:
    """'started 18:02 CET by jessica' when the bot is running this meeting."""
    record = context.store.meetings.get(context.scope, series.id, occurrence.key.isoformat())
    if record is None or not record.in_progress:
        return None
    started = dt.datetime.fromisoformat(record.started_at)
    who = context.names([record.started_by])[record.started_by]
    return f"started {clock_time(in_zone(started, context.zone))} by {who}"
