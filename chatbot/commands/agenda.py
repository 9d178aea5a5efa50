"""/agenda: the next meeting's agenda, by section, numbered across sections."""

from __future__ import annotations

from chatbot.commands import live
from chatbot.commands.bot import Context
from chatbot.commands.context import CommandError, Reply
from chatbot.commands.parse import clean, parse_number, split_word
from chatbot.commands.permissions import require_one_of
from chatbot.core.live_meeting import Item, topic_entry
from chatbot.core.live_words import LiveMeetingError, format_timebox, parse_agenda_add
from chatbot.core.model import DEFAULT_SECTION, SECTION_ORDER, SECTIONS, AgendaItem
from chatbot.core.reply import Instant, ItemRef, line
from chatbot.core.view import agenda_lines
from chatbot.meeting_view import agenda, numbered_items, topics_taken_up

# What people type before a colon to pick a section.
SECTION_ALIASES = {
    "discuss": "discuss", "discussion": "discuss", "help": "discuss",
    "decision": "decision", "decisions": "decision", "decide": "decision",
    "update": "update", "updates": "update",
    "news": "news", "report": "news", "reports": "news",
    "thanks": "thanks", "celebrate": "thanks", "celebration": "thanks",
}


def agenda_command(context: Context) -> Reply:
    action, rest = split_word(context.command.args)
    actions = {
        "": show, "list": show, "add": add, "remove": remove, "rm": remove,
        "done": done, "move": move, "next": live.agenda_next, "take": live.agenda_take,
    }
    if action not in actions:
        raise CommandError(
            f"Unknown /agenda action '{action}'. Use /agenda, /agenda add TEXT, "
            "/agenda remove N, /agenda done N, /agenda move N POS, /agenda next "
            "or /agenda take N|TOPIC."
        )
    return actions[action](context, rest)


def _items(context: Context) -> list[AgendaItem | Item]:
    """Item N as /agenda numbers it is the Nth: a stored item or a topic taken up."""
    series, occurrence = context.meeting()
    return numbered_items(context.store, context.scope, series, occurrence.key.isoformat())


def _item(context: Context, text: str, usage: str
          ) -> tuple[int, AgendaItem, list[AgendaItem | Item]]:
    if not text.strip():
        raise CommandError(f"Which item? {usage}")
    try:
        number = parse_number(text.split()[0], "agenda item")
    except ValueError as error:
        raise CommandError(f"{str(error).capitalize()}. {usage}") from None
    items = _items(context)
    if not 1 <= number <= len(items):
        count = f"items 1–{len(items)}" if items else "no items yet"
        raise CommandError(f"There is no agenda item {number} (the agenda has {count}). {usage}")
    item = items[number - 1]
    if isinstance(item, Item):  # only the meeting's entries hold it
        raise CommandError(
            f"Agenda item {number}, “{item.text}”, is a topic this meeting took up, not an "
            f"item on the agenda: /undo {topic_entry(item.key)} takes it back."
        )
    return number, item, items


def show(context: Context, _rest: str) -> Reply:
    series, occurrence = context.meeting()
    items = agenda(context.store, context.scope, series, occurrence)
    when = Instant(occurrence.start_utc, context.zone, context.now)
    if not items:
        return Reply([line(f"The agenda of {series.name} on ", when,
                           " is empty. Add an item with /agenda add TEXT.")])
    return Reply([line(f"Agenda of {series.name} on ", when, ":"), *agenda_lines(items)])


def add(context: Context, rest: str) -> Reply:
    try:
        addition = parse_agenda_add(clean(rest), SECTION_ALIASES, DEFAULT_SECTION)
    except LiveMeetingError:  # nothing but a section or a timebox
        raise CommandError("Add what? Usage: /agenda add [section:] [10m] TEXT") from None
    section, text = addition.section, addition.text
    series, occurrence = context.meeting()
    context.store.agenda.add(
        context.scope, series.id, occurrence.key.isoformat(), section, text,
        context.user, context.now.isoformat(), timebox=addition.timebox,
    )
    # The new item is the last of its section: its number counts the items up to there
    # (a count, not a read of the whole agenda, so adding stays fast however long it is).
    key = occurrence.key.isoformat()
    number = context.store.agenda.count(
        context.scope, series.id, key, SECTION_ORDER[: SECTION_ORDER.index(section) + 1])
    if section != DEFAULT_SECTION:  # after the topics a meeting took up, shown at its end
        number += topics_taken_up(context.store, context.scope, series, key)
    when = Instant(occurrence.start_utc, context.zone, context.now)
    return Reply([
        line(f"{context.user.name} added agenda item ", ItemRef("agenda", number),
             f" ({SECTIONS[section]}): {text}{_for(addition.timebox)}"),
        line(f"for {series.name} on ", when),
    ], public=True)


def _for(timebox: int | None) -> str:
    return f" ({format_timebox(timebox)})" if timebox else ""


def remove(context: Context, rest: str) -> Reply:
    number, item, _ = _item(context, rest, "Usage: /agenda remove N")
    require_one_of(context, [item.author_id], "its author", f"remove agenda item {number}")
    context.store.agenda.remove(item.id)
    return Reply(f"{context.user.name} removed agenda item {number}: {item.text}", public=True)


def done(context: Context, rest: str) -> Reply:
    number, item, _ = _item(context, rest, "Usage: /agenda done N")
    context.store.agenda.set_done(item.id)
    return Reply(f"Agenda item {number} is done: {item.text}", public=True)


def move(context: Context, rest: str) -> Reply:
    usage = "Usage: /agenda move N POS"
    words = rest.split()
    if len(words) != 2:
        raise CommandError(f"Move which item where? {usage}")
    number, item, items = _item(context, words[0], usage)
    require_one_of(context, [item.author_id], "its author", f"move agenda item {number}")
    try:
        target = parse_number(words[1], "position")
    except ValueError as error:
        raise CommandError(f"{str(error).capitalize()}. {usage}") from None
    # Items stay in their section: the target is clamped to the section's numbers.
    section_numbers = [n for n, i in enumerate(items, start=1)
                       if isinstance(i, AgendaItem) and i.section == item.section]
    clamped = min(max(target, section_numbers[0]), section_numbers[-1])
    reordered = [i for i in items if i is not item]
    reordered.insert(clamped - 1, item)
    context.store.agenda.reorder([i.id for i in reordered if isinstance(i, AgendaItem)])
    note = "" if clamped == target else f" (the nearest place within {SECTIONS[item.section]})"
    return Reply(
        f"Moved agenda item {number} to {clamped}{note}: {item.text}", public=True
    )
