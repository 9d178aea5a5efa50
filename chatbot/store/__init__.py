"""The only package that knows table names: one module per table group.

    store = Store("chatbot.db")
    with store.transaction():  # both rows, or neither
        store.users.save(scope.workspace, User("tim", "Tim"))
        todo = store.todos.add(scope, "Write the post", "tim", ["tim"], None, None, now)
    store.agenda.items(scope, "binder-team", "2018-03-22")

Every group shares one connection, one lock and one transaction (`database.py`); a
write outside `transaction()` is a transaction of its own. The schema is the migration
list in `schema.py`.
"""

from pathlib import Path

from chatbot.store.agenda import AgendaTable
from chatbot.store.attendance import AttendanceTable
from chatbot.store.chat_accounts import ChatAccountTables
from chatbot.store.chat_series import ChatSeriesTable
from chatbot.store.database import SharedDatabase
from chatbot.store.digests import DigestTable
from chatbot.store.live_entries import LiveEntryTable
from chatbot.store.meetings import DecisionTable, ImportTable, MeetingTable
from chatbot.store.occurrence_changes import OccurrenceChangeTable
from chatbot.store.page_tokens import PageTokenTable
from chatbot.store.people import MemberTable, UserTable
from chatbot.store.reminder_claims import ReminderClaimTable, ReminderKey
from chatbot.store.roles import RoleTable
from chatbot.store.schema import MIGRATIONS
from chatbot.store.series_changes import SeriesChangeTable
from chatbot.store.todos import TodoTable
from chatbot.store.workspaces import WorkspaceTable

__all__ = ["MIGRATIONS", "ReminderKey", "Store"]


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._shared = SharedDatabase(self.path)
        self.db = self._shared.db  # for inspection: tests, benchmarks, `sqlite3` users
        self.users = UserTable(self._shared)
        self.members = MemberTable(self._shared)
        self.agenda = AgendaTable(self._shared)
        self.attendance = AttendanceTable(self._shared)
        self.todos = TodoTable(self._shared)
        self.meetings = MeetingTable(self._shared)
        self.decisions = DecisionTable(self._shared)
        self.live_entries = LiveEntryTable(self._shared)
        self.imports = ImportTable(self._shared)
        self.reminder_claims = ReminderClaimTable(self._shared)
        self.page_tokens = PageTokenTable(self._shared)
        self.chat_accounts = ChatAccountTables(self._shared)
        self.workspaces = WorkspaceTable(self._shared)
        self.chat_series = ChatSeriesTable(self._shared)
        self.occurrence_changes = OccurrenceChangeTable(self._shared)
        self.series_changes = SeriesChangeTable(self._shared)
        self.roles = RoleTable(self._shared)
        self.digests = DigestTable(self._shared)
        # Every write in the block commits together or not at all (see SharedDatabase).
        self.transaction = self._shared.transaction
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction():
            version = self.schema_version
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        with self._shared.lock:
            return self.db.execute("PRAGMA user_version").fetchone()[0]

    def counts(self) -> dict[str, int]:
        """Rows per table (tests and `chatbot` maintenance commands)."""
        with self._shared.lock:
            return {name: self.db[name].count for name in self.db.table_names()}

    def close(self) -> None:
        with self._shared.lock:
            self.db.conn.close()
