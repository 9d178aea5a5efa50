"""Facilitator and note-taker: who volunteered for each role of a series (the line's order
is the join order) and the meetings whose role was handed to someone (`/meeting swap`).
Who held a role before is not stored: replaying the line gives it (`core/roles.py`)."""

from __future__ import annotations

from chatbot.core.model import Scope
from chatbot.store.database import TableGroup


class RoleTable(TableGroup):
    def volunteers(self, series: str) -> list[dict]:
        """role, user_id, joined_at of every volunteer, in join order."""
        return self._db.rows_where("role_volunteers", "series = ?", (series,),
                                   select="role, user_id, joined_at", order_by="joined_at")

    def join(self, series: str, role: str, user_id: str, now: str) -> bool:
        """False if they were in that line already (they keep their place)."""
        return bool(self._db.write(
            "INSERT OR IGNORE INTO role_volunteers (series, role, user_id, joined_at)"
            " VALUES (?, ?, ?, ?)", (series, role, user_id, now)).rowcount)

    def leave(self, series: str, user_id: str) -> list[str]:
        """The roles they left."""
        roles = [row["role"] for row in self._db.rows_where(
            "role_volunteers", "series = ? AND user_id = ?", (series, user_id), select="role")]
        self._db.write("DELETE FROM role_volunteers WHERE series = ? AND user_id = ?",
                       (series, user_id))
        return roles

    def swaps(self, series: str) -> dict[str, dict[str, str]]:
        """role -> occurrence -> who was handed it."""
        found: dict[str, dict[str, str]] = {}
        for row in self._db.rows_where("role_swaps", "series = ?", (series,)):
            found.setdefault(row["role"], {})[row["occurrence"]] = row["user_id"]
        return found

    def swap(self, series: str, occurrence: str, role: str, user_id: str, by: str, now: str
             ) -> None:
        self._db.upsert("role_swaps", {
            "series": series, "occurrence": occurrence, "role": role, "user_id": user_id,
            "swapped_by": by, "swapped_at": now}, pk=("series", "occurrence", "role"))

    def regrets(self, scope: Scope, series: str, since: str) -> dict[str, set[str]]:
        """occurrence -> who sent regrets for it, from `since` on (passed over for roles)."""
        found: dict[str, set[str]] = {}
        for row in self._db.rows_where(
                "attendance", "workspace = ? AND channel = ? AND series = ? AND regrets = 1"
                " AND occurrence >= ?", (scope.workspace, scope.channel, series, since),
                select="occurrence, user_id"):
            found.setdefault(row["occurrence"], set()).add(row["user_id"])
        return found
