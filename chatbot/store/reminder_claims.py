"""Rows of the reminder claims table; what the states mean is the scheduler's rule."""

from dataclasses import asdict, astuple, dataclass, fields

from chatbot.store.database import TableGroup


@dataclass(frozen=True)
class ReminderKey:
    platform: str
    series: str
    occurrence: str  # the occurrence's key date, ISO
    offset_minutes: int


_KEY_COLUMNS = tuple(field.name for field in fields(ReminderKey))
_KEY_MATCH = " AND ".join(f"{column} = ?" for column in _KEY_COLUMNS)


class ReminderClaimTable(TableGroup):
    def get(self, key: ReminderKey) -> dict | None:
        """The row's state, owner, claimed_at and finished_at."""
        return self._db.first_where("reminder_claims", _KEY_MATCH, astuple(key))

    def state(self, key: ReminderKey) -> str | None:
        row = self.get(key)
        return row["state"] if row else None

    def keys_in_states(self, platform: str, since_occurrence: str, states: tuple[str, ...]
                       ) -> set[ReminderKey]:
        """The keys in one of `states`, for occurrences on or after a date."""
        rows = self._db.rows_where(
            "reminder_claims",
            f"platform = ? AND occurrence >= ? AND state IN ({','.join('?' * len(states))})",
            (platform, since_occurrence, *states), select=", ".join(_KEY_COLUMNS),
        )
        return {ReminderKey(**row) for row in rows}

    def keys_of_series(self, platform: str, series: str, since_occurrence: str,
                       states: tuple[str, ...]) -> set[ReminderKey]:
        """`keys_in_states` for one series (its primary key prefix: an index lookup)."""
        rows = self._db.rows_where(
            "reminder_claims",
            f"platform = ? AND series = ? AND occurrence >= ?"
            f" AND state IN ({','.join('?' * len(states))})",
            (platform, series, since_occurrence, *states), select=", ".join(_KEY_COLUMNS),
        )
        return {ReminderKey(**row) for row in rows}

    def insert(self, key: ReminderKey, if_absent: bool = False, **values: str) -> None:
        self._db.insert("reminder_claims", {**asdict(key), **values}, if_absent=if_absent)

    def update(self, key: ReminderKey, **values: str) -> None:
        self._db.write(
            f"UPDATE reminder_claims SET {', '.join(f'{name} = ?' for name in values)}"
            f" WHERE {_KEY_MATCH}",
            (*values.values(), *astuple(key)),
        )

    def delete(self, key: ReminderKey) -> None:
        self._db.write(f"DELETE FROM reminder_claims WHERE {_KEY_MATCH}", astuple(key))

    def delete_owned(self, owner: str, state: str) -> None:
        self._db.write("DELETE FROM reminder_claims WHERE state = ? AND owner = ?",
                       (state, owner))
