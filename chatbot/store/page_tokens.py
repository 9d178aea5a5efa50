"""The token in each series' page address (minted by chatbot.page_links)."""

from chatbot.store.database import TableGroup


class PageTokenTable(TableGroup):
    def token(self, series: str) -> str | None:
        row = self._db.first_where("page_tokens", "series = ?", (series,))
        return row["token"] if row else None

    def series(self, token: str) -> str | None:
        row = self._db.first_where("page_tokens", "token = ?", (token,))
        return row["series"] if row else None

    def set(self, series: str, token: str, now: str) -> None:
        """The series' page token from now on, whether it had one or not."""
        self._db.upsert("page_tokens", {"series": series, "token": token, "created_at": now},
                        pk=("series",))
