"""What people type is cleaned as it comes in (issue 16): pasted secrets are redacted and
never stored, hidden characters are dropped, only canonical zone names are stored."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
import urllib.request

import pytest
from conftest import Chat
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reminders import RecordingTarget

from chatbot import archive, logs, redaction
from chatbot.adapters import console
from chatbot.adapters.slack_users import SlackProfile
from chatbot.core.hidden_text import visible_name, visible_text
from chatbot.core.model import Scope
from chatbot.page_links import PageLinks
from chatbot.scheduler import Reminders
from chatbot.web.app import PageSite, page_app
from chatbot.web.server import PageServer

SCOPE = Scope("console", "console", "binder-team")
MARCH = "2018-03-21"

# Built from parts, so no secret scanner mistakes this file for a leak.
PASTED = {
    "a Slack token": "xox" + "b-2411234567-5123456789012-AbCdEfGhIjKlMnOpQrStUvWx",
    "a Slack app token": "xa" + "pp-1-A0123456789-1234567890123-0123456789abcdef0123",
    "a Matrix access token": "sy" + "t_Ym90_QWxpY2VTZWNyZXRUb2tlbg_1a2b3c",
    "a GitHub token": "gh" + "p_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "a GitHub fine-grained token": "github" + "_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
    "an AWS access key": "AKIA" + "IOSFODNN7EXAMPLE",
}
PRIVATE_KEY = (
    "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBkZXBsb3kta2V5LW5vdC1yZWFsLW5vdC1yZWFsLW5vdC1yZWFsAAAA\n"
    "-----END OPENSSH " + "PRIVATE KEY-----"
)
CONFIGURED = {
    "SLACK_SIGNING_SECRET": "8f14e45fceea167a5a36dedd4bea2543",
    "MATRIX_PASSWORD": "correct horse battery staple",
}


def agenda_texts(chat) -> list[str]:
    return [item.text for item in chat.store.agenda.items(SCOPE, "binder-team", MARCH)]


def database_bytes(chat) -> bytes:
    chat.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(path.read_bytes() for path in chat.db_path.parent.glob("chatbot.db*"))


@pytest.mark.parametrize("kind", list(PASTED))
def test_a_pasted_token_is_not_stored_and_the_person_is_told_to_rotate_it(chat, kind):
    token = PASTED[kind]
    reply = chat.ok(f"/agenda add deploy with {token} tomorrow")
    assert token not in reply
    assert "looked like" in reply and "not stored" in reply and "rotate it" in reply
    assert agenda_texts(chat) == ["deploy with [redacted] tomorrow"]
    assert token.encode() not in database_bytes(chat)


def test_a_token_split_by_hidden_characters_is_still_found(chat):
    token = PASTED["a GitHub token"]
    reply = chat.ok(f"/agenda add {token[:8]}\u200b{token[8:20]}\u2060{token[20:]}")
    assert "looked like a GitHub token" in reply
    assert agenda_texts(chat) == ["[redacted]"]


def test_a_private_key_block_is_redacted_whole(chat):
    reply = chat.ok(f"/agenda add the deploy key:\n{PRIVATE_KEY}\nthanks")
    assert "looked like a private key" in reply
    assert agenda_texts(chat) == ["the deploy key: [redacted] thanks"]
    cut_off = PRIVATE_KEY.split("-----END")[0]
    chat.ok(f"/todo add rotate {cut_off}")
    assert b"b3BlbnNzaC1rZXkt" not in database_bytes(chat)


@pytest.mark.parametrize("kind", list(redaction.SHAPES))
def test_every_text_a_credential_shape_matches_holds_one_of_its_markers(kind):
    """Text holding no marker is not scanned for shapes: a marker a shape can match
    without would let that credential through."""
    markers, pattern = redaction.SHAPES[kind]
    shape = re.compile(pattern, re.DOTALL)

    @settings(max_examples=200, deadline=None)
    @given(st.from_regex(shape))
    def holds_a_marker(text: str) -> None:
        found = shape.search(text).group(0)
        assert any(marker in found for marker in markers), found

    holds_a_marker()


def test_the_bots_own_secrets_are_redacted_by_value(tmp_path, monkeypatch):
    for name, value in CONFIGURED.items():
        monkeypatch.setenv(name, value)
    chat = Chat(tmp_path)
    reply = chat.ok(f"/todo add @tim the password is {CONFIGURED['MATRIX_PASSWORD']}")
    assert "one of this bot's own credentials" in reply
    error = chat.error(f"/tz {CONFIGURED['SLACK_SIGNING_SECRET']}")
    assert "\n" not in error and "rotate it" in error
    stored = database_bytes(chat)
    assert all(value.encode() not in stored for value in CONFIGURED.values())


def test_a_secret_in_a_platform_name_is_not_stored(chat):
    chat.ok("/agenda add hello", name=f"tim {PASTED['a Slack token']}")
    assert PASTED["a Slack token"].encode() not in database_bytes(chat)


# -- hidden characters ---------------------------------------------------------------------


def test_hidden_characters_are_not_stored_in_names_handles_or_text(chat):
    chat.ok("/attend Jes\u200bsica\u202e / Jupyter\u2066 / @jzf2101", user="jes\u2060sica")
    chat.ok("/agenda add review\u200b the \u202edeploy\u202c plan\u00ad")
    chat.ok("/todo add @jes\u200bsica fix the \ufeffbuild")
    roll = chat.ok("/attendance")
    assert "* Jessica / Jupyter / @jzf2101" in roll
    assert agenda_texts(chat) == ["review the deploy plan"]
    assert "jessica" in chat.ok("/todos")  # the handle resolved to the person, not a twin
    assert "fix the build" in chat.ok("/todos mine", user="jessica")
    stored = database_bytes(chat).decode("utf-8", "replace")
    for hidden in "\u200b\u202e\u202c\u2066\u2060\u00ad\ufeff":
        assert hidden not in stored


def test_c1_controls_are_dropped_on_input(chat):
    chat.ok("/agenda add colour\x9b31m codes\x85 here", name="tim\x9b")
    assert chat.store.users.get("console", "jessica").name == "tim"
    assert agenda_texts(chat) == ["colour31m codes here"]
    assert "\x9b" not in chat.ok("/agenda") and "\x85" not in chat.ok("/agenda")


@pytest.mark.parametrize("text", [
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: ZWNJ between letters
    "\u0915\u094d\u200d\u0937",  # Devanagari: ZWJ after a virama
    "\U0001f469\u200d\U0001f4bb",  # woman technologist: an emoji ZWJ sequence
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # flag of Scotland
    "\u05e9\u05dc\u05d5\u05dd\u200f 2024",  # Hebrew with a right-to-left mark
])
def test_joiners_and_marks_stay_where_a_script_or_emoji_needs_them(chat, text):
    assert visible_text(text) == text
    chat.ok(f"/agenda add {text}")
    assert agenda_texts(chat) == [text]


def test_joiners_and_marks_go_where_nothing_needs_them():
    assert visible_text("jes\u200dsi\u200cca\u200e") == "jessica"
    assert visible_text("a\U000e0041b") == "ab"  # a tag letter outside a flag
    assert visible_name("\u05e9\u05dc\u05d5\u05dd\u200f") == "\u05e9\u05dc\u05d5\u05dd"


# -- zones -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["localtime", "Factory"])
def test_names_that_are_no_iana_zone_are_refused(chat, text):
    assert "unknown timezone" in chat.error(f"/tz {text}", user="carol").lower()
    assert chat.store.users.get("console", "carol") is None


def test_an_old_zone_name_is_stored_under_its_current_name(chat):
    reply = chat.ok("/tz US/Pacific", user="carol")
    assert "America/Los_Angeles (IANA's current name for US/Pacific)" in reply
    assert chat.store.users.get("console", "carol").tz == "America/Los_Angeles"
    assert "(IANA" not in chat.ok("/tz Europe/Oslo", user="min")  # a country's zone stays
    assert chat.store.users.get("console", "min").tz == "Europe/Oslo"


def test_a_platform_profile_zone_is_stored_canonical_or_not_at_all(chat):
    chat.ok("/agenda", user="carol", tz="Asia/Calcutta")
    chat.ok("/agenda", user="sam", tz="localtime")
    assert chat.store.users.get("console", "carol").profile_tz == "Asia/Kolkata"
    assert chat.store.users.get("console", "sam").profile_tz is None
    slack = SlackProfile.from_api({"id": "U1", "name": "tim", "tz": "US/Eastern"})
    assert slack.tz == "America/New_York"
    assert SlackProfile.from_api({"id": "U2", "name": "x\u202e", "tz": "localtime"}) == \
        SlackProfile(id="U2", name="x", handle="x", tz=None)


# -- git ---------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_line_break_in_a_meeting_name_adds_no_trailers_to_the_commit(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    path = archive.write(tmp_path, "team/2018-03-21.md", "# Minutes\n")
    name = "Team\n\nSigned-off-by: Mallory <m@example.org>\nCo-authored-by: Eve <e@example.org>"
    assert archive.commit(tmp_path, path, f"Minutes of {name}, 2018-03-21").startswith(
        "committed as ")

    def log(fmt: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), "log", "-1", f"--format={fmt}"],
                              capture_output=True, text=True, check=True).stdout.strip()

    assert log("%(trailers)") == ""
    assert log("%B") == ("Minutes of Team Signed-off-by: Mallory <m@example.org> "
                         "Co-authored-by: Eve <e@example.org>, 2018-03-21")


# -- every output ------------------------------------------------------------------------------

EVERY_SETTING = {
    **CONFIGURED,
    "SLACK_BOT_TOKEN": "xox" + "b-9990001112-9990001112223-ConfiguredBotTokenValue",
    "MATRIX_ACCESS_TOKEN": "configured-matrix-token-7c9e6679",
}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_no_secret_reaches_logs_replies_reminders_pages_minutes_or_git(
        tmp_path, monkeypatch, capsys):
    """Every configured secret and every pasted token, through every command that stores
    text, a failing command, a reminder, the page, the minutes and their commit."""
    for name, value in EVERY_SETTING.items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    logs.configure("json", logging.DEBUG)
    chat = Chat(tmp_path)
    chat.bot.pages = PageLinks(chat.store, "http://pages.example.org")
    subprocess.run(["git", "init", "-q", str(chat.archive)], check=True)
    pasted = [*PASTED.values(), *EVERY_SETTING.values()]
    replies = []

    def say(text: str, **kwargs) -> None:
        replies.append(chat.say(text, **kwargs).text)

    for index, secret in enumerate(pasted):
        say(f"/agenda add item {index}: {secret}", name=f"Tim {secret}")
        say(f"/todo add @tim use {secret}")
        say(f"/tz {secret}")
    say(f"/agenda add key {PRIVATE_KEY}")
    target = RecordingTarget()
    Reminders(chat.bot, target).tick(dt.datetime(2018, 3, 20, 17, 0, tzinfo=dt.UTC))
    assert target.posts, "the reminder was posted"

    chat.set_now(dt.datetime(2018, 3, 21, 17, 2, tzinfo=dt.UTC))
    say("/meeting start")
    for secret in pasted:
        say(f"/attend Tim {secret} / Org {secret} / @tim")
        say(f"/decision rotate {secret}")
    failing = chat.store.decisions.add

    def add_decision_failing(*args, **kwargs):
        raise RuntimeError(f"disk said no to {args} with {EVERY_SETTING['MATRIX_PASSWORD']}")

    monkeypatch.setattr(chat.store.decisions, "add", add_decision_failing)
    say(f"/decision {PASTED['a GitHub token']}")
    monkeypatch.setattr(chat.store.decisions, "add", failing)
    chat.set_now(dt.datetime(2018, 3, 21, 17, 55, tzinfo=dt.UTC))
    say("/meeting end")
    assert "committed as" in replies[-1]

    server = PageServer("127.0.0.1", 0)
    server.start(page_app(PageSite(chat.bot, console.page_scope(chat.bot))))
    try:
        page = chat.bot.pages.private_path(chat.bot.schedules.get("binder-team"))
        base = f"http://127.0.0.1:{server.port}{page}"
        html = [urllib.request.urlopen(base + suffix, timeout=10).read().decode()
                for suffix in ("", ".ics", "/minutes/2018-03-21")]
    finally:
        server.stop()
    git_log = subprocess.run(["git", "-C", str(chat.archive), "log", "-p", "--format=%B"],
                             capture_output=True, text=True, check=True).stdout
    minutes = [path.read_text() for path in chat.archive.rglob("*.md")]
    outputs = {
        "logs": capsys.readouterr().err, "replies": "\n".join(replies),
        "reminders": "\n".join(str(post) for post in target.posts), "pages": "\n".join(html),
        "minutes": "\n".join(minutes), "git": git_log,
        "database": database_bytes(chat).decode("utf-8", "replace"),
    }
    assert "command failed" in outputs["logs"]  # the failure was logged, redacted
    assert "redacted" in outputs["minutes"] and "[redacted]" in outputs["pages"]
    for secret in [*pasted, "b3BlbnNzaC1rZXkt"]:
        for where, text in outputs.items():
            assert secret not in text, (secret, where)
