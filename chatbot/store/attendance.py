"""Who came to an occurrence, or sent regrets, as they were then."""

from chatbot.core.model import Attendance, Scope
from chatbot.store.database import MEETING_MATCH, TableGroup, meeting_args, meeting_row


class AttendanceTable(TableGroup):
    def record(self, scope: Scope, series: str, occurrence: str, record: Attendance, now: str
               ) -> None:
        self._db.upsert("attendance", {
            **meeting_row(scope, series, occurrence), "user_id": record.user_id,
            "name": record.name, "affiliation": record.affiliation, "github": record.github,
            "regrets": int(record.regrets), "recorded_at": now,
        }, pk=("workspace", "channel", "series", "occurrence", "user_id"))

    def in_meeting(self, scope: Scope, series: str, occurrence: str) -> list[Attendance]:
        rows = self._db.rows_where("attendance", MEETING_MATCH,
                                   meeting_args(scope, series, occurrence),
                                   order_by="recorded_at, rowid")
        return [Attendance(user_id=r["user_id"], name=r["name"],
                           affiliation=r["affiliation"] or "", github=r["github"] or "",
                           regrets=bool(r["regrets"])) for r in rows]
