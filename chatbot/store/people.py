"""Users (a profile per workspace) and who takes part in each channel."""

from chatbot.core.model import Scope, User
from chatbot.store.database import SCOPE_MATCH, TableGroup, scope_args, scope_row


class UserTable(TableGroup):
    # Counts profile writes: lets a caller tell whether a profile it read is still current.
    writes = 0

    def get(self, workspace: str, user_id: str) -> User | None:
        row = self._db.first_where("users", "workspace = ? AND user_id = ?",
                                   (workspace, user_id))
        return _user(row) if row else None

    def find(self, workspace: str, handle: str) -> User | None:
        """A user by id, display name or GitHub handle (case-insensitive)."""
        row = self._db.first_where("users", "workspace = ? AND (user_id = ?"
                                   " OR name = ? COLLATE NOCASE OR github = ? COLLATE NOCASE)",
                                   (workspace, handle, handle, handle))
        return _user(row) if row else None

    def by_id(self, workspace: str, user_ids: list[str]) -> dict[str, User]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = self._db.rows_where("users", f"workspace = ? AND user_id IN ({marks})",
                                   (workspace, *user_ids))
        return {row["user_id"]: _user(row) for row in rows}

    def workspace_of(self, user_id: str) -> str | None:
        """The workspace a user id belongs to (Slack's user ids name one person), for
        what is sent to them outside any request: a personal reminder."""
        row = self._db.first_where("users", "user_id = ?", (user_id,), select="workspace",
                                   order_by="remind DESC")
        return row["workspace"] if row else None

    def save(self, workspace: str, user: User) -> None:
        self.writes += 1
        self._db.upsert("users", {
            "workspace": workspace, "user_id": user.id, "name": user.name, "tz": user.tz,
            "profile_tz": user.profile_tz, "affiliation": user.affiliation,
            "github": user.github, "remind": int(user.remind),
        }, pk=("workspace", "user_id"))


class MemberTable(TableGroup):
    def add(self, scope: Scope, user_id: str, now: str) -> None:
        self._db.upsert("members", {**scope_row(scope), "user_id": user_id, "last_seen": now},
                        pk=("workspace", "channel", "user_id"))

    def includes(self, scope: Scope, user_id: str) -> bool:
        return self._db.first_where("members", f"{SCOPE_MATCH} AND user_id = ?",
                                    (*scope_args(scope), user_id)) is not None

    def channels_of(self, workspace: str, user_id: str) -> list[str]:
        """The channels of `workspace` that `user_id` has spoken in."""
        rows = self._db.query("SELECT channel FROM members WHERE workspace = ? AND user_id = ?"
                              " ORDER BY channel", (workspace, user_id))
        return [row["channel"] for row in rows]

    def of_channel(self, scope: Scope, wanting_reminders: bool = False) -> list[User]:
        rows = self._db.query(
            "SELECT u.* FROM members m JOIN users u ON u.workspace = m.workspace"
            " AND u.user_id = m.user_id WHERE m.workspace = ? AND m.channel = ?"
            + (" AND u.remind = 1" if wanting_reminders else "") + " ORDER BY u.user_id",
            scope_args(scope),
        )
        return [_user(row) for row in rows]

    def zones(self, scope: Scope) -> set[str]:
        """The distinct zones of a channel's members (a reminder shows each once)."""
        rows = self._db.query(
            "SELECT DISTINCT COALESCE(u.tz, u.profile_tz) AS zone FROM members m JOIN users u"
            " ON u.workspace = m.workspace AND u.user_id = m.user_id"
            " WHERE m.workspace = ? AND m.channel = ?",
            scope_args(scope),
        )
        return {row["zone"] for row in rows if row["zone"]}


def _user(row: dict) -> User:
    return User(
        id=row["user_id"], name=row["name"], tz=row["tz"], profile_tz=row["profile_tz"],
        affiliation=row["affiliation"] or "", github=row["github"] or "",
        remind=bool(row["remind"]),
    )
