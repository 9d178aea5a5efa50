"""The Slack adapter end to end: the real Bolt app served by uvicorn on 127.0.0.1, requests
signed as Slack signs them, the Web API stand-in reached only through SLACK_API_URL.

Assertions are on what people would see: the ack body, what the bot sent to Slack
(recorded by the stand-in), and what was stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import slack_requests as sr
from slack_standin import SlackStandIn, SocketModeStandIn, make_user
from slack_world import (
    CHANNEL,
    MEETING_START,
    ROOT,
    SECRET,
    TEAM,
    TOKEN,
    SlackWorld,
    free_port,
    write_schedules,
)

from chatbot.adapters.slack import SlackAdapter, serve_socket_mode
from chatbot.config import SlackSettings
from chatbot.core.model import Scope
from chatbot.store import ReminderKey
from tests.conftest import cli_env

OCCURRENCE = "2018-03-21"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(token=TOKEN) as standin:
        yield standin


@pytest.fixture
def world(tmp_path: Path, slack: SlackStandIn) -> Iterator[SlackWorld]:
    with SlackWorld(tmp_path, slack) as served:
        yield served


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks)


# -- slash commands -------------------------------------------------------------------------


def test_agenda_add_is_answered_in_the_ack_and_posted_to_the_channel(world: SlackWorld) -> None:
    status, body = world.command("/agenda", "add Kubeflow presentation")
    assert status == 200
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith(
        "alice added agenda item 1 (Help or discussion needed): Kubeflow presentation"
    )
    [item] = world.store.agenda.items(world.scope, "binder-team", OCCURRENCE)
    assert (item.text, item.author_id) == ("Kubeflow presentation", "U0ALICE")
    [post] = world.posts(1)
    assert "alice added agenda item 1" in post["text"]
    alice = world.store.users.get(TEAM, "U0ALICE")
    assert (alice.name, alice.profile_tz, alice.tz) == ("alice", "Europe/Berlin", None)


def test_data_is_kept_per_workspace_and_channel(world: SlackWorld) -> None:
    world.answer("/todo", "add fix the CI", channel="C0OTHER")
    assert "No meeting is scheduled for this channel" in world.answer(
        "/agenda", "add lost item", channel="C0OTHER"
    )
    assert world.answer("/todos") == "Open TODOs: none. Add one with /todo add [@owner] TEXT."
    [todo] = world.store.todos.in_channel(Scope("slack", TEAM, "C0OTHER"))
    assert todo.text == "fix the CI"
    assert world.store.todos.in_channel(world.scope) == []


def test_personal_answers_are_ephemeral_in_the_profile_zone(world: SlackWorld) -> None:
    # tz_offset is deliberately wrong: only the IANA name may be used
    eve = make_user("U0EVE", "eve", tz="Asia/Tokyo")
    eve["tz_offset"] = 0
    world.slack.add_user(eve)
    # Slack shows the date token in each reader's own zone; the fallback is the profile's.
    token = f"<!date^{int(MEETING_START.timestamp())}^{{date_short_pretty}} at {{time}}|"
    assert f"{token}Thursday 22 March, 02:00 JST> your time" in world.answer(
        "/meeting", user="U0EVE")
    assert f"{token}Wednesday 21 March, 10:00 PDT> your time" in world.answer(
        "/meeting", user="U0BOB")
    assert world.answer("/tz", user="U0BOB").startswith(
        "Your timezone is America/Los_Angeles (from your profile; set yours with /tz ZONE)"
    )
    assert world.answer("/tz", "kolkata", user="U0BOB").startswith(
        "Your timezone is now Asia/Kolkata"
    )
    assert "Wednesday 21 March, 22:30 IST> your time" in world.answer("/meeting", user="U0BOB")
    time.sleep(0.2)
    assert world.slack.calls("chat.postMessage") == []  # nothing personal reached the channel


def test_forged_tampered_and_stale_requests_get_401_and_store_nothing(world: SlackWorld) -> None:
    before = world.snapshot()
    command = sr.slash_command(SECRET, command="/agenda", text="add sneaky item")
    click = sr.block_actions(SECRET, action_id="todo_done", value=f"{CHANNEL} 1")
    for bad in (
        sr.forged(command),
        sr.tampered(command, "sneaky", "sneakier"),
        sr.shifted(command, SECRET, -310),
        sr.shifted(command, SECRET, +310),
        sr.forged(click),
        sr.forged(sr.app_home_opened(SECRET)),
    ):
        assert world.send(bad)[0] == 401
    assert world.snapshot() == before
    assert [c.method for c in world.slack.calls()] == ["auth.test"]  # at startup only


@pytest.mark.parametrize(("command", "text", "says"), [
    ("/todo", "frobnicate <@U0BOB|bob>", "Unknown /todo action 'frobnicate'"),
    ("/agenda", "add", "Add what? Usage: /agenda add [section:] [10m] TEXT"),
    ("/agenda", "remove 7", "There is no agenda item 7"),
    ("/tz", "Mars/Olympus_Mons", "Unknown timezone 'Mars/Olympus_Mons'"),
    ("/agendum", "add x", "Unknown command /agendum. Did you mean /agenda?"),
    ("/todo", "add " + "x" * 2100, "the limit is 2,000"),
])
def test_malformed_commands_get_a_clear_message_and_store_nothing(
    world: SlackWorld, command: str, text: str, says: str
) -> None:
    before = world.snapshot()
    status, body = world.command(command, text)
    assert status == 200 and body["response_type"] == "ephemeral"
    assert body["text"].startswith(":warning: ") and says in body["text"]
    assert world.snapshot() == before  # not even the asker's or bob's profile
    time.sleep(0.1)
    assert world.slack.calls("chat.postMessage") == []


def test_a_command_failing_after_its_first_write_stores_nothing(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.answer("/todo", "add keep me")
    before = world.snapshot()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    # Looked up after Chidi's profile, the TODO and its owner are stored.
    monkeypatch.setattr(world.store.users, "by_id", broken)
    status, body = world.command("/todo", "add <@U0CHIDI|chidi> write the docs")
    assert status == 200 and "nothing was changed" in body["text"]
    assert world.snapshot() == before  # not the TODO, not even Chidi's profile


def test_mentions_resolve_in_every_form_slack_sends(world: SlackWorld) -> None:
    assert world.answer("/todo", "add <@U0CHIDI|chidi> <@U0DEV> write the docs").startswith(
        "TODO 1 for Chidi Okafor, dev: write the docs"
    )
    # not escaped: a plain @name, found among the channel's members
    assert world.answer("/todo", "add @bob review the PR").startswith("TODO 2 for bob:")
    assert world.answer("/todos", "@chidi").startswith(
        "Open TODOs of Chidi Okafor:\nChidi Okafor\n  1. write the docs")
    assert world.answer("/todo", "assign 2 <@U0DEV>").startswith("TODO 2 is now for dev")
    owners = [t.owners for t in world.store.todos.in_channel(world.scope)]
    assert owners == [("U0CHIDI", "U0DEV"), ("U0DEV",)]
    chidi = world.store.users.get(TEAM, "U0CHIDI")
    assert (chidi.name, chidi.profile_tz) == ("Chidi Okafor", "Africa/Lagos")
    # the roll call's last field is a GitHub handle, even when a Slack user has that name
    world.answer("/attend", "Alice / Stand-in Inc / @dev")
    [record] = world.store.attendance.in_meeting(world.scope, "binder-team", OCCURRENCE)
    assert (record.name, record.affiliation, record.github) == ("Alice", "Stand-in Inc", "dev")


def test_echoed_user_text_never_pings_anyone(world: SlackWorld) -> None:
    # What Slack sends when someone types: Release & party <!channel> @here <@U0BOB> @bob
    # (typed angle brackets and ampersands arrive as entities, @here as <!here>)
    typed = "add Release &amp; party &lt;!channel&gt; <!here> &lt;@U0BOB&gt; <@U0BOB|bob>"
    answer = world.answer("/agenda", typed)
    [item] = world.store.agenda.items(world.scope, "binder-team", OCCURRENCE)
    assert item.text == "Release & party <!channel> @here <@U0BOB> <@U0BOB>"
    [post] = world.posts(1)
    for shown in (answer, post["text"]):
        assert "Release &amp; party &lt;!channel&gt; @here @bob @bob" in shown
        # The one token left is the bot's own date token (each reader's own time).
        bot_made = re.sub(r"<!date\^\d+\^[^|<>]*\|[^<>]*>", "", shown)
        assert "<!" not in bot_made and "<@" not in bot_made
    # a display name is user text too
    world.slack.add_user(make_user("U0MAL", "mallory", display_name="<!everyone>"))
    assert world.answer("/agenda", "add hi", user="U0MAL").startswith("&lt;!everyone&gt; added")
    world.tick(MEETING_START - dt.timedelta(hours=1))
    reminder = world.posted("Reminder:")
    assert "Release &amp; party &lt;!channel&gt; @here @bob @bob (alice)" in all_text(
        reminder["blocks"])
    assert "<!channel>" not in all_text(reminder["blocks"])
    assert "<!everyone>" not in all_text(reminder["blocks"])
    assert "<@" not in all_text(reminder["blocks"])


# -- buttons --------------------------------------------------------------------------------


def test_todo_lists_have_done_buttons_that_close_the_todo(world: SlackWorld) -> None:
    world.answer("/todo", "add fix CI")
    world.answer("/todo", "add <@U0BOB> write docs")
    status, body = world.command("/todos")
    assert status == 200 and body["response_type"] == "ephemeral"
    buttons = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("Done", "todo_done", f"{CHANNEL} 1"), ("Done", "todo_done", f"{CHANNEL} 2"),
    ]
    assert world.click("todo_done", f"{CHANNEL} 1") == 200
    assert not world.store.todos.get(world.scope, 1).is_open
    world.posted("alice closed TODO 1: fix CI")
    # a second click: the clicker alone is told
    assert world.click("todo_done", f"{CHANNEL} 1") == 200
    [told] = world.slack.wait_for_calls("chat.postEphemeral")
    assert (told.params["user"], told.params["channel"]) == ("U0ALICE", CHANNEL)
    assert told.params["text"] == "TODO 1 was already done: fix CI"


def test_start_reminder_has_date_tokens_the_zone_list_and_an_im_here_button(
    world: SlackWorld,
) -> None:
    world.answer("/agenda", "add Kubeflow presentation")
    world.answer("/attend", "regrets", user="U0BOB")  # bob joins the channel's zones
    [delivery] = world.tick(MEETING_START)
    assert delivery.offset == dt.timedelta(0)
    blocks = world.posted("Reminder:")["blocks"]
    assert blocks[0]["text"]["text"] == (
        "Reminder: JupyterHub and BinderHub Team Meeting is starting now"
    )
    epoch = int(MEETING_START.timestamp())
    token = f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|Wednesday 21 March 2018, 18:00 CET>"
    assert token in all_text(blocks)
    zones = next(b for b in blocks if b["type"] == "context")["elements"][0]["text"]
    assert zones == ("Around the team: 10:00 PDT America/Los_Angeles · 17:00 UTC"
                     " · 18:00 CET Europe/Berlin")
    assert "1. Kubeflow presentation (alice)" in all_text(blocks)
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == "attend"
    assert actions["elements"][0]["value"] == "binder-team"
    assert world.tick(MEETING_START) == []  # exactly once

    world.bot.clock = type(world.bot.clock)(MEETING_START + dt.timedelta(minutes=5))
    assert world.click("attend", "binder-team", user="U0CHIDI") == 200
    attendance = world.store.attendance.in_meeting(world.scope, "binder-team", OCCURRENCE)
    names = [a.name for a in attendance]
    assert names == ["bob", "Chidi Okafor"]
    world.posted("Chidi Okafor /  /  is here for JupyterHub")


def test_rate_limits_and_server_errors_are_retried_and_a_reminder_is_posted_once(
    world: SlackWorld,
) -> None:
    one_hour = MEETING_START - dt.timedelta(hours=1)
    world.slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    assert len(world.tick(one_hour)) == 1
    first, second = world.slack.calls("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time >= 1.0  # waited for Retry-After
    assert world.tick(one_hour) == []

    # a 502 (not retried by slack_sdk's own handler) is retried with backoff
    world.slack.server_error("chat.postMessage", times=1, status=502)
    assert len(world.tick(MEETING_START)) == 1
    assert [c.status for c in world.slack.calls("chat.postMessage")][2:] == [502, 200]

    # failing past the retries: the claim is released and the next tick posts it, once
    world.slack.server_error("chat.postMessage", times=3, status=503)
    next_month = dt.datetime(2018, 4, 18, 15, 0, tzinfo=dt.UTC)  # 1 h before, in CEST
    assert world.tick(next_month) == []
    key = ReminderKey("slack", "binder-team", "2018-04-18", 60)
    assert world.store.reminder_claims.state(key) is None
    assert len(world.tick(next_month)) == 1
    assert world.store.reminder_claims.state(key) == "sent"
    statuses = [c.status for c in world.slack.calls("chat.postMessage")][4:]
    assert statuses == [503, 503, 503, 200]


def test_personal_reminders_are_direct_messages_in_the_readers_time(world: SlackWorld) -> None:
    assert "direct message" in world.answer("/meeting", "remind me on", user="U0BOB")
    world.tick(MEETING_START - dt.timedelta(hours=1))
    [opened] = world.slack.wait_for_calls("conversations.open")
    assert opened.params["users"] == "U0BOB"
    [dm] = world.posts(1, channel="DU0BOB")
    assert "Your time: Wednesday 21 March 2018, 10:00 PDT" in all_text(dm["blocks"])
    assert dm["text"].startswith("Reminder: JupyterHub and BinderHub Team Meeting in an hour")


def test_posts_to_one_channel_are_paced_and_joined(tmp_path: Path, slack: SlackStandIn) -> None:
    with SlackWorld(tmp_path, slack, post_interval=0.5) as world:
        for word in ("apples", "pears", "plums"):
            world.answer("/agenda", f"add {word}")
        world.answer("/todo", "add elsewhere", channel="C0OTHER")
        first, second = world.posts(2, timeout=3)
        assert "apples" in first["text"] and "pears" not in first["text"]
        assert "pears" in second["text"] and "plums" in second["text"]  # one message
        calls = slack.calls("chat.postMessage")
        here = [c.time for c in calls if c.params["channel"] == CHANNEL]
        [elsewhere] = [c.time for c in calls if c.params["channel"] == "C0OTHER"]
        assert here[1] - here[0] >= 0.45
        assert elsewhere - here[0] < 0.3  # another channel does not wait its turn


# -- App Home -------------------------------------------------------------------------------


def test_app_home_shows_open_todos_and_the_next_meeting_and_is_refreshed(
    world: SlackWorld,
) -> None:
    world.answer("/todo", "add write the docs")
    world.answer("/todo", "add <@U0BOB> not mine")
    assert world.send(sr.app_home_opened(SECRET, user_id="U0ALICE"))[0] == 200
    [published] = world.slack.wait_for_calls("views.publish")
    assert published.params["user_id"] == "U0ALICE"
    view = published.params["view"]
    text = all_text(view["blocks"])
    assert view["type"] == "home"
    assert "JupyterHub and BinderHub Team Meeting" in text
    assert f"<!date^{int(MEETING_START.timestamp())}^" in text
    assert "In Europe/Berlin: Wednesday 21 March, 18:00 CET" in text
    todos = [b for b in view["blocks"] if "accessory" in b]
    assert [b["accessory"]["value"] for b in todos] == [f"{CHANNEL} 1"]
    assert "write the docs" in todos[0]["text"]["text"] and "not mine" not in text

    assert world.click("todo_done", f"{CHANNEL} 1", channel=None) == 200  # from the Home
    refreshed = world.slack.wait_for_calls("views.publish", 2)[-1].params["view"]
    assert "Nothing open" in all_text(refreshed["blocks"])
    world.posted("alice closed TODO 1: write the docs")


def test_url_verification_is_answered(world: SlackWorld) -> None:
    status, body = world.send(sr.url_verification(SECRET, "c-123"))
    assert (status, body) == (200, {"challenge": "c-123"})


# -- caching and slow Slack ----------------------------------------------------------------


class SteppedClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_profiles_are_cached_with_expiry(tmp_path: Path, slack: SlackStandIn) -> None:
    with SlackWorld(tmp_path, slack, user_cache_seconds=3600) as world:
        clock = world.adapter.users.clock = SteppedClock()
        assert "18:00 CET> your time" in world.answer("/meeting")
        clock.seconds += 3500
        assert "18:00 CET> your time" in world.answer("/meeting")
        assert len(slack.calls("users.info")) == 1
        slack.add_user(make_user("U0ALICE", "alice", tz="Asia/Tokyo"))  # she moved
        clock.seconds += 200  # an hour after the profile was read
        assert "18:00 CET> your time" in world.answer("/meeting")  # stale, refreshed meanwhile
        slack.wait_for_calls("users.info", 2)
        until(lambda: "02:00 JST> your time" in world.answer("/meeting"))
        assert len(slack.calls("users.info")) == 2


def test_a_slow_web_api_never_delays_an_ack(tmp_path: Path, slack: SlackStandIn) -> None:
    slack.delay("chat.postMessage", 1.2)
    slack.delay("users.info", 1.2)
    with SlackWorld(tmp_path, slack, post_interval=1.0) as world:
        start = time.perf_counter()
        answer = world.answer("/agenda", "add first", user="U0DEV", user_name="dev-form")
        assert time.perf_counter() - start < 1.5  # waited at most 0.8 s for users.info
        assert answer.startswith("dev-form added agenda item 1")
        slack.wait_for_calls("users.info", 1)
        time.sleep(1.3)  # the profile arrives in the background
        latencies: list[float] = []

        def client(n: int) -> None:
            for i in range(20):
                begun = time.perf_counter()
                assert "added agenda item" in world.answer("/agenda", f"add {n}-{i}",
                                                           user="U0DEV")
                latencies.append(time.perf_counter() - begun)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(latencies) == 160 and max(latencies) < 1.0
        assert len(world.store.agenda.items(world.scope, "binder-team", OCCURRENCE)) == 161
        # one post in flight per channel; what arrives meanwhile is joined into the next
        posts = world.posts(3, timeout=8)
        assert len(posts) == 3 and posts[2]["text"].count("added agenda item") > 5


# -- Socket Mode ----------------------------------------------------------------------------


def test_socket_mode_answers_over_the_websocket(tmp_path: Path, slack: SlackStandIn) -> None:
    from chatbot.commands import Clock, build_bot
    from chatbot.core.schedule import ScheduleBook
    from chatbot.store import Store

    store = Store(tmp_path / "chatbot.db")
    bot = build_bot(store, ScheduleBook(write_schedules(tmp_path / "schedules")),
                    Clock(dt.datetime(2018, 3, 20, 12, 0, tzinfo=dt.UTC)))
    settings = SlackSettings(bot_token=TOKEN, app_token="xapp-standin-token",
                             api_url=slack.base_url, post_interval=0.05)
    adapter = SlackAdapter(bot, settings, reminders=False)
    with SocketModeStandIn() as socket_mode:
        slack.set_socket_mode_url(socket_mode.url)
        running: dict = {}

        async def main() -> None:
            running["loop"], running["stop"] = asyncio.get_running_loop(), asyncio.Event()
            await serve_socket_mode(adapter, running["stop"])

        thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
        thread.start()
        try:
            assert socket_mode.wait_connected()
            fields = dict(parse_qsl(sr.slash_command(
                "unused", command="/agenda", text="add over the socket").body))
            ack = socket_mode.send("slash_commands", fields)
            assert ack["payload"]["response_type"] == "ephemeral"
            assert ack["payload"]["text"].startswith("alice added agenda item 1")
            [item] = store.agenda.items(Scope("slack", TEAM, CHANNEL), "binder-team", OCCURRENCE)
            assert item.text == "over the socket"
            [opened] = slack.calls("apps.connections.open")
            assert opened.token == "xapp-standin-token"
            assert slack.wait_for_calls("chat.postMessage")[0].params["channel"] == CHANNEL
        finally:
            running["loop"].call_soon_threadsafe(running["stop"].set)
            thread.join(timeout=10)
        assert not thread.is_alive()


# -- `chatbot run` --------------------------------------------------------------------------


def chatbot(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "chatbot.cli", *args], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, **kwargs)


def slack_env(tmp_path: Path, slack: SlackStandIn, **extra: str) -> dict[str, str]:
    env = cli_env(
        tmp_path, CHATBOT_SCHEDULES=str(write_schedules(tmp_path / "schedules")),
        SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.base_url.rstrip("/"),  # the slash is added when missing
    )
    env.update(extra)
    return env


def test_chatbot_run_serves_slack_when_it_is_configured(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    port = free_port()
    # 30 s after the start: the scheduler posts the "starting now" reminder on startup
    process = chatbot("run", "--host", "127.0.0.1", "--port", str(port),
                      "--now", "2018-03-21T17:00:30Z", env=slack_env(tmp_path, slack))
    try:
        [reminder] = slack.wait_for_calls("chat.postMessage", 1, timeout=20)
        assert "is starting now" in reminder.params["text"]
        request = sr.slash_command(SECRET, command="/meeting")
        status, body, _ = sr.send(request, f"http://127.0.0.1:{port}")
        assert status == 200 and "(in progress now)" in json.loads(body)["text"]
        # The meeting's page is served on the same port, and every reply links to it.
        request = sr.slash_command(SECRET, command="/meeting", text="link")
        status, body, _ = sr.send(request, f"http://127.0.0.1:{port}")
        [page] = re.findall(rf"http://127\.0\.0\.1:{port}/m/[\w-]+(?=[\s>]|$)",
                            json.loads(body)["text"])
        with urllib.request.urlopen(page, timeout=10) as response:
            assert "JupyterHub and BinderHub Team Meeting" in response.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
            assert health.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "Slack: signed in as chatbot to Stand-in Team (T0STANDIN)" in output


@pytest.mark.parametrize(("extra", "says"), [
    ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-wrong"}, "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"),
    ({"SLACK_POST_INTERVAL": "soon"}, "SLACK_POST_INTERVAL='soon' is not a number of seconds"),
])
def test_chatbot_run_says_what_is_wrong_with_the_slack_settings(
    tmp_path: Path, slack: SlackStandIn, extra: dict[str, str], says: str
) -> None:
    process = chatbot("run", "--adapter", "slack", env=slack_env(tmp_path, slack, **extra))
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 2
    assert says in output and "Traceback" not in output


# -- permissions and isolation on Slack ------------------------------------------------------


def test_workspace_admins_may_manage_what_others_may_not(world: SlackWorld) -> None:
    world.answer("/agenda", "add from bob", user="U0BOB")
    world.answer("/agenda", "add from chidi", user="U0CHIDI")
    refusal = world.answer("/agenda", "remove 1", user="U0DEV")
    assert "Only its author (bob) or a channel admin" in refusal
    assert "removed agenda item 1" in world.answer("/agenda", "remove 1")  # alice: an admin
    assert "from bob" not in world.answer("/agenda", user="U0DEV")


def test_app_home_shows_no_meeting_of_a_channel_one_is_not_in(world: SlackWorld) -> None:
    world.answer("/todo", "add <@U0DEV> a task for dev")  # dev never spoke in the channel
    assert world.send(sr.app_home_opened(SECRET, user_id="U0DEV"))[0] == 200
    [published] = world.slack.wait_for_calls("views.publish")
    text = all_text(published.params["view"]["blocks"])
    assert "a task for dev" in text  # their own TODO
    assert "JupyterHub and BinderHub Team Meeting" not in text


# -- the meeting item by item: the vote message, the Add to minutes shortcut -------------------


@pytest.fixture
def meeting_world(tmp_path: Path, slack: SlackStandIn) -> Iterator[SlackWorld]:
    with SlackWorld(tmp_path, slack, now=MEETING_START + dt.timedelta(minutes=5)) as served:
        served.answer("/meeting", "start")
        served.answer("/agenda", "take Release schedule")
        yield served


def vote_message(world: SlackWorld, containing: str, timeout: float = 5.0) -> dict:
    """The first message whose text contains `containing` or whose ts it is."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in world.slack.messages(CHANNEL)
                 if containing in m["text"] or m["ts"] == containing]
        if found or time.monotonic() > deadline:
            assert found, f"no message containing {containing!r}"
            return found[0]
        time.sleep(0.01)


