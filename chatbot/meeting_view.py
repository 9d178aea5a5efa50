"""Gathering a `MeetingView` from the store: the read model's only store calls.

Every view (reminder, chat replies, page, App Home, minutes) asks here, so they all see
the same agenda numbers, the same TODO groups and the same zones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from chatbot.core.live_meeting import Item, LiveMeeting
from chatbot.core.live_view import filed_entries, live_agenda
from chatbot.core.model import AgendaItem, Scope, Todo
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import Series
from chatbot.core.view import (
    AgendaEntry,
    MeetingView,
    OwnerTodos,
    TodoEntry,
    belongs_to,
    by_owner,
    in_display_order,
    numbered_agenda,
    shown_zones,
    todo_entry,
)
from chatbot.selection import Chosen, MeetingSelection
from chatbot.store import Store


def agenda(store: Store, scope: Scope, series: Series, occurrence: Occurrence
           ) -> tuple[AgendaEntry, ...]:
    """Numbered as the meeting numbers them: once it is run item by item, with the
    topics it took up and what was filed under each item."""
    key = occurrence.key.isoformat()
    items = store.agenda.items(scope, series.id, key)
    live = live_meeting(store, scope, series, key)
    if live is None or not live.entries:
        return numbered_agenda(items)
    return live_agenda(live, items)


def numbered_items(store: Store, scope: Scope, series: Series, occurrence: str
                   ) -> list[AgendaItem | Item]:
    """What each number the agenda shows stands for: a stored item, or a topic the
    meeting took up (the live meeting's `Item`: only its entries hold it)."""
    items = in_display_order(store.agenda.items(scope, series.id, occurrence))
    live = live_meeting(store, scope, series, occurrence)
    if live is None:
        return items
    stored = {str(item.id): item for item in items}
    return [stored.get(view.item.key, view.item) for view in live.items]


def topics_taken_up(store: Store, scope: Scope, series: Series, occurrence: str) -> int:
    live = live_meeting(store, scope, series, occurrence)
    return len(live.topics) if live else 0


def live_meeting(store: Store, scope: Scope, series: Series, occurrence: str
                 ) -> LiveMeeting | None:
    """The occurrence as run item by item: one the bot started, or imported notes with
    something written under their items (None otherwise)."""
    record = store.meetings.get(scope, series.id, occurrence)
    if record is None:
        return None
    entries = store.live_entries.entries(scope, series.id, occurrence)
    if not (record.started_by or entries):
        return None
    items = in_display_order(store.agenda.items(scope, series.id, occurrence))
    agenda = tuple(Item(str(item.id), item.section, item.text, item.author_id, item.timebox)
                   for item in items)
    people = sorted({record.started_by, *series.admins, *(e.author for e in entries),
                     *(o for e in entries for o in e.owners)} - {"", None})
    names = _UserNames(store, scope.workspace, people)
    return LiveMeeting(agenda, record.started_by or "", frozenset(series.admins), names,
                       entries)


class _UserNames(Mapping[str, str]):
    """User id -> display name: the people of the entries read at once, anyone else (a
    chair just added) when first named."""

    def __init__(self, store: Store, workspace: str, people: list[str]):
        self._store, self._workspace = store, workspace
        self._names = {uid: user.name for uid, user in store.users.by_id(workspace, people).items()}

    def __getitem__(self, user_id: str) -> str:
        if user_id not in self._names:
            user = self._store.users.get(self._workspace, user_id)
            if user is None:
                raise KeyError(user_id)
            self._names[user_id] = user.name
        return self._names[user_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


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


@dataclass(frozen=True)
class HomeMeeting:
    """A meeting on one person's home (Slack's App Home): the next of a series of theirs."""

    name: str
    start_utc: dt.datetime
    video: str = ""


def person_home(meetings: MeetingSelection, store: Store, platform: str, workspace: str,
                user_id: str, now: dt.datetime
                ) -> tuple[tuple[HomeMeeting, ...], tuple[TodoEntry, ...]]:
    """The meetings of the channels `user_id` takes part in (the one `/meeting` there
    would name), soonest first, and their open TODOs in every channel of the workspace.

    Asked per channel of theirs, never over every series the bot holds: a hosted bot may
    hold a hundred thousand."""
    shown = []
    for channel in store.members.channels_of(workspace, user_id):
        scope = Scope(platform, workspace, channel)
        for series in meetings.series_in(scope):
            choice = meetings.choose(scope, series.id, now)
            if isinstance(choice, Chosen):
                shown.append(HomeMeeting(series.name, choice.occurrence.start_utc,
                                         series.video))
    todos = [todo for channel in store.todos.channels_owing(workspace, user_id)
             for todo in todos_of_person(store, Scope(platform, workspace, channel), user_id)]
    return tuple(sorted(shown, key=lambda m: m.start_utc)), tuple(todos)


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
        **_run_by_chairs(store, scope, series, key),
    )


def _run_by_chairs(store: Store, scope: Scope, series: Series, occurrence: str) -> dict:
    live = live_meeting(store, scope, series, occurrence)
    if live is None:
        return {}
    # Imported notes name no chairs (nobody started the meeting here).
    return {"chairs": tuple(map(live.name, live.chairs)) if live.starter else (),
            "unfiled": filed_entries(live, live.unfiled)}
