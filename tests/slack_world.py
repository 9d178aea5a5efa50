"""The real Slack adapter served by uvicorn on 127.0.0.1, pointed at the Web API stand-in.

    with SlackWorld(tmp_path, standin) as world:
        status, answer = world.command("/agenda", "add Kubeflow")
        world.slack.wait_for_calls("chat.postMessage")

Requests are signed exactly as Slack signs them (tests/slack_requests.py), so Bolt's real
verification runs. The bot's clock is fixed (SEED_NOW) so meetings are predictable; the
request timestamps use the real clock, as Slack's do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import slack_requests as sr
from slack_standin import SlackStandIn
from starlette.routing import BaseRoute

from chatbot.adapters.slack import SlackAdapter, SlackReminders, http_server
from chatbot.cli import platform_page_scope
from chatbot.commands import Clock, build_bot
from chatbot.config import SlackSettings
from chatbot.core.model import Scope
from chatbot.core.schedule import ScheduleBook
from chatbot.scheduler import Delivery, Reminders
from chatbot.store import Store
from chatbot.web.app import PageSite, page_routes

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
TEAM = sr.TEAM_ID
CHANNEL = "C0MEETING"
SEED_NOW = dt.datetime(2018, 3, 20, 12, 0, tzinfo=dt.UTC)
# The binder-team meeting after SEED_NOW: Wednesday 21 March 2018, 18:00 CET.
MEETING_START = dt.datetime(2018, 3, 21, 17, 0, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_schedules(folder: Path, channel: str = CHANNEL) -> Path:
    """The seed schedule, bound to a Slack channel as well as the console one."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = (ROOT / "schedules" / "binder-team.toml").read_text()
    (folder / "binder-team.toml").write_text(seed.replace(
        "[channels]\n", f'[channels]\nslack = "{channel}"\n'
    ))
    return folder


class SlackWorld:
    def __init__(self, tmp_path: Path, slack: SlackStandIn, *, post_interval: float = 0.05,
                 user_cache_seconds: float = 3600.0, now: dt.datetime = SEED_NOW,
                 pages: bool = False, extra_routes: Sequence[BaseRoute] = (),
                 schedules: Path | None = None, oauth: bool = False):
        self.slack = slack
        self.store = Store(tmp_path / "chatbot.db")
        schedules = schedules or write_schedules(tmp_path / "schedules")
        self.bot = build_bot(self.store, ScheduleBook(schedules), Clock(now))
        # oauth: installed in many workspaces through the stand-in's OAuth, no bot token.
        self.settings = SlackSettings(
            bot_token="" if oauth else TOKEN, signing_secret=SECRET, api_url=slack.base_url,
            post_interval=post_interval, user_cache_seconds=user_cache_seconds,
            client_id=slack.client_id if oauth else "",
            client_secret=slack.client_secret if oauth else "",
        )
        # Reminders are driven by the tests through tick(), at chosen instants.
        self.adapter = SlackAdapter(self.bot, self.settings, reminders=False)
        self.adapter.shutdown_grace = 0.5
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if pages:  # the meeting pages on the same port, as `chatbot run` adds them
            site = PageSite(self.bot, platform_page_scope(self.bot, "slack"))
            extra_routes = [*page_routes(site), *extra_routes]
        # Served as `chatbot run` serves it (the guard, the headers, uvicorn's logging).
        self.server = http_server(self.adapter, "127.0.0.1", self.port, extra_routes)
        self.thread = threading.Thread(target=self.server.run, name="slack-adapter", daemon=True)

    def __enter__(self) -> SlackWorld:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Slack adapter did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)

    # -- saying things as Slack does ------------------------------------------------------

    def send(self, request: sr.SlackRequest) -> tuple[int, Any]:
        status, body, headers = sr.send(request, self.url)
        if headers.get("content-type", "").startswith("application/json") and body:
            return status, json.loads(body)
        return status, body.decode()

    def command(self, command: str, text: str = "", *, user: str = "U0ALICE",
                user_name: str = "alice", channel: str = CHANNEL, team: str = TEAM
                ) -> tuple[int, Any]:
        return self.send(sr.slash_command(SECRET, command=command, text=text, user_id=user,
                                          user_name=user_name, channel_id=channel,
                                          team_id=team))

    def answer(self, command: str, text: str = "", **kwargs: Any) -> str:
        """The text of a successful ack (what the asker sees)."""
        status, body = self.command(command, text, **kwargs)
        assert status == 200, (status, body)
        return body["text"]

    def click(self, action_id: str, value: str, *, user: str = "U0ALICE",
              channel: str | None = CHANNEL) -> int:
        container = {"type": "message"} if channel else {"type": "view", "view_id": "V0HOME"}
        status, _ = self.send(sr.block_actions(SECRET, action_id=action_id, value=value,
                                               user_id=user, channel_id=channel,
                                               container=container))
        return status

    # -- reminders, as the scheduler's thread sends them -----------------------------------

    def tick(self, now: dt.datetime) -> list[Delivery]:
        return Reminders(self.bot, SlackReminders(self.adapter)).tick(now)

    # -- what was stored and sent ----------------------------------------------------------

    @property
    def scope(self) -> Scope:
        return Scope("slack", TEAM, CHANNEL)

    def snapshot(self) -> dict[str, list]:
        db = self.store.db
        return {name: list(db.execute(f"SELECT * FROM [{name}]").fetchall())
                for name in db.table_names()}

    def posts(self, count: int = 1, channel: str = CHANNEL, timeout: float = 5.0) -> list[dict]:
        """The first `count` successful chat.postMessage calls to `channel`."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c.params for c in self.slack.calls("chat.postMessage")
                     if c.status == 200 and c.params.get("channel") == channel]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def posted(self, containing: str, channel: str = CHANNEL, timeout: float = 5.0) -> dict:
        """The first successful post to `channel` whose text contains `containing`."""
        deadline = time.monotonic() + timeout
        while True:
            for params in self.posts(0, channel):
                if containing in params.get("text", ""):
                    return params
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing containing {containing!r} was posted")
            time.sleep(0.01)


@contextlib.contextmanager
def served(tmp_path: Path, **options: Any) -> Iterator[SlackWorld]:
    """A SlackWorld with a Web API stand-in of its own (`world.slack`)."""
    with SlackStandIn(token=TOKEN) as slack, SlackWorld(tmp_path, slack, **options) as world:
        yield world
