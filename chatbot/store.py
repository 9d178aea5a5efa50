"""The only module that knows table names: schema, migrations and queries.

SQLite through sqlite-utils. Every write runs in a `BEGIN IMMEDIATE`
transaction, so a command is stored whole or not at all, and a second process
waits (busy timeout) instead of failing or losing a write.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils

from chatbot.core.model import (
    AgendaItem,
    Attendance,
    Decision,
    MeetingRecord,
    Scope,
    Todo,
    User,
)

BUSY_TIMEOUT_SECONDS = 30


def _migration_1(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "workspace": str, "user_id": str, "name": str, "tz": str, "profile_tz": str,
            "affiliation": str, "github": str, "remind": int,
        },
        pk=("workspace", "user_id"),
        defaults={"affiliation": "", "github": "", "remind": 0},
        not_null={"workspace", "user_id", "name"},
    )
    db.execute("CREATE INDEX users_by_name ON users (workspace, name COLLATE NOCASE)")
    db.execute("CREATE INDEX users_by_github ON users (workspace, github COLLATE NOCASE)")
    # Who takes part in a channel: the zones reminders show and who gets them.
    db["members"].create(
        {"workspace": str, "channel": str, "user_id": str, "last_seen": str},
        pk=("workspace", "channel", "user_id"),
    )
    db["agenda_items"].create(
        {
            "id": int, "workspace": str, "channel": str, "series": str, "occurrence": str,
            "section": str, "text": str, "author_id": str, "author_name": str,
            "position": int, "done": int, "carried_over": int, "created_at": str,
        },
        pk="id",
        defaults={"done": 0, "carried_over": 0},
        not_null={"workspace", "channel", "series", "occurrence", "section", "text"},
    )
    db["agenda_items"].create_index(
        ["workspace", "channel", "series", "occurrence", "position"]
    )
    db["attendance"].create(
        {
            "workspace": str, "channel": str, "series": str, "occurrence": str,
            "user_id": str, "name": str, "affiliation": str, "github": str,
            "regrets": int, "recorded_at": str,
        },
        pk=("workspace", "channel", "series", "occurrence", "user_id"),
        defaults={"affiliation": "", "github": "", "regrets": 0},
    )
    db["todos"].create(
        {
            "id": int, "workspace": str, "channel": str, "number": int, "text": str,
            "creator_id": str, "series": str, "occurrence": str,
            "created_at": str, "done_at": str,
        },
        pk="id",
        not_null={"workspace", "channel", "number", "text", "creator_id"},
    )
    db["todos"].create_index(["workspace", "channel", "number"], unique=True)
    db["todos"].create_index(["workspace", "channel", "done_at"])
    db["todo_owners"].create(
        {"todo_id": int, "user_id": str},
        pk=("todo_id", "user_id"),
        foreign_keys=[("todo_id", "todos", "id")],
    )
    db["todo_owners"].create_index(["user_id", "todo_id"])


def _migration_reminders(db: sqlite_utils.Database) -> None:
    # One row per reminder ever due: the primary key is what makes a reminder post
    # exactly once across restarts and across processes sharing this file.
    db["reminder_claims"].create(
        {
            "platform": str, "series": str, "occurrence": str, "offset_minutes": int,
            "state": str, "owner": str, "claimed_at": str, "finished_at": str,
        },
        pk=("platform", "series", "occurrence", "offset_minutes"),
    )


def _migration_minutes(db: sqlite_utils.Database) -> None:
    # One row per occurrence the bot ran or imported; started and not ended is "in progress".
    db["meetings"].create(
        {
            "workspace": str, "channel": str, "series": str, "occurrence": str,
            "started_at": str, "ended_at": str, "started_by": str, "archive_path": str,
            "imported_from": str,
        },
        pk=("workspace", "channel", "series", "occurrence"),
    )
    db["meetings"].create_index(["workspace", "channel", "ended_at"])
    db["decisions"].create(
        {
            "id": int, "workspace": str, "channel": str, "series": str, "occurrence": str,
            "text": str, "author_id": str, "created_at": str,
        },
        pk="id",
        not_null={"workspace", "channel", "series", "occurrence", "text"},
    )
    db["decisions"].create_index(["workspace", "channel", "series", "occurrence"])
    # Content hashes of imported notes, so importing a file again stores nothing twice.
    db["imports"].create(
        {
            "workspace": str, "channel": str, "series": str, "content_hash": str,
            "file_name": str, "occurrence": str, "imported_at": str,
        },
        pk=("workspace", "channel", "series", "content_hash"),
    )


def _migration_chat_accounts(db: sqlite_utils.Database) -> None:
    # Where a bot account's event stream left off (a Matrix /sync token), so a
    # restarted bot answers what it missed once and nothing twice.
    db["sync_positions"].create(
        {"account": str, "position": str, "saved_at": str},
        pk="account", not_null={"position"},
    )
    # The direct-message room a bot account shares with each person, reused
    # for every personal reminder.
    db["direct_rooms"].create(
        {"account": str, "user_id": str, "room_id": str},
        pk=("account", "user_id"), not_null={"room_id"},
    )


def _migration_page_tokens(db: sqlite_utils.Database) -> None:
    # The unguessable part of a series' web page address (/m/<token>): unless the
    # schedule says public = true, knowing it is the only way to the page.
    db["page_tokens"].create(
        {"series": str, "token": str, "created_at": str}, pk="series", not_null={"token"},
    )
    db["page_tokens"].create_index(["token"], unique=True)


# Append-only: a migration is never edited once released; PRAGMA user_version
# records how many have run.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1, _migration_reminders, _migration_minutes, _migration_chat_accounts,
    _migration_page_tokens,
]


@dataclass(frozen=True)
class ReminderKey:
    platform: str
    series: str
    occurrence: str  # the occurrence's key date, ISO
    offset_minutes: int

    def params(self) -> tuple:
        return (self.platform, self.series, self.occurrence, self.offset_minutes)


_KEY_MATCH = "platform = ? AND series = ? AND occurrence = ? AND offset_minutes = ?"


def _create_private_file(path: Path) -> None:
    """The database holds a team's plans: readable by its owner only."""
    if path.exists() or str(path) == ":memory:":
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class _Connection(sqlite3.Connection):
    """sqlite-utils wraps its writes in `with conn:`, which would COMMIT our open
    transaction half-way; inside Store.transaction() that block does nothing."""

    in_managed_transaction = False

    def __exit__(self, *exc_info):
        if self.in_managed_transaction:
            return False
        return super().__exit__(*exc_info)


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        _create_private_file(self.path)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves (see transaction()).
        conn = sqlite3.connect(
            str(self.path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
            check_same_thread=False, factory=_Connection,
        )
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self.user_writes = 0
        self._depth = 0
        conn.execute("PRAGMA foreign_keys = ON")
        if str(self.path) != ":memory:":
            self.db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    # -- transactions -------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self.db.conn.in_managed_transaction = True
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")
            finally:
                self._depth = 0
                self.db.conn.in_managed_transaction = False

    def _migrate(self) -> None:
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.db.conn.close()

    def _rows(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        with self._lock:
            cursor = self.db.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- users --------------------------------------------------------------

    def get_user(self, workspace: str, user_id: str) -> User | None:
        rows = self._rows(
            "SELECT * FROM users WHERE workspace = ? AND user_id = ?", (workspace, user_id)
        )
        return _user(rows[0]) if rows else None

    def find_user(self, workspace: str, handle: str) -> User | None:
        """A user by id, display name or GitHub handle (case-insensitive)."""
        rows = self._rows(
            "SELECT * FROM users WHERE workspace = ? AND (user_id = ?"
            " OR name = ? COLLATE NOCASE OR github = ? COLLATE NOCASE) LIMIT 1",
            (workspace, handle, handle, handle),
        )
        return _user(rows[0]) if rows else None

    def save_user(self, workspace: str, user: User) -> None:
        self.user_writes += 1  # lets a caller tell whether a profile it read is still current
        with self.transaction():
            self.db.execute(
                "INSERT INTO users (workspace, user_id, name, tz, profile_tz, affiliation,"
                " github, remind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (workspace, user_id) DO UPDATE SET name = excluded.name,"
                " tz = excluded.tz, profile_tz = excluded.profile_tz,"
                " affiliation = excluded.affiliation, github = excluded.github,"
                " remind = excluded.remind",
                (workspace, user.id, user.name, user.tz, user.profile_tz, user.affiliation,
                 user.github, int(user.remind)),
            )

    def add_member(self, scope: Scope, user_id: str, now: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO members (workspace, channel, user_id, last_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen",
                (scope.workspace, scope.channel, user_id, now),
            )

    def is_member(self, scope: Scope, user_id: str) -> bool:
        return bool(self._rows(
            "SELECT 1 FROM members WHERE workspace = ? AND channel = ? AND user_id = ?",
            (scope.workspace, scope.channel, user_id),
        ))

    def members(self, scope: Scope, wanting_reminders: bool = False) -> list[User]:
        rows = self._rows(
            "SELECT u.* FROM members m JOIN users u ON u.workspace = m.workspace"
            " AND u.user_id = m.user_id WHERE m.workspace = ? AND m.channel = ?"
            + (" AND u.remind = 1" if wanting_reminders else "") + " ORDER BY u.user_id",
            (scope.workspace, scope.channel),
        )
        return [_user(row) for row in rows]

    def member_zones(self, scope: Scope) -> set[str]:
        """The distinct zones of a channel's members (a reminder shows each once)."""
        rows = self.db.execute(
            "SELECT DISTINCT COALESCE(u.tz, u.profile_tz) FROM members m JOIN users u"
            " ON u.workspace = m.workspace AND u.user_id = m.user_id"
            " WHERE m.workspace = ? AND m.channel = ?",
            (scope.workspace, scope.channel),
        ).fetchall()
        return {zone for (zone,) in rows if zone}

    def users(self, workspace: str, user_ids: list[str]) -> dict[str, User]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = self._rows(
            f"SELECT * FROM users WHERE workspace = ? AND user_id IN ({marks})",
            (workspace, *user_ids),
        )
        return {row["user_id"]: _user(row) for row in rows}

    # -- agenda -------------------------------------------------------------

    def agenda(self, scope: Scope, series: str, occurrence: str) -> list[AgendaItem]:
        rows = self._rows(
            "SELECT * FROM agenda_items WHERE workspace = ? AND channel = ? AND series = ?"
            " AND occurrence = ? ORDER BY position, id",
            (scope.workspace, scope.channel, series, occurrence),
        )
        return [_agenda_item(row) for row in rows]

    def count_agenda_items(
        self, scope: Scope, series: str, occurrence: str, sections: tuple[str, ...]
    ) -> int:
        marks = ",".join("?" * len(sections))
        rows = self._rows(
            "SELECT COUNT(*) AS n FROM agenda_items WHERE workspace = ? AND channel = ?"
            f" AND series = ? AND occurrence = ? AND section IN ({marks})",
            (scope.workspace, scope.channel, series, occurrence, *sections),
        )
        return rows[0]["n"]

    def add_agenda_item(
        self, scope: Scope, series: str, occurrence: str, section: str, text: str,
        author: User, now: str,
    ) -> AgendaItem:
        with self.transaction():
            (last,) = self.db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM agenda_items WHERE workspace = ?"
                " AND channel = ? AND series = ? AND occurrence = ?",
                (scope.workspace, scope.channel, series, occurrence),
            ).fetchone()
            row = {
                "workspace": scope.workspace, "channel": scope.channel, "series": series,
                "occurrence": occurrence, "section": section, "text": text,
                "author_id": author.id, "author_name": author.name,
                "position": last + 1, "created_at": now,
            }
            # Plain SQL: sqlite-utils' insert() inspects the schema on every call, which
            # costs more than the insert on a command's ack path.
            item_id = self.db.execute(
                f"INSERT INTO agenda_items ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            ).lastrowid
        return _agenda_item({**row, "id": item_id, "done": 0, "carried_over": 0})

    def remove_agenda_item(self, item_id: int) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM agenda_items WHERE id = ?", (item_id,))

    def set_agenda_done(self, item_id: int, done: bool = True) -> None:
        with self.transaction():
            self.db.execute("UPDATE agenda_items SET done = ? WHERE id = ?", (int(done), item_id))

    def reorder_agenda(self, item_ids_in_order: list[int]) -> None:
        with self.transaction():
            for position, item_id in enumerate(item_ids_in_order, start=1):
                self.db.execute(
                    "UPDATE agenda_items SET position = ? WHERE id = ?", (position, item_id)
                )

    # -- attendance ---------------------------------------------------------

    def record_attendance(
        self, scope: Scope, series: str, occurrence: str, record: Attendance, now: str
    ) -> None:
        with self.transaction():
            self.db["attendance"].upsert(
                {
                    "workspace": scope.workspace, "channel": scope.channel, "series": series,
                    "occurrence": occurrence, "user_id": record.user_id, "name": record.name,
                    "affiliation": record.affiliation, "github": record.github,
                    "regrets": int(record.regrets), "recorded_at": now,
                },
                pk=("workspace", "channel", "series", "occurrence", "user_id"),
            )

    def attendance(self, scope: Scope, series: str, occurrence: str) -> list[Attendance]:
        rows = self._rows(
            "SELECT * FROM attendance WHERE workspace = ? AND channel = ? AND series = ?"
            " AND occurrence = ? ORDER BY recorded_at, rowid",
            (scope.workspace, scope.channel, series, occurrence),
        )
        return [
            Attendance(
                user_id=r["user_id"], name=r["name"], affiliation=r["affiliation"] or "",
                github=r["github"] or "", regrets=bool(r["regrets"]),
            )
            for r in rows
        ]

    # -- todos --------------------------------------------------------------

    def add_todo(
        self, scope: Scope, text: str, creator_id: str, owners: list[str],
        series: str | None, occurrence: str | None, now: str,
    ) -> Todo:
        with self.transaction():
            (last,) = self.db.execute(
                "SELECT COALESCE(MAX(number), 0) FROM todos WHERE workspace = ? AND channel = ?",
                (scope.workspace, scope.channel),
            ).fetchone()
            row = {
                "workspace": scope.workspace, "channel": scope.channel, "number": last + 1,
                "text": text, "creator_id": creator_id, "series": series,
                "occurrence": occurrence, "created_at": now, "done_at": None,
            }
            todo_id = self.db["todos"].insert(row).last_pk
            self._set_owners(todo_id, owners)
        return self.todo(scope, last + 1)

    def _set_owners(self, todo_id: int, owners: list[str]) -> None:
        self.db.execute("DELETE FROM todo_owners WHERE todo_id = ?", (todo_id,))
        self.db["todo_owners"].insert_all(
            [{"todo_id": todo_id, "user_id": owner} for owner in dict.fromkeys(owners)]
        )

    def todo(self, scope: Scope, number: int) -> Todo | None:
        todos = self._todos("t.number = ?", (number,), scope)
        return todos[0] if todos else None

    def todos(self, scope: Scope, owner: str | None = None, open_only: bool = True) -> list[Todo]:
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

    def _todos(self, condition: str, params: tuple, scope: Scope) -> list[Todo]:
        rows = self._rows(
            "SELECT t.*, (SELECT group_concat(user_id, char(31)) FROM todo_owners o"
            " WHERE o.todo_id = t.id) AS owner_ids FROM todos t"
            f" WHERE t.workspace = ? AND t.channel = ? AND {condition} ORDER BY t.number",
            (scope.workspace, scope.channel, *params),
        )
        return [_todo(row) for row in rows]

    def set_todo_done(self, todo_id: int, done_at: str | None) -> None:
        with self.transaction():
            self.db.execute("UPDATE todos SET done_at = ? WHERE id = ?", (done_at, todo_id))

    def set_todo_owners(self, todo_id: int, owners: list[str]) -> None:
        with self.transaction():
            self._set_owners(todo_id, owners)

    # -- reminder claims ----------------------------------------------------

    def claim_reminder(self, key: ReminderKey, owner: str, now: str, stale_before: str) -> bool:
        """True if this caller may post the reminder now. A claim whose owner died
        without finishing (claimed before `stale_before`) can be taken over."""
        with self.transaction():
            row = self._rows(
                f"SELECT state, claimed_at FROM reminder_claims WHERE {_KEY_MATCH}", key.params()
            )
            if not row:
                self.db.execute(
                    "INSERT INTO reminder_claims (platform, series, occurrence, offset_minutes,"
                    " state, owner, claimed_at) VALUES (?, ?, ?, ?, 'claimed', ?, ?)",
                    (*key.params(), owner, now),
                )
                return True
            if row[0]["state"] == "claimed" and row[0]["claimed_at"] < stale_before:
                self.db.execute(
                    f"UPDATE reminder_claims SET owner = ?, claimed_at = ? WHERE {_KEY_MATCH}",
                    (owner, now, *key.params()),
                )
                return True
            return False

    def mark_reminder_sent(self, key: ReminderKey, now: str) -> None:
        with self.transaction():
            self.db.execute(
                f"UPDATE reminder_claims SET state = 'sent', finished_at = ? WHERE {_KEY_MATCH}",
                (now, *key.params()),
            )

    def drop_reminder(self, key: ReminderKey, now: str) -> None:
        """Record that an older reminder, missed while the bot was down, is not sent."""
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO reminder_claims (platform, series, occurrence,"
                " offset_minutes, state, finished_at) VALUES (?, ?, ?, ?, 'dropped', ?)",
                (*key.params(), now),
            )

    def release_reminder(self, key: ReminderKey, owner: str) -> None:
        """Give a claim back after a failed post, so it is tried again."""
        with self.transaction():
            self.db.execute(
                f"DELETE FROM reminder_claims WHERE {_KEY_MATCH} AND state = 'claimed'"
                " AND owner = ?",
                (*key.params(), owner),
            )

    def release_claims(self, owner: str) -> None:
        """On shutdown: nothing is left half-claimed."""
        with self.transaction():
            self.db.execute(
                "DELETE FROM reminder_claims WHERE state = 'claimed' AND owner = ?", (owner,)
            )

    def settled_reminders(self, platform: str, since_occurrence: str) -> set[ReminderKey]:
        """Reminders already sent or dropped, for occurrences on or after a date: one
        query per tick instead of a write transaction per due reminder."""
        rows = self.db.execute(
            "SELECT series, occurrence, offset_minutes FROM reminder_claims WHERE platform = ?"
            " AND occurrence >= ? AND state IN ('sent', 'dropped')",
            (platform, since_occurrence),
        ).fetchall()
        return {ReminderKey(platform, *row) for row in rows}

    def reminder_state(self, key: ReminderKey) -> str | None:
        rows = self._rows(f"SELECT state FROM reminder_claims WHERE {_KEY_MATCH}", key.params())
        return rows[0]["state"] if rows else None

    def reminder_claims(self, platform: str) -> list[dict]:
        return self._rows(
            "SELECT * FROM reminder_claims WHERE platform = ? ORDER BY claimed_at", (platform,)
        )

    # -- meetings, decisions, imports ----------------------------------------

    def meeting(self, scope: Scope, series: str, occurrence: str) -> MeetingRecord | None:
        rows = self._rows(
            "SELECT * FROM meetings WHERE workspace = ? AND channel = ? AND series = ?"
            " AND occurrence = ?",
            (scope.workspace, scope.channel, series, occurrence),
        )
        return _meeting(rows[0]) if rows else None

    def open_meetings(self, scope: Scope) -> list[MeetingRecord]:
        """Meetings started and not yet ended in this channel, oldest start first."""
        rows = self._rows(
            "SELECT * FROM meetings WHERE workspace = ? AND channel = ?"
            " AND started_at IS NOT NULL AND ended_at IS NULL ORDER BY started_at",
            (scope.workspace, scope.channel),
        )
        return [_meeting(row) for row in rows]

    def latest_meeting(self, scope: Scope, series: str) -> MeetingRecord | None:
        """The most recent occurrence that was held or imported."""
        rows = self._rows(
            "SELECT * FROM meetings WHERE workspace = ? AND channel = ? AND series = ?"
            " AND started_at IS NOT NULL ORDER BY occurrence DESC LIMIT 1",
            (scope.workspace, scope.channel, series),
        )
        return _meeting(rows[0]) if rows else None

    def previous_meeting(
        self, scope: Scope, series: str, occurrence: str
    ) -> MeetingRecord | None:
        """The last occurrence before this one that was held or imported."""
        rows = self._rows(
            "SELECT * FROM meetings WHERE workspace = ? AND channel = ? AND series = ?"
            " AND occurrence < ? AND started_at IS NOT NULL ORDER BY occurrence DESC LIMIT 1",
            (scope.workspace, scope.channel, series, occurrence),
        )
        return _meeting(rows[0]) if rows else None

    def start_meeting(
        self, scope: Scope, series: str, occurrence: str, started_by: str, now: str
    ) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO meetings (workspace, channel, series, occurrence, started_at,"
                " started_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                " started_at = excluded.started_at, started_by = excluded.started_by",
                (scope.workspace, scope.channel, series, occurrence, now, started_by),
            )

    def end_meeting(
        self, scope: Scope, series: str, occurrence: str, next_occurrence: str | None,
        now: str, archive_path: str | None,
    ) -> list[AgendaItem] | None:
        """Close the meeting and copy its undone agenda items to the next occurrence
        (flagged carried over), in one transaction. Returns the copies, or None when the
        meeting was not in progress (someone else ended it a moment ago)."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE meetings SET ended_at = ?, archive_path = ? WHERE workspace = ?"
                " AND channel = ? AND series = ? AND occurrence = ?"
                " AND started_at IS NOT NULL AND ended_at IS NULL",
                (now, archive_path, scope.workspace, scope.channel, series, occurrence),
            )
            if cursor.rowcount == 0:
                return None
            if next_occurrence is None:
                return []
            carried = []
            for item in self.agenda(scope, series, occurrence):
                if item.done:
                    continue
                author = User(id=item.author_id, name=item.author_name)
                copy = self.add_agenda_item(
                    scope, series, next_occurrence, item.section, item.text, author, now
                )
                self.db.execute(
                    "UPDATE agenda_items SET carried_over = 1 WHERE id = ?", (copy.id,)
                )
                carried.append(replace(copy, carried_over=True))
            return carried

    def record_past_meeting(
        self, scope: Scope, series: str, occurrence: str, started_at: str, ended_at: str,
        archive_path: str | None, imported_from: str,
    ) -> None:
        """An imported occurrence; a meeting the bot ran on that day keeps its record."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO meetings (workspace, channel, series, occurrence, started_at,"
                " ended_at, archive_path, imported_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (scope.workspace, scope.channel, series, occurrence, started_at, ended_at,
                 archive_path, imported_from),
            )

    def add_decision(
        self, scope: Scope, series: str, occurrence: str, text: str, author_id: str, now: str
    ) -> Decision:
        with self.transaction():
            decision_id = self.db["decisions"].insert({
                "workspace": scope.workspace, "channel": scope.channel, "series": series,
                "occurrence": occurrence, "text": text, "author_id": author_id,
                "created_at": now,
            }).last_pk
        return Decision(decision_id, text, author_id, now)

    def decisions(self, scope: Scope, series: str, occurrence: str) -> list[Decision]:
        rows = self._rows(
            "SELECT * FROM decisions WHERE workspace = ? AND channel = ? AND series = ?"
            " AND occurrence = ? ORDER BY id",
            (scope.workspace, scope.channel, series, occurrence),
        )
        return [Decision(r["id"], r["text"], r["author_id"], r["created_at"]) for r in rows]

    def is_imported(self, scope: Scope, series: str, content_hash: str) -> bool:
        return bool(self._rows(
            "SELECT 1 FROM imports WHERE workspace = ? AND channel = ? AND series = ?"
            " AND content_hash = ?",
            (scope.workspace, scope.channel, series, content_hash),
        ))

    def record_import(
        self, scope: Scope, series: str, content_hash: str, file_name: str,
        occurrence: str, now: str,
    ) -> None:
        with self.transaction():
            self.db["imports"].insert({
                "workspace": scope.workspace, "channel": scope.channel, "series": series,
                "content_hash": content_hash, "file_name": file_name,
                "occurrence": occurrence, "imported_at": now,
            })


    # -- chat accounts (a bot's own bookkeeping on its platform) ------------

    def sync_position(self, account: str) -> str | None:
        rows = self._rows("SELECT position FROM sync_positions WHERE account = ?", (account,))
        return rows[0]["position"] if rows else None

    def save_sync_position(self, account: str, position: str, now: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO sync_positions (account, position, saved_at) VALUES (?, ?, ?)"
                " ON CONFLICT (account) DO UPDATE SET position = excluded.position,"
                " saved_at = excluded.saved_at",
                (account, position, now),
            )

    def direct_room(self, account: str, user_id: str) -> str | None:
        rows = self._rows(
            "SELECT room_id FROM direct_rooms WHERE account = ? AND user_id = ?",
            (account, user_id),
        )
        return rows[0]["room_id"] if rows else None

    def save_direct_room(self, account: str, user_id: str, room_id: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO direct_rooms (account, user_id, room_id) VALUES (?, ?, ?)"
                " ON CONFLICT (account, user_id) DO UPDATE SET room_id = excluded.room_id",
                (account, user_id, room_id),
            )

    def held_meetings(self, scope: Scope, series: str) -> list[MeetingRecord]:
        """Occurrences held (or imported) and ended, newest first: the past minutes."""
        rows = self._rows(
            "SELECT * FROM meetings WHERE workspace = ? AND channel = ? AND series = ?"
            " AND ended_at IS NOT NULL ORDER BY occurrence DESC",
            (scope.workspace, scope.channel, series),
        )
        return [_meeting(row) for row in rows]

    # -- web page tokens ----------------------------------------------------

    def page_token(self, series: str, new_token: Callable[[], str], now: str) -> str:
        """The series' page token, made with `new_token()` the first time it is asked for."""
        with self.transaction():
            rows = self._rows("SELECT token FROM page_tokens WHERE series = ?", (series,))
            if rows:
                return rows[0]["token"]
            token = new_token()
            self.db.execute(
                "INSERT INTO page_tokens (series, token, created_at) VALUES (?, ?, ?)",
                (series, token, now),
            )
            return token

    def replace_page_token(self, series: str, token: str, now: str) -> None:
        """Set the series' page token, whether it had one or not."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO page_tokens (series, token, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (series) DO UPDATE SET token = excluded.token,"
                " created_at = excluded.created_at",
                (series, token, now),
            )

    def series_with_page_token(self, token: str) -> str | None:
        rows = self._rows("SELECT series FROM page_tokens WHERE token = ?", (token,))
        return rows[0]["series"] if rows else None

    # -- inspection (tests and `chatbot` maintenance commands) --------------

    def counts(self) -> dict[str, int]:
        return {name: self.db[name].count for name in self.db.table_names()}


def _user(row: dict) -> User:
    return User(
        id=row["user_id"], name=row["name"], tz=row["tz"], profile_tz=row["profile_tz"],
        affiliation=row["affiliation"] or "", github=row["github"] or "",
        remind=bool(row["remind"]),
    )


def _agenda_item(row: dict) -> AgendaItem:
    return AgendaItem(
        id=row["id"], section=row["section"], text=row["text"],
        author_id=row["author_id"], author_name=row["author_name"],
        position=row["position"], done=bool(row["done"]),
        carried_over=bool(row["carried_over"]),
    )


def _meeting(row: dict) -> MeetingRecord:
    return MeetingRecord(
        series=row["series"], occurrence=row["occurrence"], started_at=row["started_at"],
        ended_at=row["ended_at"], started_by=row["started_by"],
        archive_path=row["archive_path"], imported_from=row["imported_from"],
    )


def _todo(row: dict) -> Todo:
    owners = tuple(row["owner_ids"].split("\x1f")) if row["owner_ids"] else ()
    return Todo(
        id=row["id"], number=row["number"], text=row["text"], creator_id=row["creator_id"],
        owners=owners, series=row["series"], occurrence=row["occurrence"],
        created_at=row["created_at"], done_at=row["done_at"],
    )
