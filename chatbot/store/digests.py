"""Who asked for no digest after meetings they missed (`/remind digest off`)."""

from __future__ import annotations

from chatbot.store.database import TableGroup


class DigestTable(TableGroup):
    def opted_out(self, workspace: str, user_ids: list[str]) -> set[str]:
        if not user_ids:
            return set()
        marks = ", ".join("?" * len(user_ids))
        return {row["user_id"] for row in self._db.rows_where(
            "digest_opt_outs", f"workspace = ? AND user_id IN ({marks})",
            (workspace, *user_ids), select="user_id")}

    def set_wanted(self, workspace: str, user_id: str, wanted: bool, now: str) -> None:
        if wanted:
            self._db.write("DELETE FROM digest_opt_outs WHERE workspace = ? AND user_id = ?",
                           (workspace, user_id))
        else:
            self._db.insert("digest_opt_outs", {"workspace": workspace, "user_id": user_id,
                                                "since": now}, if_absent=True)