def buttons(message: dict) -> list[tuple[str, str, str]]:
    return [(e["text"]["text"], e["action_id"], e["value"]) for b in message.get("blocks", [])
            if b["type"] == "actions" for e in b["elements"]]


def test_the_vote_message_has_a_button_per_choice_and_is_updated_in_place(
        meeting_world: SlackWorld) -> None:
    world = meeting_world
    world.answer("/vote", "Monthly releases? [yes, no]")
    opened = vote_message(world, "Entry 2: vote “Monthly releases?”")
    assert buttons(opened) == [("yes", "vote-0", f"{CHANNEL} 2 yes"),
                               ("no", "vote-1", f"{CHANNEL} 2 no")]
    assert world.click("vote-0", f"{CHANNEL} 2 yes", user="U0BOB") == 200
    assert world.click("vote-1", f"{CHANNEL} 2 no", user="U0BOB") == 200  # changed
    world.answer("/vote", "yes", user="U0DEV", user_name="dev")
    vote_message(world, "so far: yes: 1, no: 1")
    world.answer("/vote", "close")  # the result is posted too: wait for the vote's message
    until(lambda: "closed: yes: 1 (dev), no: 1 (bob)" in vote_message(world, opened["ts"])["text"])
    assert buttons(vote_message(world, opened["ts"])) == []
    assert len(world.slack.messages(CHANNEL)) == len({m["ts"] for m in world.slack.messages(
        CHANNEL)})
    # A button of the closed vote counts for no other vote.
    world.answer("/vote", "Weekly releases?")
    assert world.click("vote-0", f"{CHANNEL} 2 yes", user="U0BOB") == 200
    [told] = world.slack.wait_for_calls("chat.postEphemeral")
    assert told.params["text"] == ":warning: Vote 2 is closed; /vote shows the open one."


