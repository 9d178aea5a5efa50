"""Series made in chat (`/meeting new`): their settings, in a schedule file's own keys and
forms, as JSON, so `chatbot schedules export` writes the file that defines the same series."""

from __future__ import annotations

import json

from chatbot.core.model import Scope
from chatbot.store.database import TableGroup, chunks, scope_args


class ChatSeriesTable(TableGroup):
    def settings(self, series: str) -> dict | None:
        row = self._db.first_where("chat_series", "series = ?", (series,))
        return json.loads(row["settings"]) if row else None

    def rows(self) -> list[tuple[str, str]]:
        """(id, settings as JSON text) of every chat-made series, by id."""
        return [(row["series"], row["settings"]) for row in
                self._db.query("SELECT series, settings FROM chat_series ORDER BY series")]

    def rows_of(self, ids: set[str]) -> list[tuple[str, str]]:
        """(id, settings as JSON text) of those of `ids` that exist."""
        return [(row["series"], row["settings"]) for chunk in chunks(sorted(ids))
                for row in self._db.rows_where(
                    "chat_series", f"series IN ({', '.join('?' * len(chunk))})", tuple(chunk),
                    select="series, settings")]

    def scope_of(self, series: str) -> Scope | None:
        """The channel the series was made in."""
        row = self._db.first_where("chat_series", "series = ?", (series,),
                                   select="platform, workspace, channel")
        return Scope(row["platform"], row["workspace"], row["channel"]) if row else None

    def ids_from(self, base: str) -> list[str]:
        """The ids that are `base` or start with `base-` (what a new series called like an
        existing one may not take), from the index, not a read of every series."""
        rows = self._db.query(
            "SELECT series FROM chat_series WHERE series = ? OR series BETWEEN ? AND ?",
            (base, f"{base}-", f"{base}-\uffff"))
        return [row["series"] for row in rows]

    def in_channel(self, scope: Scope) -> list[str]:
        """The ids of the series made in this channel, by id."""
        return [row["series"] for row in self._db.rows_where(
            "chat_series", "platform = ? AND workspace = ? AND channel = ?",
            (scope.platform, *scope_args(scope)), select="series", order_by="series")]

    def add(self, scope: Scope, series: str, settings: dict, created_by: str, now: str) -> None:
        self._db.insert("chat_series", {
            "series": series, "platform": scope.platform, "workspace": scope.workspace,
            "channel": scope.channel, "settings": json.dumps(settings, sort_keys=True),
            "created_by": created_by, "created_at": now, "updated_at": now,
        })

    def update(self, series: str, settings: dict, now: str) -> None:
        self._db.write("UPDATE chat_series SET settings = ?, updated_at = ? WHERE series = ?",
                       (json.dumps(settings, sort_keys=True), now, series))

    def delete(self, series: str) -> None:
        self._db.write("DELETE FROM chat_series WHERE series = ?", (series,))
