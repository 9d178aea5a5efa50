"""After a meeting: a direct message to each member who came to one of the three meetings
before and missed this one: its decisions, their open TODOs, what became of the agenda
items they added, and where the minutes are. `/remind digest off` stops it.

`Reminders.tick` sends it once per meeting (under its own claim) once the meeting ended.
"""

from __future__ import annotations

import datetime as dt

from chatbot.commands import Bot, Reply
from chatbot.core.model import MeetingRecord, Scope, User
from chatbot.core.schedule import Series
from chatbot.core.timefmt import long_date
from chatbot.store import Store

MEETINGS_BEFORE = 3
SENT_WITHIN = dt.timedelta(days=2)  # a meeting ended longer ago gets no digest any more


def absentees(store: Store, scope: Scope, series: Series, key: str) -> list[User]:
    """Who came to one of the three meetings before `key`, missed it, and wants digests."""
    earlier = [m.occurrence for m in store.meetings.held(scope, series.id)
               if m.occurrence < key][:MEETINGS_BEFORE]

    def came(occurrence: str) -> set[str]:
        return {a.user_id for a in store.attendance.in_meeting(scope, series.id, occurrence)
                if not a.regrets}

    missed = set().union(*map(came, earlier)) - came(key) if earlier else set()
    missed -= store.digests.opted_out(scope.workspace, sorted(missed))
    users = store.users.by_id(scope.workspace, sorted(missed))
    return [users.get(uid, User(id=uid, name=uid)) for uid in sorted(missed)]


def digest(bot: Bot, scope: Scope, series: Series, record: MeetingRecord, user: User,
           now: dt.datetime) -> Reply:
    store, key = bot.store, record.occurrence
    day = long_date(dt.date.fromisoformat(key), now)
    lines = [f"You missed {series.name} on {day}. What happened:"]
    decisions = store.decisions.in_meeting(scope, series.id, key)
    lines += ["Decisions:", *(f"  - {d.text}" for d in decisions)] if decisions else [
        "No decisions were recorded."]
    todos = [t for t in store.todos.in_channel(scope, owner=user.id)
             if t.series in (None, series.id)]
    if todos:
        lines += ["Your open TODOs:", *(f"  {t.number}. {t.text}" for t in todos)]
    mine = [i for i in store.agenda.items(scope, series.id, key) if i.author_id == user.id]
    if mine:
        lines += ["Your agenda items:", *(
            f"  - {i.text}: {'discussed' if i.done else 'carried over to the next meeting'}"
            for i in mine)]
    page = bot.pages.url(series)
    where = page or (f"{bot.archive / record.archive_path}" if record.archive_path else "")
    if where:
        lines.append(f"The minutes: {where}")
    lines.append("(Stop these messages with /remind digest off.)")
    return Reply("\n".join(lines))


def recently_ended(store: Store, scope: Scope, series: Series, now: dt.datetime
                   ) -> MeetingRecord | None:
    latest = next(iter(store.meetings.held(scope, series.id)), None)
    if latest is None or latest.imported_from or latest.ended_at is None:
        return None
    ended = dt.datetime.fromisoformat(latest.ended_at)
    return latest if now - SENT_WITHIN <= ended <= now else None
