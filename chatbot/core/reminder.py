"""The reminder message: one composer, rendered per platform by the adapters.

Composing is pure: the scheduler gathers the agenda, TODOs and member zones,
and this module decides what a reader needs to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from chatbot.core.recurrence import Occurrence
from chatbot.core.reply import Instant, Line, Link, line, plain
from chatbot.core.schedule import Series
from chatbot.core.timefmt import abbreviation, clock_time, how_far, long_datetime, weekday
from chatbot.core.timezones import zone_info
from chatbot.core.view import AgendaEntry, OwnerTodos, agenda_lines, shown_zones, todo_lines

NIGHT_STARTS, NIGHT_ENDS = dt.time(22, 0), dt.time(7, 0)
# The reminders the facilitator checklist uses to ask for agenda items and celebrations.
ASKING_OFFSETS = (dt.timedelta(days=7), dt.timedelta(days=1))


@dataclass(frozen=True)
class ZoneTime:
    zone: str
    local: dt.datetime
    other_day: bool  # the local weekday differs from the meeting's own day
    night: bool

    @property
    def offset(self) -> dt.timedelta:
        return self.local.utcoffset() or dt.timedelta(0)

    def label(self) -> str:
        day = f"{weekday(self.local, short=True)} " if self.other_day else ""
        night = " (night)" if self.night else ""
        short = abbreviation(self.local)
        name = "" if short == self.zone else f" {self.zone}"
        return f"{day}{clock_time(self.local)}{name}{night}"


@dataclass(frozen=True)
class Reminder:
    series_id: str
    series_name: str
    start_utc: dt.datetime
    meeting_zone: str
    offset: dt.timedelta
    when: str  # "in 1 hour"
    zone_times: tuple[ZoneTime, ...]
    video: str = ""
    notes: str = ""
    agenda: tuple[AgendaEntry, ...] = ()  # the items not done yet
    todos: tuple[OwnerTodos, ...] = ()
    warnings: tuple[str, ...] = ()
    asks_for_items: bool = False
    reader_zone: str | None = None  # set for personal reminders
    page_url: str = ""  # the meeting's web page, where each reader sees their own time
    roles: str = ""  # "Facilitator: ana, notes: dan", when anyone holds either
    skip_hint: str = ""  # how admins skip a meeting with an empty agenda, a day before
    occurrence_key: str = ""  # the meeting's date as the rule gives it (what skip names)
    extra: dict = field(default_factory=dict)

    @property
    def headline(self) -> str:
        if self.offset == dt.timedelta(0):
            return f"{self.series_name} is starting now"
        return f"{self.series_name} {self.when}"

    def links(self) -> list[tuple[str, str]]:
        """(label, address) of every link the reminder carries, in the order shown."""
        return [(label, url) for label, url in (
            ("Video", self.video), ("Notes", self.notes), ("See it in your time", self.page_url),
        ) if url]

    def text(self) -> str:
        """Plain text, as the console shows it."""
        return plain(self.lines())

    def lines(self) -> list[Line]:
        """The reminder as reply lines: adapters without a richer form render these."""
        lines = [line(f"Reminder: {self.headline}")]
        if self.reader_zone:
            lines.append(line("Your time: ", Instant(self.start_utc, self.reader_zone),
                              depth=1))
        lines.append(line(f"{long_datetime(self.start_utc, self.meeting_zone)}"
                          f" ({self.meeting_zone})", depth=1))
        lines += [line(zone_time.label(), depth=1) for zone_time in self.zone_times]
        lines += [line(f"Note: {warning}", depth=1) for warning in self.warnings]
        lines += [line(self.roles, depth=1)] if self.roles else []
        lines += [line(Link(url, label), depth=1) for label, url in self.links()]
        return lines + self.agenda_lines() + self.todo_lines()

    def agenda_lines(self) -> list[Line]:
        if not self.agenda:
            return [line(NO_AGENDA)] + ([line(self.skip_hint)] if self.skip_hint else [])
        lines = [line("Agenda:"), *agenda_lines(self.agenda, depth=1, marks=False)]
        if self.asks_for_items:
            lines.append(line(ASK_FOR_ITEMS))
        return lines

    def todo_lines(self) -> list[Line]:
        if not self.todos:
            return []
        return [line("Open TODOs:"), *todo_lines(self.todos, depth=1)]


NO_AGENDA = ("Agenda: nothing yet. Add items with /agenda add TEXT "
             "(and celebrations with /agenda add thanks: TEXT).")
ASK_FOR_ITEMS = ("Anything else? Add it with /agenda add TEXT; "
                 "celebrations with /agenda add thanks: TEXT.")


def zone_times(start_utc: dt.datetime, meeting_zone: str, zones: set[str]) -> list[ZoneTime]:
    """The start in every zone, sorted by UTC offset (then name)."""
    own_day = start_utc.astimezone(zone_info(meeting_zone)).date()
    result = []
    for zone in zones:
        local = start_utc.astimezone(zone_info(zone))
        clock = local.time()
        result.append(ZoneTime(
            zone=zone, local=local, other_day=local.date() != own_day,
            night=clock >= NIGHT_STARTS or clock < NIGHT_ENDS,
        ))
    result.sort(key=lambda z: (z.offset, z.zone))
    return result


def shift_warnings(series: Series, occurrence: Occurrence, previous: Occurrence | None,
                   zones: set[str]) -> list[str]:
    """Summer time starts on different Sundays around the world: say who it moves for."""
    if previous is None:
        return []
    home = zone_info(series.timezone)

    def gap(zone: str, instant: dt.datetime) -> dt.timedelta:
        there = instant.astimezone(zone_info(zone)).utcoffset()
        return there - instant.astimezone(home).utcoffset()

    moved: dict[dt.timedelta, list[str]] = {}
    for zone in sorted(zones):
        change = gap(zone, occurrence.start_utc) - gap(zone, previous.start_utc)
        if change:
            moved.setdefault(change, []).append(zone)
    return [
        f"this time the meeting is {_amount(change)} {_direction(change)}"
        f" than last time for {', '.join(names)}"
        for change, names in sorted(moved.items())
    ]


def _direction(change: dt.timedelta) -> str:
    return "later" if change > dt.timedelta(0) else "earlier"


def _amount(change: dt.timedelta) -> str:
    minutes = abs(int(change.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append("one hour" if hours == 1 else f"{hours} hours")
    if minutes:
        parts.append(f"{minutes} minutes")
    return " ".join(parts)


def compose_reminder(
    series: Series, occurrence: Occurrence, offset: dt.timedelta, now: dt.datetime,
    member_zones: Iterable[str], agenda: Iterable[AgendaEntry] = (),
    todos: Iterable[OwnerTodos] = (), reader_zone: str | None = None, page_url: str = "",
    roles: str = "", skip_hint: str = "",
) -> Reminder:
    zones = {*shown_zones([*member_zones, *series.zones]), "UTC"}
    previous = series.recurrence.previous_before(occurrence.start_utc - dt.timedelta(seconds=1))
    return Reminder(
        series_id=series.id,
        series_name=series.name,
        start_utc=occurrence.start_utc,
        meeting_zone=series.timezone,
        offset=offset,
        when=how_far(occurrence.start_utc, now),
        zone_times=tuple(zone_times(occurrence.start_utc, series.timezone, zones)),
        video=series.video,
        notes=series.notes,
        agenda=tuple(agenda),
        todos=tuple(todos),
        warnings=tuple(shift_warnings(series, occurrence, previous, zones)),
        asks_for_items=offset in ASKING_OFFSETS,
        reader_zone=reader_zone,
        page_url=page_url,
        roles=roles,
        skip_hint=skip_hint,
        occurrence_key=occurrence.key.isoformat(),
    )
