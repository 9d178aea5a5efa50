"""Running the meeting item by item from chat: /agenda next|take, /topic, /note, /link,
/undo, /chair, /unchair, /vote, and /todo add and /decision filed under the current item.

The rules are the pure core's (`core/live_actions.py`); this module reads the meeting in
progress from the store, applies one action, and writes the rows it changed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from chatbot.commands import meeting_run
from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import clean, leading_mentions
from chatbot.core import live_actions
from chatbot.core.live_actions import Outcome
from chatbot.core.live_meeting import Entry, LiveMeeting
from chatbot.core.live_words import LiveMeetingError, parse_take, parse_undo, parse_vote
from chatbot.core.reply import Text, VoteShown, extended
from chatbot.core.schedule import Series
from chatbot.meeting_view import live_meeting

NOT_IN_MEETING = (
    "No meeting is in progress here: start one with /meeting start, or add this to the "
    "next meeting's agenda with /agenda add TEXT."
)


@dataclass(frozen=True)
class Running:
    """The meeting in progress in this channel, as the live core reads it."""

    series: Series
    occurrence: str
    meeting: LiveMeeting


def running(context: Context) -> Running | None:
    found = meeting_run.open_meeting(context)
    if found is None:
        return None
    series, record = found
    meeting = live_meeting(context.store, context.scope, series, record.occurrence)
    return Running(series, record.occurrence, meeting) if meeting else None


def _required(context: Context) -> Running:
    live = running(context)
    if live is None:
        raise CommandError(NOT_IN_MEETING)
    return live


def _act(context: Context, action: Callable[[LiveMeeting], Outcome]) -> Reply:
    """One action on the meeting in progress, its rows written, its reply public."""
    live = _required(context)
    try:
        outcome = action(live.meeting)
    except LiveMeetingError as error:
        raise CommandError(str(error)) from None
    save(context, live, outcome.changed)
    message = outcome.message
    # No timer interrupts anyone: the next thing said after the timebox gets one note.
    overtime = live_actions.check_timebox(outcome.meeting, context.now)
    if overtime is not None:
        save(context, live, overtime.changed)
        message += "\n" + overtime.message
    return Reply(message, public=True, vote=_where_shown(context, live, outcome))


def _where_shown(context: Context, live: Running, outcome: Outcome) -> VoteShown | None:
    """The vote the action changed, with where its own message is kept, for adapters
    that show a vote in a message of its own."""
    vote = outcome.vote
    if vote is None:
        return None
    where = (live.series.id, live.occurrence)
    message = context.store.live_entries.shown_in(context.scope, *where, vote.number)
    return dataclasses.replace(vote, meeting=where, message=message or "")


def save(context: Context, live: Running, changed: tuple[Entry, ...],
         ref: int | None = None) -> None:
    store, where = context.store, (context.scope, live.series.id, live.occurrence)
    store.live_entries.save(*where, changed, ref)
    for entry in changed:
        if entry.kind == "take" and entry.item and entry.item.isdigit():
            # An agenda item taken up is discussed: /meeting end does not carry it over.
            store.agenda.set_done(int(entry.item), not entry.undone)
        if entry.undone and entry.kind in ("todo", "decision"):
            # Gone from every list; its text and author stay in the undone entry.
            made = store.live_entries.ref(*where, entry.seq)
            if made is not None:
                table = store.todos if entry.kind == "todo" else store.decisions
                table.remove(made)


# --------------------------------------------------------------------------
# Taking up items


def agenda_next(context: Context, rest: str) -> Reply:
    target = parse_take(rest) if rest else None
    timebox = target.timebox if target else None
    if target and (target.number or target.topic):
        raise CommandError("Use /agenda next [10m], or /agenda take N|TOPIC [10m].")
    return _act(context, lambda m: live_actions.take_next(m, context.user.id, context.now,
                                                          timebox))


def agenda_take(context: Context, rest: str) -> Reply:
    try:
        target = parse_take(clean(rest))
    except LiveMeetingError as error:
        raise CommandError(str(error)) from None
    user, now = context.user.id, context.now
    if target.number is not None:
        return _act(context, lambda m: live_actions.take_item(m, user, target.number, now,
                                                              target.timebox))
    return _act(context, lambda m: live_actions.take_topic(m, user, target.topic, now,
                                                           target.timebox))


def topic_command(context: Context) -> Reply:
    """/topic is /agenda take (console and Gitter: Slack keeps /topic for itself)."""
    return agenda_take(context, context.command.args)


# --------------------------------------------------------------------------
# Recording


def note_command(context: Context) -> Reply:
    return _record(context, "note", clean(context.command.args))


def link_command(context: Context) -> Reply:
    return _record(context, "link", clean(context.command.args))


def _record(context: Context, kind: str, text: str) -> Reply:
    return _act(context, lambda m: live_actions.record(m, context.user.id, kind, text,
                                                       context.now))


def file_under_current_item(context: Context, kind: str, text: str, ref: int,
                            owners: tuple[str, ...] = ()) -> str:
    """A TODO or decision stored as ever, also filed under the item being discussed:
    the reply's extra words, or '' when no meeting is in progress."""
    live = running(context)
    if live is None:
        return ""
    outcome = live_actions.record(live.meeting, context.user.id, kind, text, context.now,
                                  owners)
    save(context, live, outcome.changed, ref)
    return " " + outcome.message


