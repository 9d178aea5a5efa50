"""Gathering a `MeetingView` from the store: the read model's only store calls.

Every view (reminder, chat replies, page, App Home, minutes) asks here, so they all see
the same agenda numbers, the same TODO groups and the same zones.
"""

from __future__ import annotations

from chatbot.core.model import Scope, Todo
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import Series
from chatbot.core.view import (
    AgendaEntry,
    MeetingView,
    OwnerTodos,
    TodoEntry,
    belongs_to,
    by_owner,
    numbered_agenda,
    shown_zones,
    todo_entry,
)
from chatbot.store import Store


def agenda(store: Store, scope: Scope, series: Series, occurrence: Occurrence
           ) -> tuple[AgendaEntry, ...]:
    return numbered_agenda(store.agenda.items(scope, series.id, occurrence.key.isoformat()))


def open_todos(store: Store, scope: Scope, series_id: str | None, owner: str | None = None
               ) -> list[Todo]:
    """The channel's open TODOs (of `owner`), those of series `series_id` when given."""
    todos = store.todos.in_channel(scope, owner=owner)
    return [t for t in todos if series_id is None or belongs_to(t, series_id)]


def owner_names(store: Store, workspace: str, todos: list[Todo]) -> dict[str, str]:
    owner_ids = sorted({o for t in todos for o in t.owners})
    users = store.users.by_id(workspace, owner_ids)
    return {o: users[o].name if o in users else o for o in owner_ids}


def todos_by_owner(store: Store, scope: Scope, series_id: str | None,
                   owner: str | None = None) -> tuple[OwnerTodos, ...]:
    todos = open_todos(store, scope, series_id, owner)
    return by_owner(todos, owner_names(store, scope.workspace, todos))


def todos_of_person(store: Store, scope: Scope, user_id: str) -> tuple[TodoEntry, ...]:
    """One person's open TODOs in a channel, each marked with it (the App Home's list)."""
    todos = store.todos.in_channel(scope, owner=user_id)
    names = owner_names(store, scope.workspace, todos)
    return tuple(todo_entry(t, names, scope.channel) for t in todos)


def member_zones(store: Store, scope: Scope, series: Series) -> tuple[str, ...]:
    return shown_zones([*store.members.zones(scope), *series.zones])


def gather(store: Store, scope: Scope, series: Series, occurrence: Occurrence | None,
           page_url: str = "") -> MeetingView:
    """The meeting `occurrence` of `series` in `scope`, as the store has it now."""
    zones = member_zones(store, scope, series)
    todos = todos_by_owner(store, scope, series.id)
    if occurrence is None:
        return MeetingView(series, None, todos=todos, zones=zones, page_url=page_url)
    key = occurrence.key.isoformat()
    record = store.meetings.get(scope, series.id, key)
    return MeetingView(
        series=series,
        occurrence=occurrence,
        agenda=agenda(store, scope, series, occurrence),
        attendance=tuple(store.attendance.in_meeting(scope, series.id, key)),
        todos=todos,
        zones=zones,
        page_url=page_url,
        in_progress=record is not None and record.in_progress,
    )
