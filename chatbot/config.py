"""Settings from the environment (and `.env`); `.env.example` documents each one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv


@dataclass(frozen=True)
class Settings:
    db: Path
    schedules: Path
    archive: Path  # minutes go to <archive>/<series>/<YYYY-MM-DD>.md
    # Where people reach the meeting pages (links in replies and reminders); None: the
    # address of the bot's own web server when it runs one, else no links.
    public_url: str | None = None

    @classmethod
    def from_env(cls, db: str | None = None, schedules: str | None = None) -> Settings:
        return cls(
            db=Path(db or os.environ.get("CHATBOT_DB") or "chatbot.db"),
            schedules=Path(schedules or os.environ.get("CHATBOT_SCHEDULES") or "schedules"),
            archive=Path(os.environ.get("CHATBOT_ARCHIVE") or "notes"),
            public_url=os.environ.get("CHATBOT_PUBLIC_URL", "").strip().rstrip("/") or None,
        )


def load_env_file(path: str = ".env") -> None:
    """Values already in the environment win over the file's."""
    load_dotenv(path, override=False)
