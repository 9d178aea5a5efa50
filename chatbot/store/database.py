"""One SQLite connection shared by every table group: one lock, one transaction.

Reads go through sqlite-utils' `db.query`. Writes are plain SQL on the same connection:
sqlite-utils' `insert`/`upsert` wrap themselves in `with conn:`, which commits, and the
writes of one command must commit together or not at all.
"""

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from chatbot.core.model import Scope

BUSY_TIMEOUT_SECONDS = 30
# The rows of one channel, and of one occurrence in it: with scope_args / meeting_args.
SCOPE_MATCH = "workspace = ? AND channel = ?"
MEETING_MATCH = f"{SCOPE_MATCH} AND series = ? AND occurrence = ?"


def scope_row(scope: Scope) -> dict[str, str]:
    return {"workspace": scope.workspace, "channel": scope.channel}


def meeting_row(scope: Scope, series: str, occurrence: str) -> dict[str, str]:
    return {**scope_row(scope), "series": series, "occurrence": occurrence}


def scope_args(scope: Scope) -> tuple[str, str]:
    return (scope.workspace, scope.channel)


def meeting_args(scope: Scope, series: str, occurrence: str) -> tuple[str, str, str, str]:
    return (scope.workspace, scope.channel, series, occurrence)


def chunks(values: list, size: int = 500) -> list[list]:
    """`values` in lists short enough for one `IN (?, ...)` each (SQLite bounds them)."""
    return [values[start:start + size] for start in range(0, len(values), size)]


class SharedDatabase:
    """The connection, its lock (the scheduler, the web server and the adapters use it
    from their own threads) and the one transaction open on it."""

    def __init__(self, path: Path):
        if not path.exists() and str(path) != ":memory:":
            # The database holds a team's plans: readable by its owner only.
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves (see transaction()).
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                               check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.lock = threading.RLock()
        self._depth = 0
        self._begun = False
        conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            self.db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")

    @contextlib.contextmanager
    def transaction(self, from_first_write: bool = False) -> Iterator[None]:
        """A write transaction, `BEGIN IMMEDIATE`: a second process waits on the busy
        timeout instead of failing half-way. Nested calls join the outer one.

        `from_first_write`: begin only when a write (a nested transaction()) comes, so a
        command that only reads takes no write lock; the connection's lock is held
        throughout all the same, so no other thread's statement slips in between."""
        with self.lock:
            outer = self._depth == 0
            if not (from_first_write or self._begun):
                self.db.execute("BEGIN IMMEDIATE")
                self._begun = True
            self._depth += 1
            try:
                yield
            except BaseException:
                if outer and self._begun:
                    self.db.execute("ROLLBACK")
                raise
            else:
                if outer and self._begun:
                    self.db.execute("COMMIT")
            finally:
                self._depth -= 1
                if outer:
                    self._begun = False

    def rows_where(self, table: str, where: str, args: tuple, select: str = "*",
                   order_by: str | None = None, limit: int | None = None) -> list[dict]:
        """Like sqlite-utils' `Table.rows_where`, which first looks the table up in
        sqlite_master: on every read, that doubled a command's time (bench/store.py)."""
        return self.query(f"SELECT {select} FROM {table} WHERE {where}"
                          + (f" ORDER BY {order_by}" if order_by else "")
                          + (f" LIMIT {limit:d}" if limit else ""), args)

    def first_where(self, table: str, where: str, args: tuple, **options) -> dict | None:
        return next(iter(self.rows_where(table, where, args, limit=1, **options)), None)

    def query(self, sql: str, params: tuple = ()) -> list[dict]:
        with self.lock:
            return list(self.db.query(sql, params))

    def write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self.transaction():
            return self.db.execute(sql, params)

    def write_returning(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A write with a RETURNING clause: its rows, read before its transaction ends
        (SQLite commits no statement still in progress)."""
        with self.transaction():
            return self.db.execute(sql, params).fetchall()

    def insert(self, table: str, row: dict, if_absent: bool = False) -> int:
        """The new row's rowid."""
        return self.write(f"INSERT {'OR IGNORE ' if if_absent else ''}INTO {table}"
                          f" ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                          tuple(row.values())).lastrowid

    def upsert(self, table: str, row: dict, pk: tuple[str, ...]) -> None:
        """Insert, or update every column but the key of the row already there."""
        changed = ", ".join(f"{name} = excluded.{name}" for name in row if name not in pk)
        self.write(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
                   f" ON CONFLICT ({', '.join(pk)}) DO UPDATE SET {changed}", tuple(row.values()))


class TableGroup:
    """The queries of a few related tables, over the shared connection."""

    def __init__(self, shared: SharedDatabase):
        self._db = shared
