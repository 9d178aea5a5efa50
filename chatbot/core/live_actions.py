"""What people do in a live meeting, as pure operations on a `LiveMeeting`.

Each operation returns an `Outcome`: the meeting after it, the one-line reply, and
the rows to write (new entries, or an entry whose `undone` flag changed), or raises
`LiveMeetingError` with one line saying what to do instead, leaving nothing changed.
Chairs (the starter, the series' admins, and whoever a chair adds) take up items,
open and close votes, change the chairs and undo other people's entries; anyone
present records notes, links, TODOs and decisions, and votes.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from chatbot.core.live_meeting import Entry, LiveMeeting, VoteView, topic_key
from chatbot.core.live_words import (
    DEFAULT_CHOICES,
    LiveMeetingError,
    format_timebox,
    match_choice,
    parse_link,
    parse_vote_question,
)
from chatbot.core.reply import VoteShown


@dataclass(frozen=True)
class Outcome:
    meeting: LiveMeeting
    message: str
    changed: tuple[Entry, ...]  # rows to insert, or to update by `seq`
    vote: VoteShown | None = None  # the vote it opened, voted in or closed


def require_chair(meeting: LiveMeeting, user: str, doing: str) -> None:
    """Refuse `doing` ("take up an item") to anyone but a chair, naming the chairs."""
    if not meeting.is_chair(user):
        raise LiveMeetingError(
            f"Only a chair can {doing}; the chairs are {meeting.names_of(meeting.chairs)}."
        )


def _add(meeting: LiveMeeting, kind: str, user: str, now: datetime.datetime,
         numbered: bool = True, **fields: Any) -> tuple[LiveMeeting, Entry]:
    entry = Entry(
        seq=meeting.next_seq(), kind=kind,
        number=meeting.next_number() if numbered else None,
        author=user, created_at=now, **fields,
    )
    return dataclasses.replace(meeting, entries=(*meeting.entries, entry)), entry


def _current_key(meeting: LiveMeeting) -> str | None:
    current = meeting.current
    return current.view.item.key if current else None


# --------------------------------------------------------------------------
# Taking up items


def take_next(meeting: LiveMeeting, user: str, now: datetime.datetime,
              timebox: int | None = None) -> Outcome:
    """The first item after the current one not yet taken up (or, from the top)."""
    require_chair(meeting, user, "take up an item")
    current = meeting.current
    after = current.view.number if current else 0
    waiting = [v for v in meeting.items if v.status == "not taken up"]
    view = next((v for v in waiting if v.number > after), waiting[0] if waiting else None)
    if view is None:
        raise LiveMeetingError(
            "Every item has been taken up: take one again with /agenda take N, "
            "or a new topic with /agenda take TOPIC."
        )
    return _take(meeting, user, now, view.item.key, "", timebox)


def take_item(meeting: LiveMeeting, user: str, number: int, now: datetime.datetime,
              timebox: int | None = None) -> Outcome:
    require_chair(meeting, user, "take up an item")
    items = meeting.items
    if not 1 <= number <= len(items):
        have = f"items 1–{len(items)}" if items else "no items"
        raise LiveMeetingError(
            f"There is no item {number} (the agenda has {have}); "
            "use /agenda take TOPIC for a topic that is not on it."
        )
    return _take(meeting, user, now, items[number - 1].item.key, "", timebox)


def take_topic(meeting: LiveMeeting, user: str, topic: str, now: datetime.datetime,
               timebox: int | None = None) -> Outcome:
    """A topic that was not on the agenda: added under "Help or discussion needed"."""
    require_chair(meeting, user, "take up an item")
    topic = " ".join(topic.split())
    if not topic:
        raise LiveMeetingError("Which topic? Use /agenda take TOPIC.")
    return _take(meeting, user, now, topic_key(meeting.next_number()), topic, timebox)


def _take(meeting: LiveMeeting, user: str, now: datetime.datetime, key: str, topic: str,
          timebox: int | None) -> Outcome:
    before = meeting.current
    meeting, entry = _add(meeting, "take", user, now, item=key, text=topic, timebox=timebox)
    current = meeting.current
    assert current is not None  # it was just taken up
    message = f"Entry {entry.number}: taking up {meeting.describe_item(current)}."
    previous = meeting.item(before.view.item.key) if before else None
    if previous and previous.item.key != key:
        message += f" Item {previous.number} is marked discussed."
    return Outcome(meeting, message, (entry,))


# --------------------------------------------------------------------------
# Recording under the current item


def record(meeting: LiveMeeting, user: str, kind: str, text: str, now: datetime.datetime,
           owners: tuple[str, ...] = ()) -> Outcome:
    """A note, link ("URL TITLE"), TODO (with owners) or decision under the current item."""
    if kind not in ("note", "link", "todo", "decision"):
        raise ValueError(f"not a kind of record: {kind!r}")
    text = " ".join(text.split())
    if not text:
        usage = {"note": "/note TEXT", "link": "/link URL [TEXT]",
                 "todo": "/todo add [@owner] TEXT", "decision": "/decision TEXT"}[kind]
        raise LiveMeetingError(f"What should it say? Use {usage}.")
    if kind == "link":
        parse_link(text)
    meeting, entry = _add(meeting, kind, user, now, item=_current_key(meeting),
                          text=text, owners=owners)
    place = meeting.item_label(entry.item) if entry.item else "the meeting (no item taken up yet)"
    what = {"note": "Note", "link": "Link", "todo": "TODO", "decision": "Decision"}[kind]
    return Outcome(meeting, f"Entry {entry.number}: {what} filed under {place}.", (entry,))


# --------------------------------------------------------------------------
# The ice-breaker


ICEBREAKER_USAGE = "/icebreaker QUESTION (chairs), then /icebreaker ANSWER (anyone)"


def icebreaker(meeting: LiveMeeting, user: str, text: str, now: datetime.datetime) -> Outcome:
    """Until a question is asked, a chair's words are the question; after it, anyone's
    are their answer (a chair changes the question with /undo, then asks again)."""
    text = " ".join(text.split())
    if not text:
        raise LiveMeetingError(f"What should it say? Use {ICEBREAKER_USAGE}.")
    if meeting.icebreaker is None:
        require_chair(meeting, user, "ask the ice-breaker question")
        meeting, entry = _add(meeting, "icebreaker", user, now, item=None, text=text)
        return Outcome(meeting, f"Entry {entry.number}: ice-breaker question “{text}”; "
                                "answer with /icebreaker ANSWER.", (entry,))
    meeting, entry = _add(meeting, "answer", user, now, item=None, text=text)
    return Outcome(meeting, f"Entry {entry.number}: {meeting.name(user)}'s ice-breaker "
                            "answer.", (entry,))


def show_icebreaker(meeting: LiveMeeting) -> str:
    question = meeting.icebreaker
    if question is None:
        return f"No ice-breaker question yet: {ICEBREAKER_USAGE}."
    count = len(meeting.answers)
    return (f"Ice-breaker: “{question.text}” ({count} answer{'' if count == 1 else 's'}); "
            "answer with /icebreaker ANSWER.")


# --------------------------------------------------------------------------
# Undo


def undo(meeting: LiveMeeting, user: str, now: datetime.datetime,
         number: int | None = None) -> Outcome:
    """The user's own last entry, or entry N (anyone's, for a chair)."""
    entry = _own_last(meeting, user) if number is None else _numbered(meeting, user, number)
    _check_orphans(meeting, entry)
    message = f"Removed entry {entry.number}, {meeting.describe(entry)}"
    vote = meeting.vote_of(entry)
    if vote and vote.ballots:
        count = len(vote.ballots)
        message += f", and its {count} ballot{'s' if count > 1 else ''}"
    # A vote taken back: its own message (Slack's) loses its buttons and says so.
    removed = VoteShown(entry.number or 0, vote.question, vote.choices, "", closed=True,
                        removed=True) if vote else None
    undone = dataclasses.replace(entry, undone=True)
    entries = tuple(undone if e.seq == entry.seq else e for e in meeting.entries)
    after = dataclasses.replace(meeting, entries=entries)
    if entry.kind == "take":
        current = after.current
        message += f"; now on {after.item_label(current.view.item.key)}" if current else \
            "; no item is taken up now"
    return Outcome(after, message + ".", (undone,), removed)


def _own_last(meeting: LiveMeeting, user: str) -> Entry:
    mine = [e for e in meeting.live_entries if e.author == user]
    if not mine:
        raise LiveMeetingError("You have nothing to undo in this meeting.")
    return mine[-1]


def _numbered(meeting: LiveMeeting, user: str, number: int) -> Entry:
    entry = meeting.entry(number)
    if entry is None:
        last = meeting.next_number() - 1
        have = f"entries 1–{last}" if last else "no entries yet"
        raise LiveMeetingError(f"There is no entry {number} (this meeting has {have}).")
    if entry.undone:
        raise LiveMeetingError(f"Entry {number} was already undone.")
    if entry.author != user:
        require_chair(meeting, user, "undo someone else's entry")
    return entry


def _check_orphans(meeting: LiveMeeting, entry: Entry) -> None:
    """A new topic's entries would lose their item: they go first."""
    if entry.kind != "take" or entry.item != topic_key(entry.number or 0):
        return
    view = meeting.item(entry.item)
    if view and view.entries:
        numbers = ", ".join(str(e.number) for e in view.entries)
        which = f"Entries {numbers} are" if len(view.entries) > 1 else f"Entry {numbers} is"
        raise LiveMeetingError(
            f"{which} filed under “{view.item.text}”: undo them first "
            f"(/undo N), then entry {entry.number}."
        )


