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
    """Slack when its bot token (or OAuth client id) is set, else Gitter when the Matrix
    settings are complete, else the console."""
    if environ.get("SLACK_BOT_TOKEN") or environ.get("SLACK_CLIENT_ID"):
        return "slack"
    if MatrixSettings.present(environ):
        return "gitter"
    return "console"


DEFAULT_SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str  # empty: many workspaces, each installed by OAuth (client_id/secret)
    signing_secret: str = ""
    app_token: str = ""  # set: Socket Mode, no public URL needed
    client_id: str = ""
    client_secret: str = ""
    api_url: str = DEFAULT_SLACK_API_URL
    post_interval: float = 1.0  # seconds between two posts to one channel
    user_cache_seconds: float = 3600.0

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def installed_by_oauth(self) -> bool:
        """Many workspaces, each with its own token from its install (no SLACK_BOT_TOKEN)."""
        return not self.bot_token

    @classmethod
    def from_env(cls) -> SlackSettings | None:
        """None when Slack is not configured (no bot token, no OAuth client id)."""
        env = os.environ
        if not env.get("SLACK_BOT_TOKEN") and not env.get("SLACK_CLIENT_ID"):
            return None
        api_url = env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", ""),
            signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            app_token=env.get("SLACK_APP_TOKEN", ""),
            client_id=env.get("SLACK_CLIENT_ID", ""),
            client_secret=env.get("SLACK_CLIENT_SECRET", ""),
            # slack_sdk joins method names onto the base URL: without the slash,
            # http://host/api + chat.postMessage would call http://host/chat.postMessage
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            post_interval=_seconds("SLACK_POST_INTERVAL", 1.0),
            user_cache_seconds=_seconds("SLACK_USER_CACHE_SECONDS", 3600.0),
        )

    def problem(self) -> str | None:
        """What is missing to start, in words; None when complete."""
        if self.installed_by_oauth:
            if not self.client_secret:
                return "SLACK_CLIENT_SECRET is not set: installing by OAuth needs it"
            if self.socket_mode or not self.signing_secret:
                return ("installing by OAuth needs HTTP mode: set SLACK_SIGNING_SECRET and "
                        "leave SLACK_APP_TOKEN empty")
        if not self.socket_mode and not self.signing_secret:
            return ("SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests "
                    "(or set SLACK_APP_TOKEN for Socket Mode)")
        return None


def _seconds(name: str, default: float) -> float:
    text = os.environ.get(name) or ""
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ValueError(f"{name}={text!r} is not a number of seconds")
    return value
