"""A bot account's own bookkeeping on its platform: where its event stream left off,
and the direct-message room it shares with each person."""

from chatbot.store.database import TableGroup


class ChatAccountTables(TableGroup):
    def sync_position(self, account: str) -> str | None:
        row = self._db.first_where("sync_positions", "account = ?", (account,))
        return row["position"] if row else None

    def save_sync_position(self, account: str, position: str, now: str) -> None:
        self._db.upsert("sync_positions",
                        {"account": account, "position": position, "saved_at": now},
                        pk=("account",))

    def direct_room(self, account: str, user_id: str) -> str | None:
        row = self._db.first_where("direct_rooms", "account = ? AND user_id = ?",
                                   (account, user_id))
        return row["room_id"] if row else None

    def save_direct_room(self, account: str, user_id: str, room_id: str) -> None:
        self._db.upsert("direct_rooms",
                        {"account": account, "user_id": user_id, "room_id": room_id},
                        pk=("account", "user_id"))
