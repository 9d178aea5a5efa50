"""A meeting run item by item, for the read model: the agenda as the meeting took it
up (new topics included, numbered as the meeting numbered them), each item with what
was filed under it; undone entries are absent."""

from __future__ import annotations

from collections.abc import Iterable

from chatbot.core.live_meeting import Entry, LiveMeeting
from chatbot.core.live_words import parse_link, parse_vote_question
from chatbot.core.model import AgendaItem
from chatbot.core.view import AgendaEntry, FiledEntry


def filed_entries(live: LiveMeeting, entries: Iterable[Entry]) -> tuple[FiledEntry, ...]:
    return tuple(_filed(live, entry) for entry in entries)


def _filed(live: LiveMeeting, entry: Entry) -> FiledEntry:
    if entry.kind == "link":
        link = parse_link(entry.text)
        return FiledEntry("link", link.url, title=link.title)
    if entry.kind == "todo":
        return FiledEntry("todo", entry.text, owners=tuple(map(live.name, entry.owners)))
    if entry.kind == "vote":
        vote = live.vote_of(entry)
        counts = tuple(
            (choice, count, tuple(map(live.name, vote.voters(choice))))
            for choice, count in vote.counts()
        ) if vote else ()
        question = parse_vote_question(entry.text).question
        return FiledEntry("vote", question, counts=counts, closed=bool(vote and vote.closed))
    return FiledEntry(entry.kind, entry.text)


def live_agenda(live: LiveMeeting, stored: Iterable[AgendaItem]) -> tuple[AgendaEntry, ...]:
    """Every item, numbered as the meeting numbers them: an item taken up is discussed."""
    by_key = {str(item.id): item for item in stored}
    entries = []
    for view in live.items:
        item = by_key.get(view.item.key)
        entries.append(AgendaEntry(
            number=view.number, section=view.item.section, text=view.item.text,
            author=item.author_name if item else live.name(view.item.author),
            done=(item is not None and item.done) or view.status != "not taken up",
            carried_over=item is not None and item.carried_over,
            filed=filed_entries(live, view.entries),
        ))
    return tuple(entries)