def test_a_vote_taken_back_with_undo_loses_its_buttons(meeting_world: SlackWorld) -> None:
    world = meeting_world
    world.answer("/vote", "Monthly releases? [yes, no]")
    opened = vote_message(world, "Entry 2: vote “Monthly releases?”")
    assert world.click("vote-0", f"{CHANNEL} 2 yes", user="U0BOB") == 200
    vote_message(world, "so far: yes: 1, no: 0")
    assert "Removed entry 2" in world.answer("/undo")
    until(lambda: "was taken back" in vote_message(world, opened["ts"])["text"])
    assert buttons(vote_message(world, opened["ts"])) == []


def test_a_question_that_reads_like_a_closed_vote_keeps_its_buttons(
        meeting_world: SlackWorld) -> None:
    world = meeting_world
    world.answer("/vote", "Is “Entry 3: vote “x”” closed: for good? [yes, no]")
    opened = vote_message(world, "Entry 2: vote “Is “Entry 3: vote")
    # /vote answers "Vote “Is “…” closed: for good?” so far: …": it is not the result.
    assert "so far: yes: 0, no: 0" in world.answer("/vote")
    assert world.click("vote-0", f"{CHANNEL} 2 yes", user="U0BOB") == 200
    counted = vote_message(world, "so far: yes: 1, no: 0")
    assert counted["ts"] == opened["ts"]
    assert buttons(counted) == [("yes", "vote-0", f"{CHANNEL} 2 yes"),
                                ("no", "vote-1", f"{CHANNEL} 2 no")]


