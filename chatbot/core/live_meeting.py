"""A meeting run item by item: its entries, and everything that follows from them.

The entries are the source of truth, one row each: taking up an item, a note, a link,
a TODO, a decision, a vote, and the events that are not minutes (a ballot, closing a
vote, a chair added or removed, the timebox note). Undoing an entry sets its `undone`
flag and nothing else, so nothing typed is ever lost. Which item is current, what is
filed under each item, who chairs, and how a vote stands are read from the entries
that are not undone, in order. `live_actions.py` adds entries; this module only reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from chatbot.core.live_words import format_timebox, parse_link, parse_vote_question
from chatbot.core.model import DEFAULT_SECTION

# Entries people see in the minutes and name with /undo N, numbered 1, 2, 3 ...
NUMBERED_KINDS = ("take", "note", "link", "todo", "decision", "vote", "icebreaker", "answer")
# What is filed under the item being discussed (the ice-breaker belongs to no item).
FILED_KINDS = ("note", "link", "todo", "decision", "vote")
# Events kept as rows too, without a number: they change state but are no minutes.
EVENT_KINDS = ("ballot", "close", "chair", "unchair", "overtime")


@dataclass(frozen=True)
class Entry:
    """One row of a live meeting."""

    seq: int  # 1, 2, 3 ... over every row: the key a store updates `undone` by
    kind: str  # one of NUMBERED_KINDS or EVENT_KINDS
    number: int | None  # what people see and /undo N names; None for events
    item: str | None  # key of the item it is filed under; None before any item
    author: str  # user id
    created_at: datetime.datetime
    # As typed: a note or decision; "URL TITLE" of a link; "QUESTION [a, b]" of a vote;
    # a ballot's choice; a new topic taken up ('' for an agenda item).
    text: str = ""
    owners: tuple[str, ...] = ()  # a TODO's owners; the users a chair change names
    timebox: int | None = None  # minutes, for taking up an item
    undone: bool = False


@dataclass(frozen=True)
class Item:
    """An agenda item as the live meeting needs it; `key` is the caller's id for it."""

    key: str
    section: str
    text: str
    author: str = ""  # who brings it (a user id, or a name for imported items)
    timebox: int | None = None  # minutes


@dataclass(frozen=True)
class ItemView:
    number: int  # the agenda's numbering, new topics included
    item: Item
    status: str  # "current" | "discussed" | "not taken up"
    entries: tuple[Entry, ...]  # notes, links, TODOs, decisions, votes filed under it


@dataclass(frozen=True)
class Current:
    view: ItemView
    take: Entry  # the entry that took it up

    @property
    def timebox(self) -> int | None:
        return self.take.timebox or self.view.item.timebox


@dataclass(frozen=True)
class VoteView:
    entry: Entry
    question: str
    choices: tuple[str, ...]
    ballots: dict[str, str]  # user -> choice, in the order they first voted
    closed: bool

    def voters(self, choice: str) -> tuple[str, ...]:
        return tuple(user for user, chosen in self.ballots.items() if chosen == choice)

    def counts(self) -> tuple[tuple[str, int], ...]:
        return tuple((choice, len(self.voters(choice))) for choice in self.choices)


@dataclass
class _Derived:
    topics: list[Item] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    take: Entry | None = None
    chairs: list[str] = field(default_factory=list)
    votes: list[VoteView] = field(default_factory=list)
    overtime: set[int] = field(default_factory=set)  # seqs of takes already noted


def topic_key(take_number: int) -> str:
    """The key of a topic that was not on the agenda: the entry that took it up."""
    return f"topic-{take_number}"


def topic_entry(key: str) -> int | None:
    """The number of the entry that took up the topic keyed `key` (None: not a topic)."""
    prefix, _, number = key.partition("-")
    return int(number) if prefix == "topic" and number.isdigit() else None


