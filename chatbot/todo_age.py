"""TODOs left open across three meetings: reminders list them as "open since <date>", and
the one-day reminder names their owners once, so old TODOs get closed or handed on."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from chatbot.core.model import Scope
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import Series
from chatbot.core.timefmt import long_date
from chatbot.core.view import OwnerTodos
from chatbot.meeting_view import open_todos, owner_names
from chatbot.store import Store

MEETINGS_OPEN = 3


def stale_since(store: Store, scope: Scope, series: Series, occurrence: Occurrence
                ) -> dict[int, tuple[dt.date, tuple[str, ...]]]:
    """TODO number -> (the day it was made, its owners' names), for the TODOs made
    before the third meeting ahead of `occurrence` and open still."""
    before = occurrence.start_utc
    for _ in range(MEETINGS_OPEN):
        previous = series.recurrence.previous_before(before - dt.timedelta(seconds=1))
        if previous is None:
            return {}
        before = previous.start_utc
    todos = [t for t in open_todos(store, scope, series.id)
             if t.created_at and dt.datetime.fromisoformat(t.created_at) < before]
    names = owner_names(store, scope.workspace, todos)
    return {t.number: (dt.datetime.fromisoformat(t.created_at).astimezone(
        dt.UTC).date(), tuple(names[o] for o in t.owners)) for t in todos}


def marked(groups: tuple[OwnerTodos, ...], stale: dict[int, tuple[dt.date, tuple[str, ...]]],
           now: dt.datetime) -> tuple[OwnerTodos, ...]:
    """The groups with "(open since <date>)" after each stale TODO's text."""
    return tuple(replace(group, todos=tuple(
        replace(todo, text=f"{todo.text} (open since {long_date(stale[todo.number][0], now)})")
        if todo.number in stale else todo for todo in group.todos)) for group in groups)


def owners_note(stale: dict[int, tuple[dt.date, tuple[str, ...]]]) -> str:
    """One line naming each owner of a stale TODO once."""
    if not stale:
        return ""
    owners = sorted({name for _, names in stale.values() for name in names})
    who = ", ".join(owners) if owners else "nobody yet"
    return (f"TODOs open for {MEETINGS_OPEN} meetings or more (owners: {who}): close them "
            "with /todo done N, or hand them on")