def test_the_vote_message_is_still_updated_after_a_restart(
        tmp_path: Path, slack: SlackStandIn) -> None:
    during = MEETING_START + dt.timedelta(minutes=5)
    with SlackWorld(tmp_path, slack, now=during) as world:
        world.answer("/meeting", "start")
        world.answer("/vote", "Monthly releases? [yes, no]")
        opened = vote_message(world, "Entry 1: vote “Monthly releases?”")
        until(lambda: world.store.live_entries.shown_in(
            world.scope, "binder-team", "2018-03-21", 1) == opened["ts"])
    with SlackWorld(tmp_path, slack, now=during) as world:
        assert world.click("vote-0", f"{CHANNEL} 1 yes", user="U0BOB") == 200
        counted = vote_message(world, "so far: yes: 1, no: 0")
        assert counted["ts"] == opened["ts"]
        assert counted["text"] == ("Entry 1: vote “Monthly releases?”: /vote yes or /vote no."
                                   "\nVote “Monthly releases?” so far: yes: 1, no: 0.")
        world.answer("/vote", "close")
        until(lambda: "closed: yes: 1 (bob)" in vote_message(world, opened["ts"])["text"])
        assert buttons(vote_message(world, opened["ts"])) == []
    # One message for the vote, and the result posted once beside it; no ballot line.
    texts = [m["text"] for m in slack.messages(CHANNEL)]
    assert sum("Monthly releases?" in text for text in texts) == 2
    assert not any("bob votes" in text for text in texts)