# --------------------------------------------------------------------------
# Chairs


def add_chairs(meeting: LiveMeeting, user: str, users: tuple[str, ...],
               now: datetime.datetime) -> Outcome:
    require_chair(meeting, user, "add chairs")
    new = tuple(dict.fromkeys(u for u in users if not meeting.is_chair(u)))
    if not new:
        raise LiveMeetingError(
            f"{meeting.names_of(list(users)) or 'Nobody'} is already a chair; "
            f"the chairs are {meeting.names_of(meeting.chairs)}."
        )
    meeting, entry = _add(meeting, "chair", user, now, numbered=False,
                          item=_current_key(meeting), owners=new)
    return Outcome(meeting, f"The chairs are now {meeting.names_of(meeting.chairs)}.", (entry,))


def remove_chair(meeting: LiveMeeting, user: str, chair: str,
                 now: datetime.datetime) -> Outcome:
    require_chair(meeting, user, "remove a chair")
    name = meeting.name(chair)
    if not meeting.is_chair(chair):
        raise LiveMeetingError(
            f"{name} is not a chair; the chairs are {meeting.names_of(meeting.chairs)}."
        )
    if chair in meeting.admins:
        raise LiveMeetingError(f"{name} is an admin of this meeting series and stays a chair.")
    if meeting.chairs == (chair,):
        raise LiveMeetingError(f"{name} is the only chair: add another with /chair @user first.")
    meeting, entry = _add(meeting, "unchair", user, now, numbered=False,
                          item=_current_key(meeting), owners=(chair,))
    return Outcome(
        meeting,
        f"{name} is no longer a chair; the chairs are {meeting.names_of(meeting.chairs)}.",
        (entry,),
    )


