"""Settings from the environment (and `.env`); `.env.example` documents each one."""

from __future__ import annotations

import os
from collections.abc import Mapping
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


class SettingsError(Exception):
    """A missing or malformed setting: shown as one line."""


DEFAULT_PREFIX = "!"


@dataclass(frozen=True)
class MatrixSettings:
    """How the Gitter adapter reaches Matrix (Gitter rooms are Matrix rooms)."""

    homeserver: str  # base URL of the bot account's homeserver, https://matrix.org
    user_id: str  # @chatbot:matrix.org
    access_token: str | None
    password: str | None
    prefix: str = DEFAULT_PREFIX  # commands look like !agenda

    @staticmethod
    def present(environ: Mapping[str, str] = os.environ) -> bool:
        """True when every Matrix setting needed to log in is set."""
        return bool(
            environ.get("MATRIX_HOMESERVER") and environ.get("MATRIX_USER_ID")
            and (environ.get("MATRIX_ACCESS_TOKEN") or environ.get("MATRIX_PASSWORD"))
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> MatrixSettings:
        required = ("MATRIX_HOMESERVER", "MATRIX_USER_ID")
        missing = [name for name in required if not environ.get(name)]
        if not (environ.get("MATRIX_ACCESS_TOKEN") or environ.get("MATRIX_PASSWORD")):
            missing.append("MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD")
        if missing:
            raise SettingsError(
                f"the Gitter adapter needs {', '.join(missing)} (see .env.example)"
            )
        user_id = environ["MATRIX_USER_ID"].strip()
        if not user_id.startswith("@") or ":" not in user_id:
            raise SettingsError(
                f"MATRIX_USER_ID '{user_id}' is not a Matrix user id like @chatbot:matrix.org"
            )
        homeserver = environ["MATRIX_HOMESERVER"].strip().rstrip("/")
        if "://" not in homeserver:
            homeserver = f"https://{homeserver}"
        prefix = environ.get("CHATBOT_PREFIX", "").strip() or DEFAULT_PREFIX
        if prefix[-1].isalnum():
            raise SettingsError(f"CHATBOT_PREFIX '{prefix}' must end in a symbol, like ! or ?")
        return cls(
            homeserver=homeserver,
            user_id=user_id,
            access_token=environ.get("MATRIX_ACCESS_TOKEN") or None,
            password=environ.get("MATRIX_PASSWORD") or None,
            prefix=prefix,
        )


def default_adapter(environ: Mapping[str, str] = os.environ) -> str:
    """Gitter when the Matrix settings are complete and no Slack setting is set."""
    slack = any(name.startswith("SLACK_") and value for name, value in environ.items())
    if MatrixSettings.present(environ) and not slack:
        return "gitter"
    return "console"
