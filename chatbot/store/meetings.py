"""Occurrences held or imported, the decisions taken in them, and imported notes."""

from dataclasses import fields

from chatbot.core.model import Decision, MeetingRecord, Scope
from chatbot.store.database import (
    MEETING_MATCH,
    SCOPE_MATCH,
    TableGroup,
    meeting_args,
    meeting_row,
    scope_args,
)

_SERIES_MATCH = f"{SCOPE_MATCH} AND series = ?"
_RECORD_COLUMNS = ", ".join(field.name for field in fields(MeetingRecord))


class MeetingTable(TableGroup):
    def get(self, scope: Scope, series: str, occurrence: str) -> MeetingRecord | None:
        return self._first(MEETING_MATCH, meeting_args(scope, series, occurrence))

    def in_progress(self, scope: Scope) -> list[MeetingRecord]:
        """Meetings started and not yet ended in this channel, oldest start first."""
        return self._meetings(f"{SCOPE_MATCH} AND started_at IS NOT NULL AND ended_at IS NULL",
                              scope_args(scope), order_by="started_at")

    def latest(self, scope: Scope, series: str) -> MeetingRecord | None:
        """The most recent occurrence that was held or imported."""
        return self._first(f"{_SERIES_MATCH} AND started_at IS NOT NULL",
                           (*scope_args(scope), series), order_by="occurrence DESC")

    def previous(self, scope: Scope, series: str, occurrence: str) -> MeetingRecord | None:
        """The last occurrence before this one that was held or imported."""
        return self._first(f"{_SERIES_MATCH} AND occurrence < ? AND started_at IS NOT NULL",
                           (*scope_args(scope), series, occurrence), order_by="occurrence DESC")

    def held(self, scope: Scope, series: str) -> list[MeetingRecord]:
        """Occurrences held (or imported) and ended, newest first: the past minutes."""
        return self._meetings(f"{_SERIES_MATCH} AND ended_at IS NOT NULL",
                              (*scope_args(scope), series), order_by="occurrence DESC")

    def ended_between(self, after: str, until: str) -> list[tuple[str, str, str, str]]:
        """(workspace, channel, series, occurrence) of every meeting held here (not
        imported) that ended after `after` and by `until`, in any channel."""
        return [(row["workspace"], row["channel"], row["series"], row["occurrence"])
                for row in self._db.rows_where(
                    "meetings", "ended_at > ? AND ended_at <= ? AND imported_from IS NULL",
                    (after, until), select="workspace, channel, series, occurrence")]

    def start(self, scope: Scope, series: str, occurrence: str, started_by: str, now: str
              ) -> None:
        self._db.write(
            "INSERT INTO meetings (workspace, channel, series, occurrence, started_at,"
            " started_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " started_at = excluded.started_at, started_by = excluded.started_by",
            (*meeting_args(scope, series, occurrence), now, started_by),
        )

    def end(self, scope: Scope, series: str, occurrence: str, now: str,
            archive_path: str | None) -> bool:
        """False when the meeting was not in progress (someone ended it a moment ago)."""
        return self._db.write(
            "UPDATE meetings SET ended_at = ?, archive_path = ?"
            f" WHERE {MEETING_MATCH} AND started_at IS NOT NULL AND ended_at IS NULL",
            (now, archive_path, *meeting_args(scope, series, occurrence)),
        ).rowcount > 0

    def record_past(
        self, scope: Scope, series: str, occurrence: str, started_at: str, ended_at: str,
        archive_path: str | None, imported_from: str, skipped: bool = False,
    ) -> None:
        """An imported occurrence; a meeting the bot ran on that day keeps its record."""
        self._db.insert("meetings", {
            **meeting_row(scope, series, occurrence), "started_at": started_at,
            "ended_at": ended_at, "archive_path": archive_path, "imported_from": imported_from,
            "skipped": int(skipped),
        }, if_absent=True)

    def _first(self, where: str, args: tuple, **options) -> MeetingRecord | None:
        found = self._meetings(where, args, limit=1, **options)
        return found[0] if found else None

    def _meetings(self, where: str, args: tuple, **options) -> list[MeetingRecord]:
        rows = self._db.rows_where("meetings", where, args, select=_RECORD_COLUMNS, **options)
        return [MeetingRecord(**{**row, "skipped": bool(row["skipped"])}) for row in rows]


class DecisionTable(TableGroup):
    def add(self, scope: Scope, series: str, occurrence: str, text: str, author_id: str,
            now: str) -> Decision:
        decision_id = self._db.insert("decisions", {
            **meeting_row(scope, series, occurrence), "text": text, "author_id": author_id,
            "created_at": now,
        })
        return Decision(decision_id, text, author_id, now)

    def in_meeting(self, scope: Scope, series: str, occurrence: str) -> list[Decision]:
        rows = self._db.rows_where("decisions", MEETING_MATCH,
                                   meeting_args(scope, series, occurrence), order_by="id",
                                   select="id, text, author_id, created_at")
        return [Decision(**row) for row in rows]

    def remove(self, decision_id: int) -> None:
        self._db.write("DELETE FROM decisions WHERE id = ?", (decision_id,))


class ImportTable(TableGroup):
    """Content hashes of imported notes, so importing a file again stores nothing twice."""

    def contains(self, scope: Scope, series: str, content_hash: str) -> bool:
        return self._db.first_where("imports", f"{_SERIES_MATCH} AND content_hash = ?",
                                    (*scope_args(scope), series, content_hash)) is not None

    def record(self, scope: Scope, series: str, content_hash: str, file_name: str,
               occurrence: str, now: str) -> None:
        self._db.insert("imports", {
            **meeting_row(scope, series, occurrence), "content_hash": content_hash,
            "file_name": file_name, "imported_at": now,
        })

