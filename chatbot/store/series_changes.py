"""Which series changed in the database (made, edited or deleted in chat, a meeting
skipped or moved), numbered in order by triggers (`schema.py`), so that readers catch up
with what changed since they last looked instead of reading every series again."""

from __future__ import annotations

from chatbot.store.database import TableGroup


class SeriesChangeTable(TableGroup):
    def latest(self) -> int:
        """The number of the latest change (0 if none): cheap enough for every command."""
        return self._db.query("SELECT COALESCE(MAX(seq), 0) AS seq FROM series_changes")[0]["seq"]

    def since(self, seq: int) -> set[str]:
        """The ids of the series changed after change number `seq`."""
        return {row["series"] for row in self._db.rows_where(
            "series_changes", "seq > ?", (seq,), select="series")}
