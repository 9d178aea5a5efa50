"""The Gitter adapter end to end: a real Synapse, a bot account and people in rooms.

People talk through the plain client-server API (tests/matrix_people.py) and read
what the bot posts; the bot runs `chatbot.adapters.gitter.serve` in the test's
event loop, on its own SQLite file and schedule folder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.matrix_homeserver import Homeserver, homeserver_fixture_body, require_modules
from tests.matrix_people import Person, in_reply_to, is_notice, pill

require_modules("mautrix")

from chatbot.adapters.gitter import PLATFORM, WORKSPACE, serve  # noqa: E402
from chatbot.commands import Clock, build_bot  # noqa: E402
from chatbot.config import MatrixSettings  # noqa: E402
from chatbot.core.model import Scope  # noqa: E402
from chatbot.core.schedule import ScheduleBook  # noqa: E402
from chatbot.store import Store  # noqa: E402

call = asyncio.to_thread
UTC = dt.UTC
# The series below meets on the third Wednesday at 18:00 Berlin time; its first
# meeting is 2030-01-16 17:00 UTC and it reminds the room one hour before.
SERIES = """
name = "Binder team meeting"
timezone = "Europe/Berlin"
start = "2030-01-16T18:00"
rrule = "FREQ=MONTHLY;BYDAY=3WE"
video = "https://example.org/video?room=binder&lang=en"
reminders = ["1h"]