def test_times_in_posted_changes_are_shown_in_each_readers_zone(
        meeting_world: SlackWorld) -> None:
    world = meeting_world
    token = f"<!date^{int(MEETING_START.timestamp())}^{{date_short_pretty}} at {{time}}|"
    assert token in world.posted(" started JupyterHub")["text"]
    world.answer("/decision", "Release monthly")  # filed under the item taken up, too
    decided = world.posted("Decision 1 of")["text"]
    assert token in decided and decided.endswith(
        "Release monthly Entry 2: Decision filed under item 1, “Release schedule”.")
    world.answer("/meeting", "skip 2018-04-18")
    world.answer("/meeting", "unskip 2018-04-18")
    assert "meets again on <!date^" in world.posted("meets again on")["text"]
    world.answer("/meeting", "new Release sync")
    world.answer("/meeting", "--meeting release-sync set when every monday at 10:00 berlin")
    said = world.posted("The next meetings")["text"].split("\n")
    upcoming = [row for row in said if row.startswith("  ")]  # one line per meeting
    assert upcoming and all(re.fullmatch(r"  <!date\^\d+\^[^|]+\|[^>]+>  \|  .+ CES?T", row)
                            for row in upcoming)


def test_add_to_minutes_files_the_message_with_its_permalink_as_its_authors(
        meeting_world: SlackWorld) -> None:
    world = meeting_world
    status, _ = world.send(sr.message_shortcut(
        SECRET, callback_id="add_to_minutes", message_text="LoadBalancer is the hard part",
        message_user="U0BOB", message_ts="1521655200.000100"))
    assert status == 200
    world.posted("Entry 2: Link filed under item")
    link = world.store.live_entries.entries(world.scope, "binder-team", "2018-03-21")[-1]
    assert (link.kind, link.author, link.text) == (
        "link", "U0BOB", "https://standin.slack.com/archives/C0MEETING/p1521655200000100 "
        "LoadBalancer is the hard part")


