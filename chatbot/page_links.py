"""Where a series' web page lives: `/m/<token>` always, `/m/<series>` too when public.

Platform-neutral, so the commands and the reminders can link to the page without
knowing the web server exists; `chatbot.web` serves what these addresses name.
The token is random and stored per series (`store.page_tokens`): the page holds a
team's agenda and TODOs, so by default only people given the link can read it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from chatbot.core.schedule import ScheduleBook, Series
from chatbot.store import Store

TOKEN_BYTES = 18  # 144 random bits, 24 URL-safe characters
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def base_url_of(host: str, port: int) -> str:
    """The address a local web server is reached at, for links when no public URL is set."""
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"  # a wildcard address is where to listen, not where to go
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class PageLinks:
    """The page addresses of every series; `base_url` None means no page is served."""

    def __init__(self, store: Store, base_url: str | None = None):
        self.store = store
        self.base_url = base_url.rstrip("/") if base_url else None

    def token(self, series: Series) -> str:
        """The series' token, made the first time it is asked for."""
        tokens = self.store.page_tokens
        if (token := tokens.token(series.id)) is None:
            with self.store.transaction():  # two processes asking at once make one token
                if (token := tokens.token(series.id)) is None:
                    token = new_token()
                    tokens.set(series.id, token, dt.datetime.now(dt.UTC).isoformat())
        return token

    def rotate(self, series: Series) -> None:
        """A new token for the series' page: the old address is gone at once (every
        request looks its token up in the store)."""
        self.store.page_tokens.set(series.id, new_token(), dt.datetime.now(dt.UTC).isoformat())

    def private_path(self, series: Series) -> str:
        return f"/m/{self.token(series)}"

    def path(self, series: Series) -> str:
        """The path reminders show: the public one when the schedule allows it."""
        return f"/m/{series.id}" if series.public else self.private_path(series)

    def url(self, series: Series) -> str | None:
        return f"{self.base_url}{self.path(series)}" if self.base_url else None

    def private_url(self, series: Series) -> str | None:
        return f"{self.base_url}{self.private_path(series)}" if self.base_url else None

    def series_at(self, key: str, schedules: ScheduleBook) -> Series | None:
        """The series whose page `/m/<key>` is: by token, else by id if it is public."""
        if _TOKEN_SHAPE.match(key):
            series_id = self.store.page_tokens.series(key)
            if series_id is not None:
                return schedules.get(series_id)
        series = schedules.get(key)
        return series if series is not None and series.public else None
