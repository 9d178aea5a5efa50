"""Slack text conventions and Block Kit rendering, without a server."""

from __future__ import annotations

import datetime as dt

import pytest

from chatbot.adapters.slack_blocks import (
    MESSAGE_BLOCKS,
    SECTION_CHARS,
    action_blocks,
    command_reply,
    date_token,
    reminder_message,
)
from chatbot.adapters.slack_text import escape, from_slack, to_mrkdwn, with_handles
from chatbot.commands import Reply
from chatbot.core.reminder import Reminder
from chatbot.core.reply import Instant, ItemRef, line
from chatbot.core.view import AgendaEntry, OwnerTodos, TodoEntry, todo_lines

START = dt.datetime(2018, 3, 21, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("sent", "text", "mentioned"), [
    ("add <@U0BOB|bob> <@W0DEV> fix", "add <@U0BOB> <@W0DEV> fix", ("U0BOB", "W0DEV")),
    ("x &lt;b&gt; &amp;amp; y", "x <b> &amp; y", ()),
    ("ping <!here> <!channel> <!subteam^S1|@devs>", "ping @here @channel @devs", ()),
    ("see <#C0ABC|general> and <#C0DEF>", "see #general and #C0DEF", ()),
    ("docs <https://example.org/a?b=1&amp;c=2|example.org/a>", "docs example.org/a", ()),
    ("docs <https://example.org/a?b=1&amp;c=2>", "docs https://example.org/a?b=1&c=2", ()),
    ("typed &lt;@U0BOB&gt;", "typed <@U0BOB>", ()),  # typed by hand: not a Slack mention
    ("<@U0BOB> <@U0BOB|bob>", "<@U0BOB> <@U0BOB>", ("U0BOB",)),
])
def test_from_slack_reads_what_slack_sends(sent: str, text: str, mentioned: tuple) -> None:
    incoming = from_slack(sent)
    assert (incoming.text, incoming.mentioned) == (text, mentioned)


def test_plain_handles_become_mentions_only_for_known_users() -> None:
    known = {"bob": "U0BOB"}.get
    assert with_handles("@bob and @nobody, mail bob@example.org <@U0X>", known) == (
        "<@U0BOB> and @nobody, mail bob@example.org <@U0X>"
    )


def test_echoed_text_is_escaped_and_mentions_are_shown_as_names() -> None:
    names = {"U0BOB": "Bob <!here>"}.get
    assert escape("a & <b>") == "a &amp; &lt;b&gt;"
    assert to_mrkdwn("<!channel> & <@U0BOB> <@U0NOBODY>", names) == (
        "&lt;!channel&gt; &amp; @Bob &lt;!here&gt; @U0NOBODY"
    )


def test_date_token_shows_each_reader_their_own_time() -> None:
    assert date_token(START, "Wednesday 21 March, 18:00 CET") == (
        "<!date^1521651600^{date_short_pretty} at {time}|Wednesday 21 March, 18:00 CET>"
    )


def test_long_todo_lists_stay_within_slacks_limits() -> None:
    todos = tuple(TodoEntry(n, "x" * 200) for n in range(1, 81))
    lines = (line("Open TODOs:"), *todo_lines([OwnerTodos("Bob", todos)]))
    blocks = action_blocks(lines, lambda _: None, "C0MEETING")
    assert len(blocks) <= MESSAGE_BLOCKS
    buttons = [b["accessory"]["value"] for b in blocks if "accessory" in b]
    assert buttons[:2] == ["C0MEETING 1", "C0MEETING 2"] and len(buttons) >= 40
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in blocks if "text" in b)
    assert "80. " in str(blocks)  # every TODO is listed, the last ones without a button


def test_long_reminders_stay_within_slacks_limits() -> None:
    reminder = Reminder(
        series_id="s", series_name="Team " * 40, start_utc=START, meeting_zone="Europe/Berlin",
        offset=dt.timedelta(0), when="just now", zone_times=(),
        agenda=tuple(AgendaEntry(n, "discuss", "y" * 300, "alice") for n in range(1, 400)),
        todos=(OwnerTodos("bob", tuple(TodoEntry(n, "z" * 300) for n in range(1, 400))),),
    )
    text, blocks = reminder_message(reminder, lambda _: None)
    assert len(blocks) <= MESSAGE_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= 150  # a header's limit
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in blocks if b["type"] == "section")
    assert blocks[-2]["elements"][0]["text"].endswith("more blocks not shown.")
    assert blocks[-1]["elements"][0]["text"]["text"] == "I'm here"  # never cut
    assert text.startswith("Reminder: Team Team")


def test_reply_parts_render_as_slack_tokens_and_buttons() -> None:
    reply = Reply([
        line("Agenda of <@U0BOB>'s meeting on ", Instant(START, "Europe/Berlin"), ":"),
        line(ItemRef("agenda", 3, ("done",)), ". ship <it>", depth=1),
    ])
    body = command_reply(reply, {"U0BOB": "Bob"}.get, "C0MEETING")
    assert body["text"] == (
        "Agenda of @Bob's meeting on <!date^1521651600^{date_short_pretty} at {time}"
        "|Wednesday 21 March 2018, 18:00 CET>:\n  3. ship &lt;it&gt;"
    )
    # An id with an action gets its button, whatever command made the reply.
    [button] = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert (button["text"]["text"], button["action_id"], button["value"]) == (
        "Done", "agenda_done", "C0MEETING 3")
