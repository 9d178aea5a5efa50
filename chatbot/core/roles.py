"""Who facilitates and who takes notes at the coming meetings.

Volunteers stand in one line per role, in the order they joined. A meeting's role goes
to the first in line who can take it; they go to the back, and whoever was passed over
keeps their place at the front, so they are first next time. Someone who volunteers
later joins at the back. The same line, replayed over who held the role before, gives
today's line, so nothing but the history needs storing.

Passed over, in this order of weight:
- regrets sent for that meeting: never given the role;
- the meeting starting between 22:00 and 07:00 in their own zone, while a volunteer
  who is free has it in the daytime;
- (note-taker only) facilitating that meeting, while another volunteer is free.
A swap hands one meeting's role to someone, volunteer or not, whatever the line says;
a volunteer who takes it goes to the back as after any turn.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = ["Meeting", "MeetingRoles", "Volunteer", "assign_roles", "role_holders"]

NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(7, 0)


@dataclass(frozen=True)
class Volunteer:
    user: str
    zone: str
    joined: datetime  # aware; sets the order of the line


class Meeting(NamedTuple):
    key: date  # the meeting's date in its series' zone, as regrets and swaps name it
    start: datetime  # aware


class MeetingRoles(NamedTuple):
    key: date
    facilitator: str | None
    notetaker: str | None


def role_holders(
    volunteers: Iterable[Volunteer],
    meetings: Sequence[Meeting],
    *,
    regrets: Mapping[date, Collection[str]] | None = None,
    swaps: Mapping[date, str] | None = None,
    history: Iterable[tuple[datetime, str]] = (),
    busy: Mapping[date, str | None] | None = None,
) -> list[str | None]:
    """The holder of one role at each of `meetings` (None: every volunteer sent regrets).

    `history` is (start, user) for the meetings already held; `busy` names who holds
    the other role at a meeting, passed over when someone else is free.
    """
    regrets, swaps, busy = regrets or {}, swaps or {}, busy or {}
    zones = {}
    line: list[str] = []
    for event in _joins_and_turns(volunteers, history):
        if isinstance(event, Volunteer):
            zones[event.user] = ZoneInfo(event.zone)
            line.append(event.user)
        else:
            _send_to_back(line, event)
    holders: list[str | None] = []
    for meeting in meetings:
        holder = swaps.get(meeting.key)
        if holder is None:
            free = [user for user in line if user not in regrets.get(meeting.key, ())]
            holder = min(free, default=None, key=lambda user: (
                _is_night(meeting.start, zones[user]),
                user == busy.get(meeting.key),
                line.index(user),
            ))
        _send_to_back(line, holder)
        holders.append(holder)
    return holders


def assign_roles(
    facilitators: Iterable[Volunteer],
    notetakers: Iterable[Volunteer],
    meetings: Sequence[Meeting],
    *,
    regrets: Mapping[date, Collection[str]] | None = None,
    swaps: Mapping[str, Mapping[date, str]] | None = None,
    history: Mapping[str, Iterable[tuple[datetime, str]]] | None = None,
) -> list[MeetingRoles]:
    """Both roles for each meeting; `swaps` and `history` are keyed "facilitator"/"notes"."""
    swaps, history = swaps or {}, history or {}
    facilitating = role_holders(
        facilitators, meetings, regrets=regrets,
        swaps=swaps.get("facilitator"), history=history.get("facilitator", ()),
    )
    busy = {meeting.key: user for meeting, user in zip(meetings, facilitating, strict=True)}
    taking_notes = role_holders(
        notetakers, meetings, regrets=regrets,
        swaps=swaps.get("notes"), history=history.get("notes", ()), busy=busy,
    )
    return [MeetingRoles(meeting.key, facilitator, notetaker) for meeting, facilitator, notetaker
            in zip(meetings, facilitating, taking_notes, strict=True)]


def _joins_and_turns(volunteers: Iterable[Volunteer], history: Iterable[tuple[datetime, str]]):
    """Joins and past turns in time order; a join and a turn at one instant: join first."""
    events = [(v.joined, 0, n, v) for n, v in enumerate(sorted(volunteers, key=_join_order))]
    events += [(start, 1, n, user) for n, (start, user) in enumerate(history)]
    return [event for *_, event in sorted(events, key=lambda e: e[:3])]


def _join_order(volunteer: Volunteer) -> tuple[datetime, str]:
    return volunteer.joined, volunteer.user


def _send_to_back(line: list[str], user: str | None) -> None:
    if user in line:
        line.remove(user)
        line.append(user)


def _is_night(start: datetime, zone: ZoneInfo) -> bool:
    wall = start.astimezone(zone).time()
    return wall >= NIGHT_STARTS or wall < NIGHT_ENDS
