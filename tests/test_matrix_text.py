"""What Matrix people type becomes commands; what the bot says becomes safe HTML."""

from __future__ import annotations

import datetime as dt

import pytest

from chatbot.adapters.matrix_text import (
    Formatter,
    command_text,
    message_text,
    resolve_mentions,
)
from chatbot.config import MatrixSettings, SettingsError, default_adapter
from chatbot.core.reminder import Reminder, zone_times
from chatbot.core.reply import lines_of
from chatbot.core.view import AgendaEntry, OwnerTodos, TodoEntry

BOT = "@chatbot:example.org"
MEMBERS = {
    "@bob:example.org": "Bob Builder",
    "@tim:gitter.im": "betatim",
    "@carol:example.org": "carol",
    "@ann1:example.org": "Ann",
    "@ann2:example.org": "Ann",
}
COMMANDS = ("agenda", "todo", "todos", "help", "tz")


def command(text: str, prefix: str = "!", html: str | None = None) -> str | None:
    return command_text(message_text(text, html), prefix, BOT, {"chatbot", "Meeting Bot"})


# -- in ------------------------------------------------------------------------------


@pytest.mark.parametrize(("said", "expected"), [
    ("!agenda add Kubeflow presentation", "/agenda add Kubeflow presentation"),
    ("  !todos mine ", "/todos mine"),
    ("chatbot: agenda add X", "/agenda add X"),
    ("Chatbot, todos mine", "/todos mine"),
    ("@chatbot: tz berlin", "/tz berlin"),
    ("Meeting Bot: !todos", "/todos"),
    ("@chatbot:example.org: help", "/help"),
    ("chatbot:", "/help"),
    ("!!! great news", None),
    ("! agenda", None),
    ("hello chatbot: agenda", None),
    ("chatbot agenda", None),  # typed out, the name needs a colon or comma
    ("/agenda", None),  # clients intercept slash commands; never ours
])
def test_what_counts_as_a_command(said, expected):
    assert command(said) == expected


def test_configured_prefix_replaces_the_bang():
    assert command("?agenda", prefix="?") == "/agenda"
    assert command("!agenda", prefix="?") is None
    assert command("chatbot: ?agenda", prefix="?") == "/agenda"


def test_pills_in_either_link_form_become_mentions():
    html = ('!todo add <a href="https://matrix.to/#/%40bob%3Aexample.org">Bob Builder</a> '
            'and <a href="matrix:u/tim:gitter.im?action=chat">betatim</a> fix &lt;CI&gt;')
    said = "!todo add Bob Builder and betatim fix <CI>"
    assert command(said, html=html) == (
        "/todo add <@@bob:example.org> and <@@tim:gitter.im> fix <CI>"
    )


def test_addressing_the_bot_with_a_pill_needs_no_colon():
    html = f'<a href="https://matrix.to/#/{BOT}">Meeting Bot</a> todos mine'
    assert command("Meeting Bot todos mine", html=html) == "/todos mine"


def test_reply_quote_and_links_to_rooms_are_plain_text():
    html = ("<mx-reply><blockquote>!agenda add old</blockquote></mx-reply>"
            '!agenda add see <a href="https://matrix.to/#/#binder:gitter.im">the room</a>')
    assert command("", html=html) == "/agenda add see the room"


@pytest.mark.parametrize(("typed", "resolved"), [
    ("@bob:example.org fix it", "<@@bob:example.org> fix it"),
    ("@stranger:elsewhere.net fix it", "<@@stranger:elsewhere.net> fix it"),
    ("@bob fix it", "<@@bob:example.org> fix it"),
    ("@Bob Builder fix it", "<@@bob:example.org> fix it"),
    ("@bob builder, @BetaTim and @carol", "<@@bob:example.org>, <@@tim:gitter.im> and "
                                          "<@@carol:example.org>"),
    ("@tim", "<@@tim:gitter.im>"),
    ("@bobby and @ann", "@bobby and @ann"),  # no such member; two members are called Ann
    ("@ann1 and mail ann@example.org", "<@@ann1:example.org> and mail ann@example.org"),
    ("<@@carol:example.org> stays", "<@@carol:example.org> stays"),
])
def test_typed_mentions_resolve_against_room_members(typed, resolved):
    assert resolve_mentions(typed, MEMBERS) == resolved


# -- out -----------------------------------------------------------------------------


FORMAT = Formatter("!", COMMANDS)
NAMES = {"@bob:example.org": "Bob <Builder>"}


def test_replies_use_the_prefix_and_names_and_escape_user_text():
    text = lines_of("TODO 1 for <@@bob:example.org>: fix <script>alert(1)</script> & /tmp\n"
                    "  see /todos or https://example.org/agenda; /todoz is unknown")
    assert FORMAT.plain(text, NAMES) == (
        "TODO 1 for Bob <Builder>: fix <script>alert(1)</script> & /tmp\n"
        "  see !todos or https://example.org/agenda; /todoz is unknown"
    )
    assert FORMAT.html(text, NAMES) == (
        'TODO 1 for <a href="https://matrix.to/#/@bob:example.org">Bob &lt;Builder&gt;</a>: '
        "fix &lt;script&gt;alert(1)&lt;/script&gt; &amp; /tmp<br>"
        "&nbsp;&nbsp;see !todos or https://example.org/agenda; /todoz is unknown"
    )
    assert "!todoz" in FORMAT.answering("/todoz now").plain(text, NAMES)


