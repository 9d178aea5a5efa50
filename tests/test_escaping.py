"""Text people typed is escaped in every output format: Slack mrkdwn and Block Kit,
Matrix HTML, and the markdown minutes."""

from __future__ import annotations

import datetime as dt
import json

from chatbot.adapters import slack_blocks
from chatbot.adapters.matrix_text import Formatter
from chatbot.core.model import Scope
from chatbot.meeting_record import minutes_markdown
from chatbot.scheduler import Reminders

HOSTILE = "<script>alert(1)</script> <!channel> <https://evil.example|click> # *x* [a](b) | c"
SCOPE = Scope("console", "console", "binder-team")


class Quiet:
    platform, workspace = "console", "console"

    def post_reminder(self, channel, compose):
        compose()

    def send_direct(self, user, compose):
        compose()


def stored_reminder(chat):
    chat.ok(f"/agenda add {HOSTILE}")
    chat.ok(f"/todo add @tim {HOSTILE}")
    series = chat.bot.schedules.get("binder-team")
    occurrence = series.recurrence.next_after(chat.clock.now())
    reminder = Reminders(chat.bot, Quiet()).compose(
        series, SCOPE, occurrence, dt.timedelta(days=1), chat.clock.now())
    return series, occurrence, reminder


def test_slack_blocks_escape_stored_text(chat):
    _, _, reminder = stored_reminder(chat)
    text, blocks = slack_blocks.reminder_message(reminder, lambda user_id: None)
    rendered = json.dumps(blocks) + text
    for raw in ("<script>", "<!channel>", "<https://evil.example|click>"):
        assert raw not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_matrix_html_escapes_stored_text(chat):
    _, _, reminder = stored_reminder(chat)
    plain, html = Formatter(prefix="!", commands=()).reminder(reminder, {})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in plain  # the plain body is text, shown as text


def test_minutes_escape_stored_text(chat):
    series, occurrence, _ = stored_reminder(chat)
    chat.ok(f"/decision {HOSTILE}")
    markdown = minutes_markdown(chat.store, SCOPE, series, occurrence, chat.clock.now())
    assert "<script>" not in markdown
    assert "<!channel>" not in markdown
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert not any("alert" in line for line in headings)