# --------------------------------------------------------------------------
# Timebox


def check_timebox(meeting: LiveMeeting, now: datetime.datetime) -> Outcome | None:
    """One short note when the current item's timebox has run out, once per item."""
    current = meeting.current
    if current is None or not current.timebox or meeting.overtime_noted(current.take):
        return None
    if now - current.take.created_at < datetime.timedelta(minutes=current.timebox):
        return None
    meeting, entry = _add(meeting, "overtime", "", now, numbered=False,  # said by the bot
                          item=current.view.item.key)
    message = (f"Item {current.view.number} has reached its "
               f"{format_timebox(current.timebox)} timebox.")
    return Outcome(meeting, message, (entry,))


# --------------------------------------------------------------------------
# Votes


def vote(meeting: LiveMeeting, user: str, text: str, now: datetime.datetime) -> Outcome:
    """`/vote TEXT`: a ballot when a vote is open, else a new vote (chairs)."""
    open_vote = meeting.open_vote
    if open_vote is None and match_choice(text, DEFAULT_CHOICES):
        raise LiveMeetingError(
            "No vote is open; a chair opens one with /vote QUESTION [choice, choice, ...]."
        )
    if open_vote is None:
        return _open_vote(meeting, user, text, now)
    choice = match_choice(text, open_vote.choices)
    if choice is None:
        raise LiveMeetingError(
            f"The vote “{open_vote.question}” is open: vote one of "
            f"{', '.join(open_vote.choices)}, or a chair closes it with /vote close."
        )
    before = open_vote.ballots.get(user)
    meeting, entry = _add(meeting, "ballot", user, now, numbered=False,
                          item=open_vote.entry.item, text=choice)
    changed = f" (was {before})" if before and before != choice else ""
    shown = _shown(meeting, meeting.open_vote)
    message = f"{meeting.name(user)} votes {choice}{changed}. {shown.standing()}"
    return Outcome(meeting, message, (entry,), shown)