def test_unknown_people_keep_their_id():
    assert FORMAT.plain(lines_of("for <@@eve:example.org>"), {}) == "for @eve:example.org"


def test_reminder_lists_every_zone_and_escapes_everything():
    start = dt.datetime(2030, 1, 16, 17, 0, tzinfo=dt.UTC)
    reminder = Reminder(
        series_id="binder", series_name="Binder <team>", start_utc=start,
        meeting_zone="Europe/Berlin", offset=dt.timedelta(days=1), when="in a day",
        zone_times=tuple(zone_times(start, "Europe/Berlin",
                                    {"UTC", "Asia/Kolkata", "America/Los_Angeles"})),
        video="https://example.org/v?a=1&b=2", notes="javascript:alert(1)",
        agenda=(AgendaEntry(1, "discuss", "ask <@@bob:example.org>", "Alice"),
                AgendaEntry(2, "thanks", "<i>Tim</i> for 1.0", "Alice")),
        todos=(OwnerTodos("Bob <Builder>", (TodoEntry(3, "fix & ship"),)),),
        asks_for_items=True,
    )
    plain, html = FORMAT.reminder(reminder, NAMES)
    assert plain.startswith("Reminder: Binder <team> in a day")
    assert "1. ask Bob <Builder> (Alice)" in plain
    assert "Add it with !agenda add TEXT" in plain
    assert html.startswith("<p><strong>Reminder: Binder &lt;team&gt; in a day</strong></p>")
    assert ("<ul><li>09:00 PST America/Los_Angeles</li><li>17:00 UTC</li>"
            "<li>22:30 IST Asia/Kolkata (night)</li></ul>") in html
    assert '<a href="https://example.org/v?a=1&amp;b=2">' in html
    assert "<p>Notes: javascript:alert(1)</p>" in html  # shown, never a link
    assert ('<ol start="1"><li>ask <a href="https://matrix.to/#/@bob:example.org">'
            "Bob &lt;Builder&gt;</a> (Alice)</li></ol>") in html
    assert '<ol start="2"><li>&lt;i&gt;Tim&lt;/i&gt; for 1.0 (Alice)</li></ol>' in html
    assert "<p>Bob &lt;Builder&gt;</p><ul><li>3. fix &amp; ship</li></ul>" in html
    assert "Add it with !agenda add TEXT" in html


# -- settings ------------------------------------------------------------------------


MATRIX = {"MATRIX_HOMESERVER": "matrix.org", "MATRIX_USER_ID": "@chatbot:matrix.org",
          "MATRIX_ACCESS_TOKEN": "syt_secret"}


@pytest.mark.parametrize(("environ", "adapter"), [
    ({}, "console"),
    (MATRIX, "gitter"),
    ({**MATRIX, "MATRIX_ACCESS_TOKEN": "", "MATRIX_PASSWORD": "pw"}, "gitter"),
    ({**MATRIX, "MATRIX_ACCESS_TOKEN": ""}, "console"),
    ({**MATRIX, "SLACK_BOT_TOKEN": "xoxb-1"}, "slack"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "slack"),
    ({**MATRIX, "SLACK_BOT_TOKEN": ""}, "gitter"),
    ({**MATRIX, "SLACK_API_URL": "https://slack.com/api/"}, "gitter"),
])
def test_adapter_is_chosen_by_which_settings_are_present(environ, adapter):
    assert default_adapter(environ) == adapter


def test_matrix_settings_are_checked():
    settings = MatrixSettings.from_env({**MATRIX, "CHATBOT_PREFIX": "?"})
    assert settings.homeserver == "https://matrix.org"
    assert settings.prefix == "?"
    assert MatrixSettings.from_env(MATRIX).prefix == "!"
    with pytest.raises(SettingsError, match="MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD"):
        MatrixSettings.from_env({**MATRIX, "MATRIX_ACCESS_TOKEN": ""})
    with pytest.raises(SettingsError, match="not a Matrix user id"):
        MatrixSettings.from_env({**MATRIX, "MATRIX_USER_ID": "chatbot"})
    with pytest.raises(SettingsError, match="must end in a symbol"):
        MatrixSettings.from_env({**MATRIX, "CHATBOT_PREFIX": "bot"})


def test_reply_parts_become_pills_links_and_plain_names():
    from chatbot.core.reply import ItemRef, Link, line
    reply_lines = [
        line(ItemRef("todo", 2, ("done",)), ". ask <@@bob:example.org> about /todos", depth=1),
        line(Link("https://meet.example.org/x?a=1&b=2", "Video")),
    ]
    assert FORMAT.plain(reply_lines, NAMES) == (
        "  2. ask Bob <Builder> about !todos\nVideo: https://meet.example.org/x?a=1&b=2")
    assert FORMAT.html(reply_lines, NAMES) == (
        '&nbsp;&nbsp;2. ask <a href="https://matrix.to/#/@bob:example.org">Bob &lt;Builder&gt;'
        '</a> about !todos<br>Video: <a href="https://meet.example.org/x?a=1&amp;b=2">'
        "https://meet.example.org/x?a=1&amp;b=2</a>")
