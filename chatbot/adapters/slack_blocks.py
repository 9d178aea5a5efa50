"""Block Kit for everything the Slack adapter shows: replies, reminders and the App Home.

Pure functions from core data to Slack payloads, built with `slack_sdk.models.blocks`.
Every piece of text a person wrote is escaped (`slack_text`), so its mentions never ping.
Times are Slack date tokens: each reader's client shows them in the reader's own zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from chatbot.adapters.slack_text import escape, to_mrkdwn
from chatbot.commands import Reply
from chatbot.core.reminder import Reminder
from chatbot.core.reply import Instant, ItemRef, Line, Link, UserRef
from chatbot.core.timefmt import how_far, long_datetime
from chatbot.core.view import TodoEntry, agenda_lines, todo_lines
from chatbot.meeting_view import HomeMeeting

ATTEND_ACTION = "attend"  # "I'm here" on the start-of-meeting reminder; value: series id
SKIP_ACTION = "skip_meeting"  # on a one-day reminder with an empty agenda; "SERIES DATE"

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
SECTION_CHARS = 3000
HEADER_CHARS = 150
MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100

Names = Callable[[str], str | None]  # user id -> display name, for `<@ID>` in stored text


def date_token(instant: dt.datetime, fallback: str) -> str:
    """Shown by Slack in the reader's zone; `fallback` where the token cannot be rendered."""
    epoch = int(instant.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{escape(fallback)}>"


def section(text: str, accessory: ButtonElement | None = None) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=accessory).to_dict()


def header(text: str) -> dict:
    if len(text) > HEADER_CHARS:
        text = text[: HEADER_CHARS - 1] + "…"
    return HeaderBlock(text=text).to_dict()


def context(text: str) -> dict:
    return ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()


def button(text: str, action_id: str, value: str, primary: bool = False) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, value=value,
                         style="primary" if primary else None)


def sections(lines: list[str]) -> list[dict]:
    """Lines as few section blocks as Slack's 3,000-character limit allows."""
    blocks, chunk, size = [], [], 0
    for line in lines:
        if len(line) > SECTION_CHARS:
            line = line[: SECTION_CHARS - 1] + "…"
        if chunk and size + len(line) + 1 > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def capped(blocks: list[dict], limit: int) -> list[dict]:
    if len(blocks) <= limit:
        return blocks
    return blocks[: limit - 1] + [context(f"…and {len(blocks) - limit + 1} more blocks not shown.")]


# -- command replies -------------------------------------------------------------------------


def item_action(kind: str, action: str) -> str:
    """The action id of a button that says `/KIND ACTION N` (`todo_done`)."""
    return f"{kind}_{action}"


ITEM_ACTION = re.compile(r"^([a-z]+)_([a-z]+)$")  # what `item_action` makes
TODO_DONE_ACTION = item_action("todo", "done")  # value: "CHANNEL NUMBER"


def mrkdwn(line: Line, names: Names) -> str:
    """One reply line for Slack: escaped, users named (never pinged), instants as date
    tokens (each reader sees their own time)."""
    out = ["  " * line.depth]
    for part in line.parts:
        if isinstance(part, UserRef):
            out.append(escape("@" + (names(part.user_id) or part.user_id)))
        elif isinstance(part, Instant):
            out.append(date_token(part.at, part.plain()))
        elif isinstance(part, Link):
            label = f"{escape(part.label)}: " if part.label else ""
            out.append(f"{label}<{escape(part.url)}>")
        else:
            out.append(escape(part.plain()))
    return "".join(out)


def command_reply(reply: Reply, names: Names, channel: str) -> dict:
    """The ack body: the asker's answer, never visible to others (public changes are posted
    to the channel separately). A line whose id has an action gets a button."""
    text = channel_line(reply, names)
    if not reply.ok:
        text = f":warning: {text}"
    body: dict = {"response_type": "ephemeral", "text": text}
    if reply.ok and any(ref.actions for one in reply.lines for ref in one.refs()):
        body["blocks"] = action_blocks(reply.lines, names, channel)
    return body


def channel_line(reply: Reply, names: Names) -> str:
    return "\n".join(mrkdwn(one, names) for one in reply.lines)


def shown(lines: Iterable[Line], names: Names) -> list[str]:
    """Lines of a list in a block: headings (sections, owners) in italics."""
    return [f"_{mrkdwn(one, names).strip()}_" if one.heading else mrkdwn(one, names).strip()
            for one in lines]


def _actionable(line: Line) -> tuple[ItemRef, str] | None:
    return next(((ref, ref.actions[0]) for ref in line.refs() if ref.actions), None)


def action_blocks(lines: tuple[Line, ...], names: Names, channel: str) -> list[dict]:
    """Each line with an action its own section with a button, as long as the lines after
    it still fit in the message's 50 blocks; the rest are listed without buttons."""
    shown_lines = shown(lines, names)
    blocks: list[dict] = []
    pending: list[str] = []  # lines without a button, joined into sections
    for index, one in enumerate(lines):
        found = _actionable(one)
        room = MESSAGE_BLOCKS - len(blocks) - len(sections(pending)) - 1
        if found is None or len(sections(shown_lines[index + 1:])) > room:
            pending.append(shown_lines[index])
            continue
        blocks += sections(pending)
        pending = []
        ref, action = found
        blocks.append(section(shown_lines[index][:SECTION_CHARS], button(
            action.capitalize(), item_action(ref.kind, action), f"{channel} {ref.number}")))
    return capped(blocks + sections(pending), MESSAGE_BLOCKS)


