"""What a series' page shows, read from the store: plain data for the templates.

No HTTP here: `app.py` turns requests into calls of `meeting_page` and
`minutes_markdown_of`, and the templates into HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from chatbot import archive
from chatbot.commands import Bot
from chatbot.core import cafe
from chatbot.core.model import Scope
from chatbot.core.recurrence import Occurrence
from chatbot.core.reminder import ZoneTime, zone_times
from chatbot.core.schedule import Series
from chatbot.core.timefmt import how_far, long_date, long_datetime
from chatbot.core.view import AgendaSection, MeetingView, OwnerTodos, shown_zones
from chatbot.meeting_record import minutes_markdown
from chatbot.meeting_roles import roles_said
from chatbot.meeting_view import gather
from chatbot.selection import NoMeeting

# Which channel's agenda and TODOs a series' page shows, on the platform serving it;
# None when the series has no channel there (the page then shows its times only).
ScopeFor = Callable[[Series], Scope | None]


@dataclass(frozen=True)
class NextMeeting:
    start_utc: dt.datetime
    end_utc: dt.datetime
    own_zone: str  # "Wednesday 21 March, 18:00 CET"
    utc: str  # "Wednesday 21 March, 17:00 UTC"
    how_far: str  # "in a day", as of the page's rendering
    in_progress: bool
    zones: tuple[ZoneTime, ...]  # the start in each member's zone, by UTC offset


@dataclass(frozen=True)
class PastMeeting:
    day: dt.date
    label: str  # "Wednesday 21 February 2018"


@dataclass(frozen=True)
class MeetingPage:
    series: Series
    now: dt.datetime
    next: NextMeeting | None
    agenda: tuple[AgendaSection, ...]
    todos: tuple[OwnerTodos, ...]
    past: tuple[PastMeeting, ...]
    roles: str = ""  # "Facilitator: ana, notes: dan", when anyone holds either


def _the_meeting(bot: Bot, series: Series, scope: Scope | None,
                 now: dt.datetime) -> Occurrence | None:
    """The occurrence `/meeting` would talk about: started, in progress, else next."""
    if scope is None:
        return series.current_or_next(now)
    choice = bot.meetings.choose(scope, series.id, now)
    return None if isinstance(choice, NoMeeting) else choice.occurrence


def _next_meeting(view: MeetingView, occurrence: Occurrence, now: dt.datetime
                  ) -> NextMeeting:
    series, start = view.series, occurrence.start_utc
    zones = {series.timezone, "UTC", *view.zones}
    return NextMeeting(
        start_utc=start,
        end_utc=start + series.duration,
        own_zone=long_datetime(start, series.timezone, now),
        utc=long_datetime(start, "UTC", now),
        how_far=how_far(start, now),
        in_progress=view.in_progress or series.in_progress(now) == occurrence,
        zones=tuple(zone_times(start, series.timezone, zones)),
    )


def _past(bot: Bot, series: Series, scope: Scope) -> tuple[PastMeeting, ...]:
    past = []
    for record in bot.store.meetings.held(scope, series.id):
        day = dt.date.fromisoformat(record.occurrence)
        past.append(PastMeeting(day, long_date(day)))
    return tuple(past)


def meeting_page(bot: Bot, series: Series, scope: Scope | None, now: dt.datetime
                 ) -> MeetingPage:
    occurrence = _the_meeting(bot, series, scope, now)
    if scope is None:
        view = MeetingView(series, occurrence, zones=shown_zones(series.zones))
    else:
        view = gather(bot.store, scope, series, occurrence)
    return MeetingPage(
        series=series,
        now=now,
        next=None if occurrence is None else _next_meeting(view, occurrence, now),
        agenda=view.sections(),
        todos=view.todos,
        past=() if scope is None else _past(bot, series, scope),
        roles="" if scope is None or occurrence is None else roles_said(
            bot.store, series, scope, occurrence, now),
    )


def minutes_markdown_of(bot: Bot, series: Series, scope: Scope | None, day: dt.date,
                        now: dt.datetime) -> str | None:
    """The minutes of a meeting of this series that has ended: the archived file, else
    (imported from outside the archive folder, or the file since removed) the minutes
    rebuilt from the store. None for a day this series held no meeting on."""
    if scope is None:
        return None
    record = bot.store.meetings.get(scope, series.id, day.isoformat())
    if record is None or record.ended_at is None:
        return None
    if record.archive_path:
        text = archive.read(bot.archive, record.archive_path)
        if text is not None and series.minutes == "cafe":  # the year's file: that day's part
            text = dict(cafe.split_year(text)).get(day.isoformat())
        if text is not None:
            return text
    return minutes_markdown(bot.store, scope, series, series.occurrence_on_day(day), now)
