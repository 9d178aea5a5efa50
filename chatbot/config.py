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

    @classmethod
    def from_env(cls, db: str | None = None, schedules: str | None = None) -> Settings:
        return cls(
            db=Path(db or os.environ.get("CHATBOT_DB") or "chatbot.db"),
            schedules=Path(schedules or os.environ.get("CHATBOT_SCHEDULES") or "schedules"),
        )


def load_env_file(path: str = ".env") -> None:
    """Values already in the environment win over the file's."""
    load_dotenv(path, override=False)


DEFAULT_SLACK_API_URL = "https://slack.com/api/"


def slack_configured() -> bool:
    return bool(os.environ.get("SLACK_BOT_TOKEN"))


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str = ""
    app_token: str = ""  # set: Socket Mode, no public URL needed
    api_url: str = DEFAULT_SLACK_API_URL
    post_interval: float = 1.0  # seconds between two posts to one channel
    user_cache_seconds: float = 3600.0

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(cls) -> SlackSettings | None:
        """None when Slack is not configured (no bot token)."""
        env = os.environ
        if not env.get("SLACK_BOT_TOKEN"):
            return None
        api_url = env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        return cls(
            bot_token=env["SLACK_BOT_TOKEN"],
            signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            app_token=env.get("SLACK_APP_TOKEN", ""),
            # slack_sdk joins method names onto the base URL: without the slash,
            # http://host/api + chat.postMessage would call http://host/chat.postMessage
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            post_interval=_seconds("SLACK_POST_INTERVAL", 1.0),
            user_cache_seconds=_seconds("SLACK_USER_CACHE_SECONDS", 3600.0),
        )

    def problem(self) -> str | None:
        """What is missing to start, in words; None when complete."""
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