# -- votes -----------------------------------------------------------------------------------

# A vote's buttons, `vote-0`, `vote-1`...: value "CHANNEL NUMBER CHOICE". Not an
# ITEM_ACTION: a hyphen, not an underscore.
VOTE_ACTION = re.compile(r"^vote-\d+$")
ACTIONS_PER_BLOCK = 25
BUTTON_CHARS = 75
# The message shortcut that records a message under the meeting's current item.
ADD_TO_MINUTES = "add_to_minutes"


def vote_message(text: str, channel: str, number: int, choices: tuple[str, ...]
                 ) -> list[dict]:
    """The vote's text, and a button per choice while it is open (no choices: closed)."""
    message = sections([escape(line) for line in text.splitlines()])
    if choices:
        message.append(ActionsBlock(elements=[
            button(choice if len(choice) <= BUTTON_CHARS else choice[:BUTTON_CHARS - 1] + "…",
                   f"vote-{index}", f"{channel} {number} {choice}")
            for index, choice in enumerate(choices[:ACTIONS_PER_BLOCK])
        ]).to_dict())
    return message


# -- reminders -------------------------------------------------------------------------------


def reminder_message(reminder: Reminder, names: Names) -> tuple[str, list[dict]]:
    """(notification text, blocks) of a channel or personal reminder."""
    start = reminder.start_utc
    planned = long_datetime(start, reminder.meeting_zone)
    blocks = [header(f"Reminder: {reminder.headline}")]  # then what a reader needs first
    when = [f"*{date_token(start, planned)}* ({escape(reminder.when)})"]
    if reminder.reader_zone:
        when.append(f"Your time: {escape(long_datetime(start, reminder.reader_zone))}")
    when.append(f"Planned in {escape(reminder.meeting_zone)}: {escape(planned)}")
    blocks.append(section("\n".join(when)))
    if reminder.zone_times:
        # Date tokens follow the device's zone; this list is for people travelling
        # or reading on a device set to another zone.
        labels = " · ".join(escape(z.label()) for z in reminder.zone_times)
        blocks.append(context(f"Around the team: {labels}"))
    blocks += [context(f":warning: {escape(w.capitalize())}") for w in reminder.warnings]
    blocks += [context(escape(reminder.roles))] if reminder.roles else []
    links = [f"<{escape(url)}|{label}>" for label, url in reminder.links()]
    if links:
        blocks.append(section(" · ".join(links)))
    agenda = ["*Agenda*", *shown(agenda_lines(reminder.agenda, marks=False), names)]
    lists = sections(agenda if reminder.agenda else ["*Agenda:* nothing yet."])
    if reminder.asks_for_items or not reminder.agenda:
        lists.append(context(
            "Anything to discuss? Add it with `/agenda add TEXT`; "
            "celebrations with `/agenda add thanks: TEXT`."
        ))
    if reminder.skip_hint:
        lists.append(context(escape(reminder.skip_hint)))
    if reminder.todos:
        lists += sections(["*Open TODOs*", *shown(todo_lines(reminder.todos), names)])
    buttons = []
    if reminder.offset == dt.timedelta(0):
        buttons.append(ActionsBlock(elements=[
            button("I'm here", ATTEND_ACTION, reminder.series_id, primary=True)]).to_dict())
    if reminder.skip_hint:  # the command refuses whoever may not skip, naming who may
        buttons.append(ActionsBlock(elements=[button(
            "Skip this meeting", SKIP_ACTION,
            f"{reminder.series_id} {reminder.occurrence_key}")]).to_dict())
    # Long agendas are cut, never the times above them nor the button below them.
    blocks += capped(lists, MESSAGE_BLOCKS - len(blocks) - len(buttons)) + buttons
    text = f"Reminder: {escape(reminder.headline)}, {escape(planned)}"
    return text, blocks


# -- App Home --------------------------------------------------------------------------------


def home_view(zone: str, meetings: Iterable[HomeMeeting], todos: Iterable[TodoEntry],
              names: Names, now: dt.datetime) -> dict:
    blocks: list[dict] = [header("Next meeting")]
    for meeting in meetings:
        local = long_datetime(meeting.start_utc, zone, now)
        lines = [
            f"*{escape(meeting.name)}*",
            f"{date_token(meeting.start_utc, local)} ({how_far(meeting.start_utc, now)})",
            f"In {escape(zone)}: {escape(local)}",
        ]
        if meeting.video:
            lines.append(f"<{escape(meeting.video)}|Video call>")
        blocks.append(section("\n".join(lines)))
    if len(blocks) == 1:
        blocks.append(section("No meeting is scheduled in the channels I know."))
    blocks += [DividerBlock().to_dict(), header("Your open TODOs")]
    if not todos:
        blocks.append(section("Nothing open. Add one with `/todo add TEXT` in a meeting channel."))
    for todo in todos:
        blocks.append(section(
            f"{todo.number}. {to_mrkdwn(todo.text, names)}  _in <#{todo.channel}>_",
            button("Done", TODO_DONE_ACTION, f"{todo.channel} {todo.number}")))
    blocks.append(context(f"Times in {escape(zone)}; change it with `/tz ZONE`."))
    return {"type": "home", "blocks": capped(blocks, HOME_BLOCKS)}