[channels]
gitter = "{binding}"
"""
BEFORE_THE_MEETING = dt.datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
REMINDER_DUE = dt.datetime(2030, 1, 16, 16, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    yield from homeserver_fixture_body(tmp_path_factory)


def unique(name: str) -> str:
    """A fresh localpart: the homeserver is shared by the whole session."""
    return f"{name}-{uuid.uuid4().hex[:6]}"


def bind(folder: Path, series_id: str, binding: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{series_id}.toml").write_text(SERIES.format(binding=binding))


class BotRun:
    """The Gitter adapter serving one bot account in this event loop until the block ends."""

    def __init__(self, folder: Path, settings: MatrixSettings, now: dt.datetime) -> None:
        self.store = Store(folder / "chatbot.db")
        self.bot = build_bot(self.store, ScheduleBook(folder / "schedules"), Clock(now))
        self.settings = settings

    async def __aenter__(self) -> BotRun:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(serve(self.bot, self.settings, self.stop))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop.set()
        await self.task
        self.store.close()

    async def until(self, predicate, timeout: float = 20.0) -> None:
        """Wait for something people can see; fail at once if the bot died."""
        deadline = time.monotonic() + timeout
        while not await call(predicate):
            if self.task.done():
                self.task.result()
                raise AssertionError("the bot stopped")
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.05)


def settings(hs: Homeserver, localpart: str, **overrides) -> tuple[MatrixSettings, str]:
    password = f"{localpart}-password"
    user_id, token = hs.register(localpart, password)
    values = dict(homeserver=hs.base_url, user_id=user_id, access_token=token, password=password)
    return MatrixSettings(**{**values, **overrides}), user_id


async def bound_room(hs: Homeserver, tmp_path: Path):
    """A bot account, Alice and Bob in a room Alice made, bound to the "binder" series (so
    the bot joins it): (settings, bot id, alice, bob, room)."""
    bot_settings, bot_id = settings(hs, unique("meetbot"))
    alice = await call(Person.register, hs, unique("alice"), "Alice Example")
    bob = await call(Person.register, hs, unique("bob"), "Bob Builder")
    room = await call(alice.create_room, invite=[bob.user_id, bot_id])
    await call(bob.join, room)
    bind(tmp_path / "schedules", "binder", room)
    return bot_settings, bot_id, alice, bob, room


def body(event: dict) -> str:
    return event["content"]["body"]


def stored_rows(store: Store) -> dict[str, list]:
    """Every row of every table but the sync position (the sync loop moves it on)."""
    return {name: list(store.db.execute(f"SELECT * FROM [{name}]").fetchall())
            for name in store.db.table_names() if name != "sync_positions"}


# -- the meeting, across a restart ---------------------------------------------------


def test_meeting_in_a_bound_room_across_a_restart(homeserver: Homeserver, tmp_path: Path):
    asyncio.run(_meeting_across_a_restart(homeserver, tmp_path))


async def _meeting_across_a_restart(hs: Homeserver, tmp_path: Path) -> None:
    bot_settings, bot_id = settings(hs, unique("meetbot"))
    alice = await call(Person.register, hs, unique("alice"), "Alice Example")
    bob = await call(Person.register, hs, unique("bob"), "Bob Builder")
    alias_name = unique("binder-team")
    room = await call(alice.create_room, name="Binder team", room_alias_name=alias_name,
                      preset="public_chat", invite=[bob.user_id])
    await call(bob.join, room)
    bind(tmp_path / "schedules", "binder", f"#{alias_name}:{hs.server_name}")
    # Said before the bot ever ran: history, never to be answered.
    backlog = await call(alice.say, room, "!agenda add something from last year")

    async with BotRun(tmp_path, bot_settings, BEFORE_THE_MEETING) as run:
        await run.until(lambda: bot_id in alice.joined_members(room))

        added = await call(alice.ask, room, "!agenda add Kubeflow presentation")
        assert added["sender"] == bot_id
        assert added["content"]["msgtype"] == "m.notice"
        assert body(added).startswith(
            "Alice Example added agenda item 1 (Help or discussion needed): Kubeflow presentation"
        )
        assert added["content"]["format"] == "org.matrix.custom.html"
        assert "Kubeflow presentation" in added["content"]["formatted_body"]
        assert added["content"]["m.mentions"] == {"user_ids": [alice.user_id]}

        bob_localpart = bob.user_id[1:].partition(":")[0]
        await call(alice.ask, room, f"!todo add @{bob_localpart} reach out to CERN about z2jh")
        mine = await call(bob.ask, room, "!todos mine")
        assert body(mine) == "Your open TODOs:\nBob Builder\n  1. reach out to CERN about z2jh"
        assert mine["content"]["formatted_body"] == (
            "Your open TODOs:<br>Bob Builder<br>&nbsp;&nbsp;1. reach out to CERN about z2jh"
        )
        # Matrix has no profile timezone: /tz is how members' zones get into reminders.
        await call(alice.ask, room, "!tz los angeles")
        await call(bob.ask, room, "!tz Asia/Kolkata")
        reminders_on = await call(bob.ask, room, "!remind me on")
        assert "direct message" in body(reminders_on)
        before_restart = await call(alice.ask, room, "!agenda")
        assert "1. Kubeflow presentation (Alice Example)" in body(before_restart)

    # Down: commands arrive meanwhile. Back one second before the reminder is due.
    first = await call(alice.say, room, "!agenda add Binder 1.0 release")
    second = await call(bob.say, room, "!agenda add thanks: Tim for CI")
    while_down = await call(alice.say, room, "!todos")
    bot_settings = replace(bot_settings, access_token=None)  # log in with the password
    async with BotRun(tmp_path, bot_settings, REMINDER_DUE - dt.timedelta(seconds=1)) as run:
        answer = await call(alice.wait_for_reply, room, while_down)
        assert "reach out to CERN" in body(answer)
        # Missed commands come back in one batch and are answered in the order said.
        assert "added agenda item 2 " in body(await call(alice.wait_for_reply, room, first))
        assert "added agenda item 3 " in body(await call(alice.wait_for_reply, room, second))

        reminder = await call(alice.wait_for, room,
                              lambda e: is_notice(e) and body(e).startswith("Reminder:"))
        text = body(reminder)
        assert text.startswith("Reminder: Binder team meeting in an hour")
        assert "09:00 PST America/Los_Angeles" in text
        assert "22:30 IST Asia/Kolkata (night)" in text
        assert "1. Kubeflow presentation (Alice Example)" in text
        html = reminder["content"]["formatted_body"]
        assert "<li>09:00 PST America/Los_Angeles</li>" in html
        assert ('<a href="https://example.org/video?room=binder&amp;lang=en">'
                'https://example.org/video?room=binder&amp;lang=en</a>') in html

        direct_room = await call(bob.wait_for_invite)
        await call(bob.join, direct_room)
        personal = await call(bob.wait_for, direct_room, is_notice)
        assert "Your time: Wednesday 16 January 2030, 22:30 IST" in body(personal)
        assert "Reminder: Binder team meeting in an hour" in body(personal)

        last = await call(alice.ask, room, "!meeting")
        assert "Binder team meeting" in body(last)

    # Every command was answered exactly once; the backlog never.
    answered = await call(alice.replies, room, bot_id)
    assert len(answered) == len(set(answered)) == 11
    assert answered[-4:] == [first, second, while_down, in_reply_to(last)]
    assert backlog not in answered
    reminders = [e for e in await call(alice.messages, room)
                 if is_notice(e) and body(e).startswith("Reminder:")]
    assert len(reminders) == 1


# -- the meeting item by item: replies that capture a message, reactions that vote ----


def test_a_reply_with_note_captures_the_message_and_a_thumb_votes(
        homeserver: Homeserver, tmp_path: Path):
    asyncio.run(_capture_and_react(homeserver, tmp_path))


async def _capture_and_react(hs: Homeserver, tmp_path: Path) -> None:
    bot_settings, bot_id, alice, bob, room = await bound_room(hs, tmp_path)
    during = REMINDER_DUE + dt.timedelta(hours=1, minutes=5)

    async with BotRun(tmp_path, bot_settings, during) as run:
        await run.until(lambda: bot_id in alice.joined_members(room))
        await call(alice.ask, room, "!meeting start")
        await call(alice.ask, room, "!topic z2jh on bare metal")
        said = await call(bob.say, room, "LoadBalancer and PersistentVolume are the hard parts")
        noted = await call(alice.wait_for_reply, room, await call(alice.reply, room, said, "!note"))
        assert body(noted) == "Entry 2: Note filed under item 1, “z2jh on bare metal”."

        opened = await call(alice.ask, room, "!vote Write a bare-metal guide?")
        assert body(opened).startswith("Entry 3: vote “Write a bare-metal guide?”")
        thumb_up = await call(bob.react, room, opened["event_id"], "👍️")
        counted = await call(alice.wait_for, room, lambda e: is_notice(e) and body(e).startswith(
            "Bob Builder votes +1"))
        assert in_reply_to(counted) == opened["event_id"]
        await call(alice.react, room, said, "👍")  # not the vote message: no vote
        shown = await call(alice.ask, room, "!vote")
        assert body(shown) == "Vote “Write a bare-metal guide?” so far: +1: 1, 0: 0, -1: 0."

        # Taking a thumb back: the other thumb counts, and with none left the vote is his no more.
        thumb_down = await call(bob.react, room, opened["event_id"], "👎")
        await call(alice.wait_for, room, lambda e: is_notice(e) and body(e).startswith(
            "Bob Builder votes -1 (was +1)"))
        await call(bob.redact, room, thumb_up)
        await call(alice.wait_for, room, lambda e: is_notice(e) and body(e).startswith(
            "Bob Builder votes -1. Vote"))
        await call(bob.redact, room, thumb_down)
        await call(alice.wait_for, room, lambda e: is_notice(e) and body(e).startswith(
            "Bob Builder withdraws their vote (-1)."))
        shown = await call(alice.ask, room, "!vote")
        assert body(shown) == "Vote “Write a bare-metal guide?” so far: +1: 0, 0: 0, -1: 0."

        entries = run.store.live_entries.entries(
            Scope(PLATFORM, WORKSPACE, room), "binder", "2030-01-16")
        note = entries[1]
        assert (note.kind, note.author, note.text) == (
            "note", bob.user_id, "LoadBalancer and PersistentVolume are the hard parts")


def test_a_thumb_on_the_vote_message_counts_after_a_restart_and_nowhere_else(
        homeserver: Homeserver, tmp_path: Path):
    asyncio.run(_thumbs_across_a_restart(homeserver, tmp_path))


async def _thumbs_across_a_restart(hs: Homeserver, tmp_path: Path) -> None:
    bot_settings, bot_id, alice, bob, room = await bound_room(hs, tmp_path)
    # Her ballot's reply starts as a vote's opening does: "Entry 1: vote “Guide votes +1".
    carol = await call(Person.register, hs, unique("carol"), "Entry 1: vote “Guide")
    await call(alice.invite, room, carol.user_id)
    await call(carol.join, room)
    during = REMINDER_DUE + dt.timedelta(hours=1, minutes=5)
    async with BotRun(tmp_path, bot_settings, during) as run:
        await run.until(lambda: bot_id in alice.joined_members(room))
        await call(alice.ask, room, "!meeting start")
        opened = await call(alice.ask, room, "!vote Write a guide?")
        assert body(opened).startswith("Entry 1: vote “Write a guide?”")
        assert opened["content"]["org.chatbot.vote"] == 1
        await call(carol.ask, room, "!attend")  # the bot knows her name from now on

    async with BotRun(tmp_path, bot_settings, during) as again:
        await call(carol.react, room, opened["event_id"], "👍")
        ballot = await call(alice.wait_for, room, lambda e: is_notice(e) and body(e).startswith(
            "Entry 1: vote “Guide votes +1"))
        assert "org.chatbot.vote" not in ballot["content"]
        await call(bob.react, room, opened["event_id"], "👎")
        await call(alice.wait_for, room, lambda e: is_notice(e) and " votes -1" in body(e))
        await call(bob.react, room, ballot["event_id"], "👍")  # not the vote message
        shown = await call(alice.ask, room, "!vote")
        assert body(shown) == "Vote “Write a guide?” so far: +1: 1, 0: 0, -1: 1."
        # Bob only ever reacted: the result names him, and so will the minutes.
        closed = await call(alice.ask, room, "!vote close")
        assert body(closed).endswith("-1: 1 (Bob Builder).")
        assert again.store.users.get(WORKSPACE, bob.user_id).name == "Bob Builder"


# -- what people type ----------------------------------------------------------------


def test_a_command_failing_after_its_first_write_stores_nothing(
    homeserver: Homeserver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    asyncio.run(_failing_command(homeserver, tmp_path, monkeypatch))


async def _failing_command(hs: Homeserver, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    bot_settings, bot_id, alice, bob, room = await bound_room(hs, tmp_path)

    async with BotRun(tmp_path, bot_settings, BEFORE_THE_MEETING) as run:
        await run.until(lambda: bot_id in alice.joined_members(room))
        kept = await call(alice.ask, room, "!todo add keep me")
        assert body(kept).startswith("TODO 1 for") and body(kept).endswith(": keep me")
        before = stored_rows(run.store)
        looked_up = run.store.users.by_id
        failed = []

        def fails_in_the_command(*args: object) -> object:
            if not failed:  # after Bob's name, the TODO and its owner are stored
                failed.append(True)
                raise RuntimeError("disk on fire")
            return looked_up(*args)

        monkeypatch.setattr(run.store.users, "by_id", fails_in_the_command)
        answer = await call(
            alice.ask, room, "!todo add Bob Builder update the docs",
            html=f"!todo add {pill(bob.user_id, 'Bob Builder')} update the docs",
            mentions=[bob.user_id],
        )
        assert failed and "nothing was changed" in body(answer)
        assert stored_rows(run.store) == before  # not the TODO, not even Bob's name


def test_mentions_prefix_and_escaping(homeserver: Homeserver, tmp_path: Path):
    asyncio.run(_mentions_prefix_and_escaping(homeserver, tmp_path))


async def _mentions_prefix_and_escaping(hs: Homeserver, tmp_path: Path) -> None:
    bot_settings, bot_id = settings(hs, unique("chatbot"), prefix="?")
    alice = await call(Person.register, hs, unique("alice"), "Alice Example")
    bob = await call(Person.register, hs, unique("bob"), "Bob Builder")
    carol = await call(Person.register, hs, unique("carol"))  # no display name set
    room = await call(alice.create_room, invite=[bob.user_id, carol.user_id, bot_id])
    await call(bob.join, room)
    await call(carol.join, room)
    bind(tmp_path / "schedules", "binder", room)
    bot_name = bot_id[1:].partition(":")[0]

    async with BotRun(tmp_path, bot_settings, BEFORE_THE_MEETING) as run:
        await run.until(lambda: bot_id in alice.joined_members(room))

        # The prefix is configurable; hints in replies use it, and "!" is now chatter.
        ignored = await call(alice.say, room, "!agenda add not for the bot")
        helped = await call(alice.ask, room, "?help todo")
        assert body(helped).startswith("?todo add [@owner …] TEXT")

        # A pill (what Element sends when a person is picked) with m.mentions.
        by_pill = await call(
            alice.ask, room, "?todo add Bob Builder update the docs",
            html=f"?todo add {pill(bob.user_id, 'Bob Builder')} update the docs",
            mentions=[bob.user_id],
        )
        assert body(by_pill) == "TODO 1 for Bob Builder: update the docs"
        by_full_id = await call(alice.ask, room, f"?todo add {carol.user_id} book the room")
        assert body(by_full_id) == f"TODO 2 for {carol.user_id[1:].split(':')[0]}: book the room"
        by_localpart = await call(alice.ask, room,
                                  f"?todo add @{bob.user_id[1:].split(':')[0]} check CI")
        assert body(by_localpart) == "TODO 3 for Bob Builder: check CI"
        by_display_name = await call(alice.ask, room, "?todo assign 2 @bob builder")
        assert body(by_display_name) == "TODO 2 is now for Bob Builder: book the room"
        in_text = await call(alice.ask, room, f"?agenda add ask @{carol.user_id[1:]} <b>now</b>")
        carol_name = carol.user_id[1:].split(":")[0]
        assert f"ask {carol_name} <b>now</b>" in body(in_text)
        formatted = in_text["content"]["formatted_body"]
        assert "&lt;b&gt;now&lt;/b&gt;" in formatted and "<b>" not in formatted
        assert f'<a href="https://matrix.to/#/{carol.user_id}">{carol_name}</a>' in formatted
        bobs = await call(alice.ask, room, "?todos @Bob Builder")
        assert body(bobs).splitlines()[1:] == ["Bob Builder", "  1. update the docs",
                                               "  2. book the room", "  3. check CI"]

        # Addressing the bot by name, typed or as a pill.
        by_name = await call(bob.ask, room, f"{bot_name}: todos mine")
        assert body(by_name).startswith("Your open TODOs:")
        by_bot_pill = await call(bob.ask, room, f"{bot_name}: meeting",
                                 html=f"{pill(bot_id, bot_name)}: meeting", mentions=[bot_id])
        assert "Binder team meeting" in body(by_bot_pill)

        # Other bots' notices and chatter are not answered; mistakes are, with a hint.
        notice = await call(bob.say, room, "?agenda add from another bot", msgtype="m.notice")
        chatter = await call(bob.say, room, "thanks all? see you")
        wrong = await call(bob.ask, room, "?agenda remove 9")
        assert body(wrong).startswith("There is no agenda item 9")
        typo = await call(bob.ask, room, "?todoz")
        assert body(typo) == "Unknown command ?todoz. Did you mean ?todo? Type ?help for the list."

    answered = await call(alice.replies, room, bot_id)
    assert {ignored, notice, chatter}.isdisjoint(answered)
    assert len(answered) == len(set(answered))


# -- rooms ----------------------------------------------------------------------------


def test_joins_bound_rooms_and_accepts_only_their_invites(homeserver: Homeserver,
                                                          tmp_path: Path):
    asyncio.run(_joins_bound_rooms(homeserver, tmp_path))


async def _joins_bound_rooms(hs: Homeserver, tmp_path: Path) -> None:
    bot_settings, bot_id = settings(hs, unique("roombot"))
    alice = await call(Person.register, hs, unique("alice"))
    invited_early = await call(alice.create_room, name="standup", invite=[bot_id])
    early = await call(alice.say, invited_early, "!agenda add said before the bot came")
    # The account was put into a room by hand before the bot first ran: what was
    # said there since is backlog too.
    already_in = await call(alice.create_room, name="retro", invite=[bot_id])
    await call(Person(hs, bot_id, bot_settings.access_token).join, already_in)
    backlog = await call(alice.say, already_in, "!agenda add said while the bot was not running")
    invited_later = await call(alice.create_room, name="planning")
    unbound = await call(alice.create_room, name="random")
    schedules = tmp_path / "schedules"
    bind(schedules, "standup", invited_early)
    bind(schedules, "retro", already_in)
    bind(schedules, "planning", invited_later)

    async with BotRun(tmp_path, bot_settings, BEFORE_THE_MEETING) as run:
        # An invite pending since before the first start is taken up.
        await run.until(lambda: bot_id in alice.joined_members(invited_early))
        # A bound private room the bot cannot join yet: it joins once invited, and
        # what was said there before is history, not commands.
        before_invite = await call(alice.say, invited_later, "!agenda add said before the invite")
        await call(alice.invite, invited_later, bot_id)
        await run.until(lambda: bot_id in alice.joined_members(invited_later))
        answer = await call(alice.ask, invited_later, "!agenda add retro")
        assert "agenda item 1 (Help or discussion needed): retro" in body(answer)
        # An invite to a room no schedule binds is left alone.
        await call(alice.invite, unbound, bot_id)
        answer = await call(alice.ask, invited_early, "!agenda")
        assert "said before the bot came" not in body(answer)
        assert await call(alice.is_invited, unbound, bot_id)
        answer = await call(alice.ask, already_in, "!agenda")
        assert "said while the bot was not running" not in body(answer)

    assert early not in await call(alice.replies, invited_early, bot_id)
    assert before_invite not in await call(alice.replies, invited_later, bot_id)
    assert backlog not in await call(alice.replies, already_in, bot_id)


# -- the command line -----------------------------------------------------------------


def test_chatbot_run_uses_matrix_when_configured(homeserver: Homeserver, tmp_path: Path):
    bot_settings, bot_id = settings(homeserver, unique("clibot"))
    alice = Person.register(homeserver, unique("alice"))
    room = alice.create_room(invite=[bot_id])
    bind(tmp_path / "schedules", "binder", room)
    environment = cli_env(tmp_path, MATRIX_HOMESERVER=homeserver.base_url,
                          MATRIX_USER_ID=bot_id, MATRIX_ACCESS_TOKEN=bot_settings.access_token)
    process = subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "run", "--now", "2030-01-10T12:00Z"],
        env=environment, cwd=tmp_path, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while bot_id not in alice.joined_members(room):
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the bot did not join"
            time.sleep(0.05)
        reply = alice.ask(room, "!meeting")
        assert "Binder team meeting" in body(reply)
        assert in_reply_to(reply)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output


# -- the first start -------------------------------------------------------------------


def test_a_command_said_the_moment_the_bot_joins_is_answered(homeserver: Homeserver,
                                                             tmp_path: Path):
    asyncio.run(_said_the_moment_the_bot_joins(homeserver, tmp_path))


async def _said_the_moment_the_bot_joins(hs: Homeserver, tmp_path: Path) -> None:
    from chatbot.adapters.gitter import GitterAdapter

    bot_settings, bot_id = settings(hs, unique("joinbot"))
    alice = await call(Person.register, hs, unique("alice"), "Alice Example")
    room = await call(alice.create_room, name="Binder team", preset="public_chat")
    bind(tmp_path / "schedules", "binder", room)
    store = Store(tmp_path / "chatbot.db")
    adapter = GitterAdapter(build_bot(store, ScheduleBook(tmp_path / "schedules"),
                                      Clock(BEFORE_THE_MEETING)), bot_settings)
    # Alice speaks after the bot joined and before its next sync: the worst moment.
    joined, spoken = asyncio.Event(), asyncio.Event()
    join, sync = adapter.client.join_room, adapter.client.sync

    async def join_and_note(*args, **kwargs):
        result = await join(*args, **kwargs)
        joined.set()
        return result

    async def sync_once_alice_spoke(*args, **kwargs):
        if joined.is_set():
            await spoken.wait()
        return await sync(*args, **kwargs)

    adapter.client.join_room = join_and_note
    adapter.client.sync = sync_once_alice_spoke
    await adapter.start()
    try:
        assert joined.is_set() and bot_id in await call(alice.joined_members, room)
        asked = await call(alice.say, room, "!meeting")
        spoken.set()
        reply = await call(alice.wait_for_reply, room, asked)
        assert reply["sender"] == bot_id
        assert "Binder team meeting" in body(reply)
    finally:
        await adapter.stop()
        store.close()


# -- a series made in a room -----------------------------------------------------------


def test_a_series_made_from_a_matrix_room(homeserver: Homeserver, tmp_path: Path):
    asyncio.run(_series_made_in_a_room(homeserver, tmp_path))


async def _series_made_in_a_room(hs: Homeserver, tmp_path: Path) -> None:
    bot_settings, bot_id, alice, bob, room = await bound_room(hs, tmp_path)

    async with BotRun(tmp_path, bot_settings, BEFORE_THE_MEETING) as run:
        await run.until(lambda: bot_id in alice.joined_members(room))
        await call(alice.ask, room, "!tz berlin")
        made = await call(alice.ask, room, "!meeting new Room Sync")
        assert "(id room-sync) for this channel, in Europe/Berlin" in body(made)
        set_when = await call(alice.ask, room, "!meeting --meeting room-sync set when "
                                               "every monday at 09:30")
        assert "RRULE:FREQ=WEEKLY;BYDAY=MO" in body(set_when)
        assert "Monday 14 January, 09:30 CET" in body(set_when)
        refused = await call(bob.ask, room, "!meeting --meeting room-sync set name Mine")
        assert body(refused) == "Only a channel admin (Alice Example) can change Room Sync."
        shown = await call(bob.ask, room, "!meeting --meeting room-sync")
        assert body(shown).startswith("Room Sync: Monday 14 January, 08:30 UTC")
    assert Store(tmp_path / "chatbot.db").chat_series.scope_of("room-sync").channel == room
