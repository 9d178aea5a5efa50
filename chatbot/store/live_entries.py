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

    def save(self, scope: Scope, series: str, occurrence: str, entries: tuple[Entry, ...]
             ) -> None:
        """New entries inserted; entries already stored get their `undone` flag updated."""
        with self._db.transaction():
            for entry in entries:
                row = {
                    **meeting_row(scope, series, occurrence), "seq": entry.seq,
                    "kind": entry.kind, "number": entry.number, "item": entry.item,
                    "author_id": entry.author, "created_at": entry.created_at.isoformat(),
                    "text": entry.text, "owners": _OWNER_SEPARATOR.join(entry.owners),
                    "timebox": entry.timebox, "undone": int(entry.undone),
                }
                self._db.upsert("live_entries", row,
                                pk=("workspace", "channel", "series", "occurrence", "seq"))


def _entry(row: dict) -> Entry:
    return Entry(
        seq=row["seq"], kind=row["kind"], number=row["number"], item=row["item"],
        author=row["author_id"], created_at=datetime.datetime.fromisoformat(row["created_at"]),
        text=row["text"] or "",
        owners=tuple(row["owners"].split(_OWNER_SEPARATOR)) if row["owners"] else (),
        timebox=row["timebox"], undone=bool(row["undone"]),
    )
