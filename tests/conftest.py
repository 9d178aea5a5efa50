"""Test helpers: say a command as a given user in a given channel and read the reply."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from chatbot.commands import Clock, Message, Reply, build_bot
from chatbot.core.model import Scope, User
from chatbot.core.schedule import ScheduleBook
from chatbot.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEED_NOW = dt.datetime(2018, 3, 20, 12, 0, tzinfo=dt.UTC)


def cli_env(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a `chatbot` process run by a test: the database and schedules in
    `folder`, no platform or bot settings from the outer environment, and the meeting pages
    on a free port (a fixed one may be taken: tests and other programs run side by side)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MATRIX_", "CHATBOT_"))}
    env.update(CHATBOT_DB=str(folder / "chatbot.db"),
               CHATBOT_SCHEDULES=str(folder / "schedules"), CHATBOT_WEB_PORT="0")
    env.update(settings)
    return env


class Chat:
    """A bot on a real SQLite file with a controllable clock."""

    def __init__(self, tmp_path: Path, now: dt.datetime = SEED_NOW):
        self.schedules_dir = tmp_path / "schedules"
        shutil.copytree(
            ROOT / "schedules", self.schedules_dir, ignore=shutil.ignore_patterns("*.md")
        )
        self.db_path = tmp_path / "chatbot.db"
        self.store = Store(self.db_path)
        self.clock = Clock(now)
        self.archive = tmp_path / "notes"  # /meeting end writes the minutes here
        self.bot = build_bot(
            self.store, ScheduleBook(self.schedules_dir, check_interval=0), self.clock, self.archive
        )

    def set_now(self, now: dt.datetime) -> None:
        self.clock = Clock(now)
        self.bot.clock = self.clock

    def say(
        self,
        text: str,
        user: str = "jessica",
        channel: str = "binder-team",
        tz: str | None = "UTC",
        platform: str = "console",
        workspace: str = "console",
        name: str | None = None,
    ) -> Reply:
        scope = Scope(platform=platform, workspace=workspace, channel=channel)
        return self.bot.handle(Message(text, scope, User(id=user, name=name or user, tz=tz)))

    def ok(self, text: str, **kwargs) -> str:
        reply = self.say(text, **kwargs)
        assert reply.ok, reply.text
        return reply.text

    def error(self, text: str, **kwargs) -> str:
        reply = self.say(text, **kwargs)
        assert not reply.ok, reply.text
        return reply.text

    def snapshot(self) -> dict[str, list]:
        """Every row of every table: compare before and after to prove nothing changed."""
        db = self.store.db
        return {
            name: list(db.execute(f"SELECT * FROM [{name}]").fetchall())
            for name in db.table_names()
        }


@pytest.fixture
def chat(tmp_path: Path) -> Chat:
    return Chat(tmp_path)
