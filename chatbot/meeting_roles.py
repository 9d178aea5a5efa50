"""Who facilitates and who takes notes at a series' coming meetings, from the store.

The rotation itself is `core/roles.py`; this gathers what it needs: the volunteers
(with their zones today), regrets, swaps, and the meetings since the first volunteer
joined, replayed to find whose turn it is now.
"""

from __future__ import annotations

import datetime as dt

from chatbot.core.model import Scope
from chatbot.core.recurrence import Occurrence
from chatbot.core.roles import Meeting, MeetingRoles, Volunteer, assign_roles
from chatbot.core.schedule import Series
from chatbot.store import Store

ROLES = ("facilitator", "notes")
ROLE_NAMES = {"facilitator": "facilitator", "notes": "note-taker"}


def coming_roles(store: Store, series: Series, scope: Scope, now: dt.datetime,
                 count: int = 4) -> list[MeetingRoles]:
    """Both roles at the meeting in progress (if any) and the ones after, `count` in all."""
    volunteers = store.roles.volunteers(series.id)
    swaps = store.roles.swaps(series.id)
    first = series.current_or_next(now)
    coming = [first] if first else []
    while coming and len(coming) < count:
        following = series.recurrence.next_after(coming[-1].start_utc)
        if following is None:
            break
        coming.append(following)
    if not volunteers and not swaps:
        return [MeetingRoles(o.key, None, None) for o in coming]
    joined = [dt.datetime.fromisoformat(v["joined_at"]) for v in volunteers]
    past = _held_since(series, min(joined, default=now), coming[0] if coming else None, now)
    meetings = [Meeting(o.key, o.start_utc) for o in past + coming]
    if not meetings:
        return []
    users = store.users.by_id(scope.workspace, sorted({v["user_id"] for v in volunteers}))
    lines = {role: [Volunteer(v["user_id"], _zone(users.get(v["user_id"])),
                              dt.datetime.fromisoformat(v["joined_at"]))
                    for v in volunteers if v["role"] == role] for role in ROLES}
    regrets = {dt.date.fromisoformat(day): who for day, who in
               store.roles.regrets(scope, series.id, meetings[0].key.isoformat()).items()}
    handed = {role: {dt.date.fromisoformat(day): user for day, user in by_day.items()}
              for role, by_day in swaps.items()}
    roles = assign_roles(lines["facilitator"], lines["notes"], meetings,
                         regrets=regrets, swaps=handed)
    return roles[len(past):]


def _held_since(series: Series, since: dt.datetime, first_coming: Occurrence | None,
                now: dt.datetime) -> list[Occurrence]:
    """The meetings from `since` up to the first coming one: turns already taken."""
    held: list[Occurrence] = []
    following = series.recurrence.next_after(since - dt.timedelta(seconds=1))
    while following is not None and following.start_utc < now and following != first_coming:
        held.append(following)
        following = series.recurrence.next_after(following.start_utc)
    return held


def _zone(user) -> str:
    return (user.zone if user else None) or "UTC"


def roles_at(store: Store, series: Series, scope: Scope, occurrence: Occurrence,
             now: dt.datetime) -> MeetingRoles | None:
    """Both roles at one coming meeting, if anyone holds either."""
    for roles in coming_roles(store, series, scope, now):
        if roles.key == occurrence.key:
            return roles if roles.facilitator or roles.notetaker else None
    return None


def roles_said(store: Store, series: Series, scope: Scope, occurrence: Occurrence,
               now: dt.datetime) -> str:
    """'Facilitator: ana, notes: dan' (display names), or '' when nobody holds either."""
    roles = roles_at(store, series, scope, occurrence, now)
    if roles is None:
        return ""
    users = store.users.by_id(scope.workspace, [u for u in roles[1:] if u])
    names = [users[u].name if u in users else u for u in roles[1:]]
    return (f"Facilitator: {names[0] or 'nobody yet'}, "
            f"notes: {names[1] or 'nobody yet'}")