# -- commands said to @chatbot, in a channel or a thread ------------------------------------


def in_thread(world: SlackWorld, thread: str):
    """The bot's one answer posted in `thread`, once it has arrived."""
    until(lambda: any(c.params.get("thread_ts") == thread
                      for c in world.slack.calls("chat.postMessage")))
    [answer] = [c for c in world.slack.calls("chat.postMessage")
                if c.params.get("thread_ts") == thread]
    return answer


def test_a_mention_in_a_thread_runs_the_command_and_answers_in_that_thread(
    world: SlackWorld,
) -> None:
    said = sr.app_mention(SECRET, "<@U0BOT> agenda add Kubeflow presentation",
                          ts="1521560100.000300", thread_ts="1521560000.000100",
                          channel_id=CHANNEL)
    assert world.send(said)[0] == 200
    answer = in_thread(world, "1521560000.000100")  # in the thread, not the channel
    assert answer.params["channel"] == CHANNEL
    assert "added agenda item 1" in answer.params["text"]
    items = world.store.agenda.items(world.scope, "binder-team", OCCURRENCE)
    assert [(item.text, item.author_id) for item in items] == [
        ("Kubeflow presentation", "U0ALICE")]
    assert len(world.slack.calls("chat.postMessage")) == 1  # said once, in the thread


