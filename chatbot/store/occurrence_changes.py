"""One meeting of a series skipped or moved in chat (`/meeting skip|move`), for any
series, file or chat: at most one change per meeting, keyed by the date the rule gives."""

from __future__ import annotations

from chatbot.store.database import TableGroup, chunks


class OccurrenceChangeTable(TableGroup):
    def rows(self) -> tuple[tuple[str, str, str | None], ...]:
        """(series, occurrence date, moved-to wall time or None for a skip), every one."""
        return tuple((row["series"], row["occurrence"], row["moved_to"]) for row in
                     self._db.query("SELECT series, occurrence, moved_to FROM occurrence_changes"
                                    " ORDER BY series, occurrence"))

    def rows_of(self, ids: set[str]) -> tuple[tuple[str, str, str | None], ...]:
        """Like `rows`, for the series among `ids` only."""
        return tuple((row["series"], row["occurrence"], row["moved_to"])
                     for chunk in chunks(sorted(ids)) for row in self._db.rows_where(
                         "occurrence_changes", f"series IN ({', '.join('?' * len(chunk))})",
                         tuple(chunk), select="series, occurrence, moved_to",
                         order_by="series, occurrence"))

    def get(self, series: str, occurrence: str) -> dict | None:
        return self._db.first_where("occurrence_changes", "series = ? AND occurrence = ?",
                                    (series, occurrence))

    def skipped(self, series: str, since: str = "") -> list[dict]:
        """The meetings of `series` skipped in chat, on or after the date `since`:
        occurrence, changed_by, changed_at."""
        return self._db.rows_where(
            "occurrence_changes", "series = ? AND occurrence >= ? AND moved_to IS NULL",
            (series, since), order_by="occurrence")

    def skipped_by_series(self, since: str) -> dict[str, list[dict]]:
        """`skipped` for every series at once (one query, for a walk of them all)."""
        found: dict[str, list[dict]] = {}
        for row in self._db.rows_where("occurrence_changes",
                                       "occurrence >= ? AND moved_to IS NULL", (since,),
                                       order_by="series, occurrence"):
            found.setdefault(row["series"], []).append(row)
        return found

    def set(self, series: str, occurrence: str, moved_to: str | None, by: str, now: str
            ) -> None:
        """Skip (`moved_to` None) or move one meeting, replacing any earlier change."""
        self._db.upsert("occurrence_changes", {
            "series": series, "occurrence": occurrence, "moved_to": moved_to,
            "changed_by": by, "changed_at": now}, pk=("series", "occurrence"))

    def remove(self, series: str, occurrence: str) -> None:
        self._db.write("DELETE FROM occurrence_changes WHERE series = ? AND occurrence = ?",
                       (series, occurrence))
