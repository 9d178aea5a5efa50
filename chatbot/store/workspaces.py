"""The workspaces the bot is installed in, and everything stored for one of them.

A workspace that uninstalls the bot is marked `left_at`; its rows are deleted once the
retention period is over, unless it installs again first (`chatbot.workspace_data`).
"""

from chatbot.store.database import TableGroup

# Every table whose rows belong to one workspace (a `workspace` column), and the one that
# belongs to them through a TODO. Exported and purged together.
WORKSPACE_TABLES = ("agenda_items", "attendance", "todos", "meetings", "decisions",
                    "imports", "users", "members")


class WorkspaceTable(TableGroup):
    def installed(self, workspace: str, enterprise_id: str | None, now: str) -> None:
        """Installed (again): whatever was due to be deleted stays."""
        self._db.upsert("workspaces", {"workspace": workspace, "enterprise_id": enterprise_id,
                                       "installed_at": now, "left_at": None},
                        pk=("workspace",))

    def left(self, workspace: str, now: str) -> None:
        self._db.upsert("workspaces", {"workspace": workspace, "left_at": now},
                        pk=("workspace",))

    def enterprise_of(self, workspace: str) -> str | None:
        row = self._db.first_where("workspaces", "workspace = ?", (workspace,))
        return row["enterprise_id"] if row else None

    def of_enterprise(self, enterprise_id: str) -> list[str]:
        """The workspaces known to belong to an org (an org-wide install serves them)."""
        rows = self._db.rows_where("workspaces", "enterprise_id = ?", (enterprise_id,),
                                   select="workspace")
        return [r["workspace"] for r in rows]

    def has_left(self, workspace: str) -> bool:
        row = self._db.first_where("workspaces", "workspace = ?", (workspace,))
        return bool(row and row["left_at"])

    def left_before(self, cutoff: str) -> list[str]:
        rows = self._db.rows_where("workspaces", "left_at IS NOT NULL AND left_at < ?",
                                   (cutoff,), select="workspace")
        return [r["workspace"] for r in rows]

    def rows(self, workspace: str) -> dict[str, list[dict]]:
        """Every row stored for the workspace, by table (TODOs with their owners)."""
        found = {table: self._db.rows_where(table, "workspace = ?", (workspace,),
                                            order_by="rowid")
                 for table in WORKSPACE_TABLES}
        found["todo_owners"] = self._db.query(
            "SELECT o.* FROM todo_owners o JOIN todos t ON t.id = o.todo_id"
            " WHERE t.workspace = ? ORDER BY o.rowid", (workspace,))
        return found

    def archive_paths_in_use(self, paths: list[str]) -> set[str]:
        """Those of `paths` some meeting still points to."""
        if not paths:
            return set()
        rows = self._db.rows_where("meetings", f"archive_path IN ({','.join('?' * len(paths))})",
                                   tuple(paths), select="archive_path")
        return {r["archive_path"] for r in rows}

    def purge(self, workspace: str) -> int:
        """Delete every row of the workspace; how many rows went."""
        with self._db.transaction():
            deleted = self._db.write(
                "DELETE FROM todo_owners WHERE todo_id IN"
                " (SELECT id FROM todos WHERE workspace = ?)", (workspace,)).rowcount
            for table in (*WORKSPACE_TABLES, "workspaces"):
                deleted += self._db.write(f"DELETE FROM {table} WHERE workspace = ?",
                                          (workspace,)).rowcount
        return deleted