def test_a_mention_in_a_channel_is_answered_in_a_thread_under_it(world: SlackWorld) -> None:
    assert world.send(sr.app_mention(SECRET, "<@U0BOT> todos", ts="1521560200.000400",
                                             channel_id=CHANNEL))[0] == 200
    assert "TODO" in in_thread(world, "1521560200.000400").params["text"]


def test_a_mention_in_passing_is_not_a_command(world: SlackWorld) -> None:
    before = world.snapshot()
    said = sr.app_mention(SECRET, "should we ask <@U0BOT> to agenda add this?",
                          channel_id=CHANNEL)
    assert world.send(said)[0] == 200
    assert world.snapshot() == before
    assert [c for c in world.slack.calls("chat.postMessage") if "thread_ts" in c.params] == []


def test_empty_agenda_a_day_before_has_a_skip_button_that_skips(world: SlackWorld) -> None:
    [delivery] = world.tick(MEETING_START - dt.timedelta(days=1))
    assert delivery.offset == dt.timedelta(days=1)
    blocks = world.posted("Reminder:")["blocks"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert actions["elements"][0]["text"]["text"] == "Skip this meeting"
    assert actions["elements"][0]["value"] == "binder-team 2018-03-21"
    assert world.click("skip_meeting", "binder-team 2018-03-21") == 200
    world.posted("Skipped JupyterHub and BinderHub Team Meeting on Wednesday 21 March.")
    assert world.store.occurrence_changes.get("binder-team", "2018-03-21")["changed_by"] \
        == "U0ALICE"


def test_meeting_new_without_a_name_opens_a_form_that_makes_the_series(
    world: SlackWorld,
) -> None:
    status, _ = world.command("/meeting", "new")
    assert status == 200
    [opened] = world.slack.wait_for_calls("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "meeting_new"
    fields = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert fields["zone"]["initial_value"] == "Europe/Berlin"  # alice's profile
    assert list(fields) == ["name", "zone", "day", "time", "repeat", "video"]

    answers = {
        "name": {"name": {"type": "plain_text_input", "value": "Team Sync"}},
        "zone": {"zone": {"type": "plain_text_input", "value": "new york"}},
        "day": {"day": {"type": "datepicker", "selected_date": "2018-04-18"}},
        "time": {"time": {"type": "timepicker", "selected_time": "17:30"}},
        "repeat": {"repeat": {"type": "static_select", "selected_option": {"value": "monthly"}}},
        "video": {"video": {"type": "plain_text_input", "value": "https://meet.example.org/t"}},
    }
    status, _ = world.send(sr.view_submission(SECRET, callback_id="meeting_new",
                                              values=answers, private_metadata=CHANNEL))
    assert status == 200
    world.posted("Made the meeting Team Sync (id team-sync)")
    world.posted("RRULE:FREQ=MONTHLY;BYDAY=3WE")
    settings = world.store.chat_series.settings("team-sync")
    assert (settings["timezone"], settings["start"], settings["video"]) == (
        "America/New_York", "2018-04-18T17:30", "https://meet.example.org/t")


def test_app_home_names_the_meeting_slash_meeting_names(meeting_world: SlackWorld) -> None:
    """Once the meeting has ended early, the Home shows the next one, as /meeting does."""
    meeting_world.answer("/meeting", "end")
    assert "Wednesday 18 April" in meeting_world.answer("/meeting", "")
    assert meeting_world.send(sr.app_home_opened(SECRET, user_id="U0ALICE"))[0] == 200
    [published] = meeting_world.slack.wait_for_calls("views.publish")
    text = all_text(published.params["view"]["blocks"])
    assert "In Europe/Berlin: Wednesday 18 April, 18:00 CEST" in text
    assert "21 March" not in text


def test_a_new_meeting_form_slack_will_not_open_is_said_to_the_asker(world: SlackWorld) -> None:
    world.slack.expire_triggers()
    assert world.command("/meeting", "new")[0] == 200
    [told] = world.slack.wait_for_calls("chat.postEphemeral")
    assert told.params["user"] == "U0ALICE"
    assert "Slack did not open the form (expired_trigger_id)" in told.params["text"]


def test_a_refused_new_meeting_form_stores_nothing_and_says_why_under_the_field(
    world: SlackWorld,
) -> None:
    answers = {
        "name": {"name": {"type": "plain_text_input", "value": "Team Sync"}},
        "zone": {"zone": {"type": "plain_text_input", "value": "Mars/Olympus"}},
        "day": {"day": {"type": "datepicker", "selected_date": "2018-04-18"}},
        "time": {"time": {"type": "timepicker", "selected_time": "17:30"}},
        "repeat": {"repeat": {"type": "static_select", "selected_option": {"value": "weekly"}}},
    }
    before = world.store.chat_series.in_channel(Scope("slack", sr.TEAM_ID, CHANNEL))
    status, body = world.send(sr.view_submission(SECRET, callback_id="meeting_new",
                                                 values=answers, private_metadata=CHANNEL))
    assert status == 200 and body["response_action"] == "errors"
    assert "unknown timezone 'Mars/Olympus'" in body["errors"]["zone"]
    # Not a half-made series without its zone: nothing at all, and nothing posted.
    assert world.store.chat_series.in_channel(Scope("slack", sr.TEAM_ID, CHANNEL)) == before
    assert world.store.chat_series.settings("team-sync") is None
    assert not [m for m in world.slack.messages(CHANNEL) if "Team Sync" in m["text"]]
