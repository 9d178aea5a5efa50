"""TODOs, numbered per channel, and who owns each."""

from chatbot.core.model import Scope, Todo
from chatbot.store.database import SCOPE_MATCH, TableGroup, scope_args, scope_row


class TodoTable(TableGroup):
    def add(
        self, scope: Scope, text: str, creator_id: str, owners: list[str],
        series: str | None, occurrence: str | None, now: str,
    ) -> Todo:
        with self._db.transaction():
            (last,) = self._db.rows_where("todos", SCOPE_MATCH, scope_args(scope),
                                          select="COALESCE(MAX(number), 0) AS number")
            number = last["number"] + 1
            todo_id = self._db.insert("todos", {
                **scope_row(scope), "number": number, "text": text, "creator_id": creator_id,
                "series": series, "occurrence": occurrence, "created_at": now, "done_at": None,
            })
            self._set_owners(todo_id, owners)
        return self.get(scope, number)

    def get(self, scope: Scope, number: int) -> Todo | None:
        todos = self._todos("t.number = ?", (number,), scope)
        return todos[0] if todos else None

    def in_channel(self, scope: Scope, owner: str | None = None, open_only: bool = True
                   ) -> list[Todo]:
        conditions, params = [], []
        if open_only:
            conditions.append("t.done_at IS NULL")
        if owner is not None:
            # EXISTS, not IN (...): a person may own thousands of TODOs in other
            # channels; this looks up only this channel's TODOs in the owners index.
            conditions.append(
                "EXISTS (SELECT 1 FROM todo_owners o WHERE o.todo_id = t.id AND o.user_id = ?)"
            )
            params.append(owner)
        return self._todos(" AND ".join(conditions) or "1", tuple(params), scope)

    def channels_owing(self, workspace: str, owner: str) -> list[str]:
        """The channels of `workspace` where `owner` has an open TODO."""
        rows = self._db.query(
            "SELECT DISTINCT t.channel FROM todo_owners o JOIN todos t ON t.id = o.todo_id"
            " WHERE o.user_id = ? AND t.workspace = ? AND t.done_at IS NULL ORDER BY t.channel",
            (owner, workspace))
        return [row["channel"] for row in rows]

    def remove(self, todo_id: int) -> None:
        with self._db.transaction():
            self._db.write("DELETE FROM todo_owners WHERE todo_id = ?", (todo_id,))
            self._db.write("DELETE FROM todos WHERE id = ?", (todo_id,))

    def set_done(self, todo_id: int, done_at: str | None) -> None:
        self._db.write("UPDATE todos SET done_at = ? WHERE id = ?", (done_at, todo_id))

    def set_owners(self, todo_id: int, owners: list[str]) -> None:
        with self._db.transaction():
            self._set_owners(todo_id, owners)

    def _set_owners(self, todo_id: int, owners: list[str]) -> None:
        self._db.write("DELETE FROM todo_owners WHERE todo_id = ?", (todo_id,))
        for owner in dict.fromkeys(owners):
            self._db.insert("todo_owners", {"todo_id": todo_id, "user_id": owner})

    def _todos(self, condition: str, params: tuple, scope: Scope) -> list[Todo]:
        rows = self._db.query(
            "SELECT t.id, t.number, t.text, t.creator_id, t.series, t.occurrence, t.created_at,"
            " t.done_at, (SELECT group_concat(user_id, char(31)) FROM todo_owners o"
            " WHERE o.todo_id = t.id) AS owners FROM todos t"
            f" WHERE t.workspace = ? AND t.channel = ? AND {condition}"
            " ORDER BY t.number",
            (*scope_args(scope), *params),
        )
        for row in rows:  # the owner ids come joined by the unit separator, char(31)
            row["owners"] = tuple(row["owners"].split("\x1f")) if row["owners"] else ()
        return [Todo(**row) for row in rows]
