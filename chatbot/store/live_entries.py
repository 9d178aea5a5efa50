"""The entries of a meeting run item by item (`core/live_meeting.py`), one row each.

Rows are only added, and an undone entry only has its `undone` flag set: nothing typed
in a meeting is ever deleted.
"""

import datetime

from chatbot.core.live_meeting import Entry
from chatbot.core.model import Scope
from chatbot.store.database import MEETING_MATCH, TableGroup, meeting_args, meeting_row

_OWNER_SEPARATOR = "\x1f"  # the unit separator: never in a user id


class LiveEntryTable(TableGroup):
    def entries(self, scope: Scope, series: str, occurrence: str) -> tuple[Entry, ...]:
        rows = self._db.rows_where("live_entries", MEETING_MATCH,
                                   meeting_args(scope, series, occurrence), order_by="seq")
        return tuple(_entry(row) for row in rows)

    def save(self, scope: Scope, series: str, occurrence: str, entries: tuple[Entry, ...],
             ref: int | None = None) -> None:
        """New entries inserted (`ref`: the TODO or decision row they made); entries
        already stored get their `undone` flag updated, and nothing else."""
        with self._db.transaction():
            for entry in entries:
                row = {
                    **meeting_row(scope, series, occurrence), "seq": entry.seq,
                    "kind": entry.kind, "number": entry.number, "item": entry.item,
                    "author_id": entry.author, "created_at": entry.created_at.isoformat(),
                    "text": entry.text, "owners": _OWNER_SEPARATOR.join(entry.owners),
                    "timebox": entry.timebox, "undone": int(entry.undone), "ref": ref,
                }
                self._db.write(
                    f"INSERT INTO live_entries ({', '.join(row)})"
                    f" VALUES ({', '.join('?' * len(row))})"
                    " ON CONFLICT DO UPDATE SET undone = excluded.undone",
                    tuple(row.values()),
                )

    def show_in(self, scope: Scope, series: str, occurrence: str, number: int,
                message: str) -> None:
        """Entry `number` is shown by the chat message `message` (its platform's id)."""
        self._db.write(f"UPDATE live_entries SET shown_in = ? WHERE {MEETING_MATCH}"
                       " AND number = ?",
                       (message, *meeting_args(scope, series, occurrence), number))

    def shown_in(self, scope: Scope, series: str, occurrence: str, number: int) -> str | None:
        row = self._db.first_where("live_entries", f"{MEETING_MATCH} AND number = ?",
                                   (*meeting_args(scope, series, occurrence), number),
                                   select="shown_in")
        return row["shown_in"] if row else None

    def ref(self, scope: Scope, series: str, occurrence: str, seq: int) -> int | None:
        row = self._db.first_where("live_entries", f"{MEETING_MATCH} AND seq = ?",
                                   (*meeting_args(scope, series, occurrence), seq),
                                   select="ref")
        return row["ref"] if row else None


def _entry(row: dict) -> Entry:
    return Entry(
        seq=row["seq"], kind=row["kind"], number=row["number"], item=row["item"],
        author=row["author_id"], created_at=datetime.datetime.fromisoformat(row["created_at"]),
        text=row["text"] or "",
        owners=tuple(row["owners"].split(_OWNER_SEPARATOR)) if row["owners"] else (),
        timebox=row["timebox"], undone=bool(row["undone"]),
    )