def withdraw_ballot(meeting: LiveMeeting, user: str, now: datetime.datetime) -> Outcome:
    """`/vote withdraw`: the speaker's ballot in the open vote no longer counts."""
    open_vote = meeting.open_vote
    if open_vote is None:
        raise LiveMeetingError("No vote is open, so there is no ballot to withdraw.")
    if user not in open_vote.ballots:
        raise LiveMeetingError(f"You have not voted in “{open_vote.question}”.")
    before = open_vote.ballots[user]
    meeting, entry = _add(meeting, "ballot", user, now, numbered=False,
                          item=open_vote.entry.item, text="")
    shown = _shown(meeting, meeting.open_vote)
    message = f"{meeting.name(user)} withdraws their vote ({before}). {shown.standing()}"
    return Outcome(meeting, message, (entry,), shown)


def _open_vote(meeting: LiveMeeting, user: str, text: str,
               now: datetime.datetime) -> Outcome:
    require_chair(meeting, user, "open a vote")
    parse_vote_question(text)  # a mistake in it is refused before anything is added
    meeting, entry = _add(meeting, "vote", user, now, item=_current_key(meeting), text=text)
    shown = _shown(meeting, meeting.vote_of(entry), opened=True)
    return Outcome(meeting, shown.opening(), (entry,), shown)


def _shown(meeting: LiveMeeting, view: VoteView | None, opened: bool = False) -> VoteShown:
    assert view is not None and view.entry.number is not None  # a vote just changed
    return VoteShown(view.entry.number, view.question, view.choices,
                     meeting.tally(view, with_names=view.closed), view.closed, opened)


def show_vote(meeting: LiveMeeting) -> str:
    """The open vote's question and its count so far."""
    view = meeting.open_vote
    if view is None:
        return "No vote is open; a chair opens one with /vote QUESTION [choice, choice, ...]."
    return _shown(meeting, view).standing()


def close_vote(meeting: LiveMeeting, user: str, now: datetime.datetime) -> Outcome:
    require_chair(meeting, user, "close a vote")
    view = meeting.open_vote
    if view is None:
        raise LiveMeetingError("No vote is open; open one with /vote QUESTION.")
    meeting, entry = _add(meeting, "close", user, now, numbered=False, item=view.entry.item)
    shown = _shown(meeting, meeting.vote_of(view.entry))
    return Outcome(meeting, shown.standing(), (entry,), shown)