@dataclass(frozen=True)
class LiveMeeting:
    agenda: tuple[Item, ...]  # in the agenda's order (by section, then position)
    starter: str  # who started the meeting: its first chair
    admins: frozenset[str] = frozenset()  # the series' admins: chairs too
    names: Mapping[str, str] = field(default_factory=dict)  # user id -> display name
    entries: tuple[Entry, ...] = ()

    def name(self, user: str) -> str:
        return self.names.get(user, user)

    def names_of(self, users: tuple[str, ...] | list[str]) -> str:
        return ", ".join(self.name(user) for user in users)

    @cached_property
    def _derived(self) -> _Derived:
        derived = _Derived(chairs=[self.starter, *sorted(self.admins - {self.starter})])
        for entry in self.entries:
            if not entry.undone:
                _apply(derived, entry)
        return derived

    # ------------------------------------------------------------------ items

    @property
    def topics(self) -> tuple[Item, ...]:
        """The topics taken up that were not on the agenda, in the order taken up."""
        return tuple(self._derived.topics)

    @cached_property
    def items(self) -> tuple[ItemView, ...]:
        """Every item, numbered as people see them: new topics at the end of
        "Help or discussion needed"."""
        agenda = list(self.agenda)
        discuss = [i for i, item in enumerate(agenda) if item.section == DEFAULT_SECTION]
        at = discuss[-1] + 1 if discuss else 0
        agenda[at:at] = self._derived.topics
        filed: dict[str | None, list[Entry]] = {}
        for entry in self.live_entries:
            if entry.kind in FILED_KINDS:
                filed.setdefault(entry.item, []).append(entry)
        current = self._derived.take.item if self._derived.take else None
        return tuple(
            ItemView(number, item, _status(item.key, current, self._derived.taken, filed),
                     tuple(filed.get(item.key, ())))
            for number, item in enumerate(agenda, start=1)
        )

    def item(self, key: str | None) -> ItemView | None:
        return next((view for view in self.items if view.item.key == key), None)

    @property
    def unfiled(self) -> tuple[Entry, ...]:
        """Entries recorded before any item was taken up."""
        return tuple(e for e in self.live_entries if e.item is None and e.kind in FILED_KINDS)

    @property
    def icebreaker(self) -> Entry | None:
        """The ice-breaker question asked (a chair's `/icebreaker QUESTION`), if any."""
        return next((e for e in reversed(self.live_entries) if e.kind == "icebreaker"), None)

    @property
    def answers(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.live_entries if e.kind == "answer")

    @property
    def current(self) -> Current | None:
        take = self._derived.take
        view = self.item(take.item) if take else None
        return Current(view, take) if view and take else None

    # ---------------------------------------------------------------- entries

    @property
    def live_entries(self) -> tuple[Entry, ...]:
        """The numbered entries that stand (not undone), in order."""
        return tuple(e for e in self.entries if e.number is not None and not e.undone)

    def entry(self, number: int) -> Entry | None:
        return next((e for e in self.entries if e.number == number), None)

    def next_seq(self) -> int:
        return max((e.seq for e in self.entries), default=0) + 1

    def next_number(self) -> int:
        numbers = [e.number for e in self.entries if e.number is not None]
        return max(numbers, default=0) + 1

    def timebox_of(self, view: ItemView) -> int | None:
        """The timebox it was last taken up with, else the agenda's."""
        takes = [e for e in self.live_entries if e.kind == "take" and e.item == view.item.key]
        return (takes[-1].timebox if takes else None) or view.item.timebox

    def overtime_noted(self, take: Entry) -> bool:
        return take.seq in self._derived.overtime

    # ----------------------------------------------------------- chairs, votes

    @property
    def chairs(self) -> tuple[str, ...]:
        return tuple(self._derived.chairs)

    def is_chair(self, user: str) -> bool:
        return user in self._derived.chairs

    @property
    def votes(self) -> tuple[VoteView, ...]:
        return tuple(self._derived.votes)

    @property
    def open_vote(self) -> VoteView | None:
        return next((vote for vote in self._derived.votes if not vote.closed), None)

    def vote_of(self, entry: Entry) -> VoteView | None:
        return next((vote for vote in self._derived.votes if vote.entry.seq == entry.seq), None)

    def tally(self, vote: VoteView | None, with_names: bool) -> str:
        """'+1: 2 (Tim, Erik), 0: 1 (Min), -1: 0', or without the names."""
        if vote is None:
            return ""
        parts = []
        for choice, count in vote.counts():
            voters = f" ({self.names_of(vote.voters(choice))})" if with_names and count else ""
            parts.append(f"{choice}: {count}{voters}")
        return ", ".join(parts)

    # ---------------------------------------------------------- descriptions

    def item_label(self, key: str | None) -> str:
        view = self.item(key)
        return f"item {view.number}, “{view.item.text}”" if view else "no item"

    def describe(self, entry: Entry) -> str:
        """'Min's note “stray”' or 'Min taking up item 3, “z2jh”': for replies."""
        who = self.name(entry.author)
        if entry.kind == "take":
            return f"{who} taking up {self.item_label(entry.item)}"
        if entry.kind == "link":
            return f"{who}'s link {parse_link(entry.text).url}"
        if entry.kind == "todo":
            owners = f" ({self.names_of(entry.owners)})" if entry.owners else ""
            return f"{who}'s TODO “{entry.text}”{owners}"
        if entry.kind == "vote":
            return f"{who}'s vote “{parse_vote_question(entry.text).question}”"
        if entry.kind == "icebreaker":
            return f"{who}'s ice-breaker question “{entry.text}”"
        return f"{who}'s {entry.kind} “{entry.text}”"

    def describe_item(self, current: Current) -> str:
        """'item 3, “z2jh”, brought by Min, timebox 10m'."""
        view = current.view
        parts = [f"item {view.number}, “{view.item.text}”"]
        if view.item.author:
            parts.append(f"brought by {self.name(view.item.author)}")
        if current.timebox:
            parts.append(f"timebox {format_timebox(current.timebox)}")
        return ", ".join(parts)


def _status(key: str, current: str | None, taken: set[str], filed: Mapping) -> str:
    if key == current:
        return "current"
    return "discussed" if key in taken or key in filed else "not taken up"


def _apply(derived: _Derived, entry: Entry) -> None:
    """One entry that stands, applied to what the entries before it made."""
    open_vote = next((vote for vote in derived.votes if not vote.closed), None)
    if entry.kind == "take":
        if entry.text and entry.item == topic_key(entry.number or 0):
            topic = Item(entry.item, DEFAULT_SECTION, entry.text, entry.author)
            derived.topics.append(topic)
        derived.taken.add(entry.item or "")
        derived.take = entry
    elif entry.kind == "vote":
        question = parse_vote_question(entry.text)
        derived.votes.append(VoteView(entry, question.question, question.choices, {}, False))
    elif entry.kind == "ballot" and open_vote:
        if entry.text:
            open_vote.ballots[entry.author] = entry.text
        else:  # withdrawn
            open_vote.ballots.pop(entry.author, None)
    elif entry.kind == "close" and open_vote:
        index = derived.votes.index(open_vote)
        derived.votes[index] = VoteView(
            open_vote.entry, open_vote.question, open_vote.choices, open_vote.ballots, True
        )
    elif entry.kind == "chair":
        derived.chairs += [user for user in entry.owners if user not in derived.chairs]
    elif entry.kind == "unchair":
        derived.chairs = [user for user in derived.chairs if user not in entry.owners]
    elif entry.kind == "overtime" and derived.take:
        derived.overtime.add(derived.take.seq)
