"""Agenda items, per occurrence, in the order the team put them."""

from chatbot.core.model import AgendaItem, Scope, User
from chatbot.store.database import MEETING_MATCH, TableGroup, meeting_args, meeting_row


class AgendaTable(TableGroup):
    def items(self, scope: Scope, series: str, occurrence: str) -> list[AgendaItem]:
        rows = self._db.rows_where("agenda_items", MEETING_MATCH,
                                   meeting_args(scope, series, occurrence),
                                   order_by="position, id")
        return [_agenda_item(row) for row in rows]

    def count(self, scope: Scope, series: str, occurrence: str, sections: tuple[str, ...]
              ) -> int:
        marks = ",".join("?" * len(sections))
        (row,) = self._db.rows_where(
            "agenda_items", f"{MEETING_MATCH} AND section IN ({marks})",
            (*meeting_args(scope, series, occurrence), *sections), select="COUNT(*) AS n",
        )
        return row["n"]

    def add(
        self, scope: Scope, series: str, occurrence: str, section: str, text: str,
        author: User, now: str, carried_over: bool = False, timebox: int | None = None,
    ) -> AgendaItem:
        row = {
            **meeting_row(scope, series, occurrence), "section": section, "text": text,
            "author_id": author.id, "author_name": author.name, "done": 0,
            "carried_over": int(carried_over), "created_at": now, "timebox": timebox,
        }
        # Last of the occurrence's items: its position read and the row written in one
        # statement (one step of the command's transaction, not two).
        (item_id, position), = self._db.write_returning(
            f"INSERT INTO agenda_items ({', '.join(row)}, position)"
            f" SELECT {', '.join('?' * len(row))}, COALESCE(MAX(position), 0) + 1"
            f" FROM agenda_items WHERE {MEETING_MATCH} RETURNING id, position",
            (*row.values(), *meeting_args(scope, series, occurrence)),
        )
        return _agenda_item({**row, "id": item_id, "position": position})

    def remove(self, item_id: int) -> None:
        self._db.write("DELETE FROM agenda_items WHERE id = ?", (item_id,))

    def set_done(self, item_id: int, done: bool = True) -> None:
        self._db.write("UPDATE agenda_items SET done = ? WHERE id = ?", (int(done), item_id))

    def reorder(self, item_ids_in_order: list[int]) -> None:
        with self._db.transaction():
            for position, item_id in enumerate(item_ids_in_order, start=1):
                self._db.write("UPDATE agenda_items SET position = ? WHERE id = ?",
                               (position, item_id))


def _agenda_item(row: dict) -> AgendaItem:
    return AgendaItem(
        id=row["id"], section=row["section"], text=row["text"],
        author_id=row["author_id"], author_name=row["author_name"],
        position=row["position"], done=bool(row["done"]),
        carried_over=bool(row["carried_over"]), timebox=row.get("timebox"),
    )