# --------------------------------------------------------------------------
# Undo, chairs, votes


def undo_command(context: Context) -> Reply:
    try:
        number = parse_undo(context.command.args)
    except LiveMeetingError as error:
        raise CommandError(str(error)) from None
    return _act(context, lambda m: live_actions.undo(m, context.user.id, context.now, number))


def _mentioned(context: Context, usage: str) -> tuple[str, ...]:
    mentions, leftover = leading_mentions(clean(context.command.args))
    if not mentions or leftover:
        raise CommandError(f"Whom? Use {usage}.")
    return tuple(context.resolve(mention).id for mention in mentions)


def chair_the_facilitator(context: Context, facilitator: str) -> str:
    """At /meeting start: this meeting's facilitator chairs it beside whoever started it.
    The line to add to the reply ('' when they chair it already)."""
    live = _required(context)
    if live.meeting.is_chair(facilitator):
        return ""
    outcome = live_actions.add_chairs(live.meeting, context.user.id, (facilitator,),
                                      context.now)
    save(context, live, outcome.changed)
    return f"\nThe facilitator chairs it too. {outcome.message}"


def chair_command(context: Context) -> Reply:
    users = _mentioned(context, "/chair @user …")
    return _act(context, lambda m: live_actions.add_chairs(m, context.user.id, users,
                                                           context.now))


def unchair_command(context: Context) -> Reply:
    users = _mentioned(context, "/unchair @user")
    if len(users) != 1:
        raise CommandError("One at a time: /unchair @user.")
    return _act(context, lambda m: live_actions.remove_chair(m, context.user.id, users[0],
                                                             context.now))


# `/vote #N CHOICE`: a ballot for vote N only, which adapters send for a vote cast on
# the vote's own message (a reaction, a button), so that an old message cannot count
# for a vote opened later.
_ON_VOTE = re.compile(r"#(\d{1,9})\s+(\S.*)")


def vote_command(context: Context) -> Reply:
    args = clean(context.command.args)
    on_vote = _ON_VOTE.fullmatch(args)
    if on_vote:
        open_vote = _required(context).meeting.open_vote
        if open_vote is None or open_vote.entry.number != int(on_vote.group(1)):
            raise CommandError(f"Vote {on_vote.group(1)} is closed; /vote shows the open one.")
        args = on_vote.group(2)
    words = parse_vote(args)
    user, now = context.user.id, context.now
    if words.action == "show":
        return Reply(live_actions.show_vote(_required(context).meeting))
    if words.action == "close":
        return _act(context, lambda m: live_actions.close_vote(m, user, now))
    if words.action == "withdraw":
        return _act(context, lambda m: live_actions.withdraw_ballot(m, user, now))
    return _act(context, lambda m: live_actions.vote(m, user, words.text, now))



def icebreaker_command(context: Context) -> Reply:
    text = clean(context.command.args)
    if not text:
        return Reply(live_actions.show_icebreaker(_required(context).meeting))
    return _act(context, lambda m: live_actions.icebreaker(m, context.user.id, text,
                                                           context.now))


def decision_command(context: Context) -> Reply:
    """/decision as `meeting_run` records it, also filed under the current item."""
    reply, decision = meeting_run.record_decision(context)
    filed = file_under_current_item(context, "decision", decision.text, decision.id)
    return Reply(extended(reply.lines, Text(filed)), public=True)


# The commands of a meeting run item by item (with /agenda next and /agenda take).
COMMANDS = {
    "decision": decision_command, "topic": topic_command,  # Slack keeps /topic: not in
    "note": note_command, "link": link_command, "undo": undo_command,  # manifest.yml
    "chair": chair_command, "unchair": unchair_command, "vote": vote_command,
    "icebreaker": icebreaker_command,
}


# --------------------------------------------------------------------------
# Capturing what was said: a reply to a message with !note, !todo add @owner or !decision


CAPTURE_KINDS = ("note", "decision", "todo add")


def captured_command(command: str, said: str) -> str | None:
    """'/note' answering a message that said X -> '/note X'; '/todo add @tim' -> '/todo
    add @tim X'. None when `command` is not one of those with nothing after it (besides a
    TODO's owners), or the message said nothing."""
    said = clean(said)
    if not said or not command.startswith("/"):
        return None
    words = clean(command[1:])
    for kind in CAPTURE_KINDS:
        if words.lower() == kind or words.lower().startswith(kind + " "):
            mentions, leftover = leading_mentions(words[len(kind):])
            if leftover or (mentions and kind != "todo add"):
                return None
            return f"/{words} {said}"
    return None
