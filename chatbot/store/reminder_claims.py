"""Rows of the reminder claims table; what the states mean is the scheduler's rule."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.store.database import TableGroup


@dataclass(frozen=True)
class ReminderKey:
    platform: str
    series: str
    occurrence: str  # the occurrence's key date, ISO
    offset_minutes: int

    def params(self) -> tuple:
        return (self.platform, self.series, self.occurrence, self.offset_minutes)

    def row(self) -> dict:
        return dict(zip(_KEY_COLUMNS, self.params(), strict=True))


_KEY_COLUMNS = ("platform", "series", "occurrence", "offset_minutes")
_KEY_MATCH = " AND ".join(f"{column} = ?" for column in _KEY_COLUMNS)


class ReminderClaimTable(TableGroup):
    def get(self, key: ReminderKey) -> dict | None:
        """The row's state, owner, claimed_at and finished_at."""
        return self._db.first_where("reminder_claims", _KEY_MATCH, key.params())

    def state(self, key: ReminderKey) -> str | None:
        row = self.get(key)
        return row["state"] if row else None

    def rows(self, platform: str) -> list[dict]:
        return self._db.rows_where("reminder_claims", "platform = ?", (platform,),
                                   order_by="claimed_at")

    def keys_in_states(self, platform: str, since_occurrence: str, states: tuple[str, ...]
                       ) -> set[ReminderKey]:
        """The keys in one of `states`, for occurrences on or after a date."""
        rows = self._db.rows_where(
            "reminder_claims",
            f"platform = ? AND occurrence >= ? AND state IN ({','.join('?' * len(states))})",
            (platform, since_occurrence, *states), select=", ".join(_KEY_COLUMNS),
        )
        return {ReminderKey(**row) for row in rows}

    def insert(self, key: ReminderKey, if_absent: bool = False, **fields: str) -> None:
        self._db.insert("reminder_claims", {**key.row(), **fields}, if_absent=if_absent)

    def update(self, key: ReminderKey, **fields: str) -> None:
        self._db.write(
            f"UPDATE reminder_claims SET {', '.join(f'{name} = ?' for name in fields)}"
            f" WHERE {_KEY_MATCH}",
            (*fields.values(), *key.params()),
        )

    def delete(self, key: ReminderKey) -> None:
        self._db.write(f"DELETE FROM reminder_claims WHERE {_KEY_MATCH}", key.params())

    def delete_owned(self, owner: str, state: str) -> None:
        self._db.write("DELETE FROM reminder_claims WHERE state = ? AND owner = ?",
                       (state, owner))
