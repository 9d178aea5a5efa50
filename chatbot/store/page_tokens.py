"""The token in each series' page address (minted by chatbot.pages)."""

from chatbot.store.database import TableGroup


class PageTokenTable(TableGroup):
    def token(self, series: str) -> str | None:
        row = self._db.first_where("page_tokens", "series = ?", (series,))
        return row["token"] if row else None

    def add(self, series: str, token: str, now: str) -> None:
        self._db.insert("page_tokens", {"series": series, "token": token, "created_at": now})

    def series(self, token: str) -> str | None:
        row = self._db.first_where("page_tokens", "token = ?", (token,))
        return row["series"] if row else None

    def replace(self, series: str, token: str, now: str) -> None:
        """Set the series' page token, whether it had one or not (main's `rotate`)."""
        self._db.upsert("page_tokens", {"series": series, "token": token, "created_at": now},
                        pk=("series",))
