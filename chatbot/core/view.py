"""A meeting as every view shows it: plain data, and the rules that shape it, once.

The reminder, `/agenda`, `/todos`, `/attendance`, the page, the Slack App Home and the
minutes all read a `MeetingView`, so they number the agenda, group TODOs and list zones
alike. `chatbot.meeting_view` gathers one from the store; everything here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chatbot.core.model import SECTION_ORDER, SECTIONS, AgendaItem, Attendance, Todo
from chatbot.core.recurrence import Occurrence
from chatbot.core.reply import ItemRef, Line, line
from chatbot.core.schedule import Series
from chatbot.core.timezones import canonical_name

NOBODY = "nobody yet"  # the owner group of TODOs nobody took (imported ones, for example)


@dataclass(frozen=True)
class FiledEntry:
    """A note, link, TODO, decision or vote recorded under an agenda item."""

    kind: str  # "note" | "link" | "todo" | "decision" | "vote"
    text: str  # a note's, TODO's or decision's text; a link's URL; a vote's question
    title: str = ""  # a link's
    owners: tuple[str, ...] = ()  # a TODO's owners, display names
    # A vote's result: (choice, count, display names of who chose it) per choice.
    counts: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    closed: bool = False  # a vote's


@dataclass(frozen=True)
class AgendaEntry:
    """An agenda item as shown: `number` counts across sections, in display order."""

    number: int
    section: str
    text: str
    author: str = ""  # imported items have none (the notes put it in the text, if anywhere)
    done: bool = False
    carried_over: bool = False  # brought over from the meeting before
    filed: tuple[FiledEntry, ...] = ()  # what the meeting recorded under it, in order


@dataclass(frozen=True)
class AgendaSection:
    key: str
    title: str
    items: tuple[AgendaEntry, ...]


@dataclass(frozen=True)
class TodoEntry:
    number: int
    text: str
    owners: tuple[str, ...] = ()  # display names
    is_new: bool = False  # recorded at the meeting the view is of (the minutes say "New")
    done: bool = False
    channel: str = ""  # set where TODOs of several channels are listed (the App Home)


@dataclass(frozen=True)
class OwnerTodos:
    owner: str  # a display name, or NOBODY
    todos: tuple[TodoEntry, ...]


def in_display_order(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    """By section, then position: agenda item N is the Nth of this list."""
    return sorted(items, key=lambda i: (SECTION_ORDER.index(i.section), i.position, i.id))


def numbered_agenda(items: Iterable[AgendaItem]) -> tuple[AgendaEntry, ...]:
    return tuple(
        AgendaEntry(n, i.section, i.text, i.author_name, i.done, i.carried_over)
        for n, i in enumerate(in_display_order(items), start=1)
    )


def by_section(entries: Iterable[AgendaEntry]) -> tuple[AgendaSection, ...]:
    sections: dict[str, list[AgendaEntry]] = {}
    for entry in entries:
        sections.setdefault(entry.section, []).append(entry)
    return tuple(AgendaSection(key, SECTIONS[key], tuple(items)) for key, items in sections.items())


def todo_entry(todo: Todo, names: Mapping[str, str], channel: str = "") -> TodoEntry:
    return TodoEntry(todo.number, todo.text, tuple(names.get(o, o) for o in todo.owners),
                     done=not todo.is_open, channel=channel)


def by_owner(todos: Iterable[Todo], names: Mapping[str, str]) -> tuple[OwnerTodos, ...]:
    """Each owner's TODOs (a shared one under each owner), owners by name, then the
    TODOs nobody took: none may vanish from a list."""
    todos = list(todos)
    owner_ids = {o for t in todos for o in t.owners}
    groups = [
        OwnerTodos(names.get(o, o), tuple(todo_entry(t, names) for t in todos if o in t.owners))
        for o in sorted(owner_ids, key=lambda o: (names.get(o, o).lower(), o))
    ]
    unowned = tuple(todo_entry(t, names) for t in todos if not t.owners)
    if unowned:
        groups.append(OwnerTodos(NOBODY, unowned))
    return tuple(groups)


def belongs_to(todo: Todo, series_id: str) -> bool:
    """A channel may hold several series: a TODO recorded at another one's meeting is its
    own; one recorded outside any meeting belongs to every series of the channel."""
    return todo.series in (None, series_id)


def shown_zones(zones: Iterable[str | None]) -> tuple[str, ...]:
    """Each zone once, under its canonical name, sorted; a profile's zone this machine
    does not know is left out."""
    return tuple(sorted({shown for z in zones if z and (shown := canonical_name(z))}))


@dataclass(frozen=True)
class MeetingView:
    """One occurrence of a series in one channel, as of when it was gathered."""

    series: Series
    occurrence: Occurrence | None  # None: the series has no meeting to come
    agenda: tuple[AgendaEntry, ...] = ()
    attendance: tuple[Attendance, ...] = ()
    todos: tuple[OwnerTodos, ...] = ()  # open TODOs of this series, by owner
    zones: tuple[str, ...] = ()  # the members' and the schedule's, canonical, once each
    page_url: str = ""
    in_progress: bool = False  # started with /meeting start and not ended
    chairs: tuple[str, ...] = ()  # display names, when the meeting was run item by item
    unfiled: tuple[FiledEntry, ...] = ()  # recorded before any item was taken up

    @property
    def present(self) -> tuple[Attendance, ...]:
        return tuple(a for a in self.attendance if not a.regrets)

    @property
    def regrets(self) -> tuple[Attendance, ...]:
        return tuple(a for a in self.attendance if a.regrets)

    def sections(self) -> tuple[AgendaSection, ...]:
        return by_section(self.agenda)

    def open_agenda(self) -> tuple[AgendaEntry, ...]:
        return tuple(entry for entry in self.agenda if not entry.done)


# -- as reply lines (chat replies, the reminder's text form) ------------------------------


def agenda_lines(entries: Iterable[AgendaEntry], depth: int = 0, marks: bool = True
                 ) -> list[Line]:
    """Section headings, then 'N. text (author) (done)' lines under each."""
    lines = []
    for section in by_section(entries):
        lines.append(line(section.title, depth=depth, heading=True))
        for item in section.items:
            author = f" ({item.author})" if item.author else ""
            flags = "".join([" (done)" if item.done else "",
                             " (carried over)" if item.carried_over else ""]) if marks else ""
            lines.append(line(ItemRef("agenda", item.number), f". {item.text}{author}{flags}",
                              depth=depth + 1))
    return lines


def todo_lines(groups: Iterable[OwnerTodos], depth: int = 0) -> list[Line]:
    """Owner names, then 'N. text' lines under each, each TODO with its Done action."""
    lines = []
    for group in groups:
        lines.append(line(group.owner, depth=depth, heading=True))
        lines += [line(ItemRef("todo", todo.number, ("done",)), f". {todo.text}",
                       depth=depth + 1) for todo in group.todos]
    return lines
