"""The SQLite store: schema version, private file, atomic and concurrent writes."""

from __future__ import annotations

import contextlib
import multiprocessing
import sqlite3
import stat
from pathlib import Path

import pytest

from chatbot.core.model import Scope, User
from chatbot.store import MIGRATIONS, ReminderKey, Store

SCOPE = Scope("console", "console", "binder-team")
DATA = Path(__file__).parent / "data"


def test_schema_version_and_private_file(tmp_path):
    path = tmp_path / "chatbot.db"
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.close()
    assert Store(path).schema_version == len(MIGRATIONS)  # reopening migrates nothing twice


def test_failed_transaction_stores_nothing(tmp_path):
    store = Store(tmp_path / "chatbot.db")
    with pytest.raises(RuntimeError), store.transaction():
        store.todos.add(SCOPE, "half", "tim", ["tim"], None, None, "2018-03-20T12:00:00+00:00")
        raise RuntimeError("crash between two writes")
    assert store.todos.in_channel(SCOPE) == []
    assert store.counts()["todo_owners"] == 0


def test_scoped_by_workspace_and_channel(tmp_path):
    store = Store(tmp_path / "chatbot.db")
    store.todos.add(SCOPE, "ours", "tim", ["tim"], None, None, "t")
    other = Scope("console", "console", "elsewhere")
    store.todos.add(other, "theirs", "tim", ["tim"], None, None, "t")
    assert [t.text for t in store.todos.in_channel(SCOPE)] == ["ours"]
    assert store.todos.get(other, 1).text == "theirs"


def test_agenda_items_added_on_their_own_are_kept_in_order_per_meeting(tmp_path):
    """Outside any command (carrying items over, importing notes) each add commits."""
    path = tmp_path / "chatbot.db"
    store = Store(path)
    tim = User("tim", "Tim")
    first = store.agenda.add(SCOPE, "binder-team", "2018-03-21", "discuss", "one", tim, "t")
    second = store.agenda.add(SCOPE, "binder-team", "2018-03-21", "news", "two", tim, "t")
    other = store.agenda.add(SCOPE, "binder-team", "2018-04-18", "news", "three", tim, "t")
    assert (first.position, second.position, other.position) == (1, 2, 1)
    store.close()
    items = Store(path).agenda.items(SCOPE, "binder-team", "2018-03-21")
    assert [(i.id, i.position, i.text) for i in items] == [
        (first.id, 1, "one"), (second.id, 2, "two")]


def _write_todos(path: str, writer: str, count: int) -> None:
    store = Store(path)
    for index in range(count):
        store.todos.add(SCOPE, f"{writer}-{index}", writer, [writer], None, None, "t")
        store.users.save("console", User(writer, f"{writer} {index}"))


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "chatbot.db")
    Store(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_todos, args=(path, name, 150)) for name in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    todos = Store(path).todos.in_channel(SCOPE)
    assert len(todos) == 300
    assert sorted(t.number for t in todos) == list(range(1, 301))
    assert {t.text for t in todos} == {f"{w}-{i}" for w in "ab" for i in range(150)}


def test_sync_position_and_direct_rooms_survive_a_restart_per_account(tmp_path):
    store = Store(tmp_path / "chatbot.db")
    assert store.chat_accounts.sync_position("@bot:example.org") is None
    store.chat_accounts.save_sync_position("@bot:example.org", "s1_1", "t1")
    store.chat_accounts.save_sync_position("@bot:example.org", "s2_7", "t2")
    store.chat_accounts.save_direct_room("@bot:example.org", "@bob:example.org", "!old:example.org")
    store.chat_accounts.save_direct_room("@bot:example.org", "@bob:example.org", "!new:example.org")
    store.close()
    store = Store(tmp_path / "chatbot.db")
    assert store.chat_accounts.sync_position("@bot:example.org") == "s2_7"
    accounts = store.chat_accounts
    assert accounts.sync_position("@other-bot:example.org") is None  # a new account starts afresh
    assert accounts.direct_room("@bot:example.org", "@bob:example.org") == "!new:example.org"
    assert accounts.direct_room("@other-bot:example.org", "@bob:example.org") is None


def _schema_and_rows(path) -> tuple[list, dict]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        schema = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
        tables = [name for kind, name, _ in schema if kind == "table"]
        return schema, {name: db.execute(f"SELECT * FROM [{name}]").fetchall()
                        for name in tables}


def test_a_database_written_before_the_store_was_a_package_opens_unchanged(tmp_path):
    old = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(old)) as db:
        db.executescript((DATA / "store_before_package.sql").read_text())
    _, rows = _schema_and_rows(old)
    Store(tmp_path / "new.db").close()

    store = Store(old)
    # Migrated, it has the tables of a database made anew, to the letter.
    assert _schema_and_rows(old)[0] == _schema_and_rows(tmp_path / "new.db")[0]
    assert store.schema_version == len(MIGRATIONS)
    assert [(t.number, t.text, t.owners) for t in store.todos.in_channel(SCOPE)] == [
        (1, "Write the blog post", ("jess", "tim")), (2, "Imported, nobody yet", ())]
    assert store.users.find("console", "BETATIM").tz == "Europe/Berlin"
    assert store.members.zones(SCOPE) == {"Europe/Berlin", "America/Los_Angeles"}
    agenda = store.agenda.items(SCOPE, "binder-team", "2018-03-22")
    assert [(i.text, i.done) for i in agenda] == [("Budget", True), ("Release 1.0", False)]
    assert [m.occurrence for m in store.meetings.held(SCOPE, "binder-team")] == [
        "2018-03-15", "2018-03-08"]
    assert store.reminder_claims.state(
        ReminderKey("console", "binder-team", "2018-03-22", 60)) == "sent"
    assert store.page_tokens.series("tok" * 8) == "binder-team"
    assert store.chat_accounts.direct_room("@bot:example.org", "@bob:example.org")
    store.close()
    # Migrating lost nothing: every row is there, with its values (new columns come last).
    migrated = _schema_and_rows(old)[1]
    assert {table: [row[:len(before[0])] for row in migrated[table]] if before else []
            for table, before in rows.items()} == rows


def test_every_query_holds_the_connections_lock(tmp_path):
    """The connection is shared by the scheduler's, the web server's and the adapters'
    threads: a statement run without the lock can read another thread's half-done
    transaction, or slip its write into it."""
    store = Store(tmp_path / "chatbot.db")
    lock = store._shared.lock  # an RLock: _is_owned() says whether this thread holds it
    unlocked = []
    store.db.conn.set_trace_callback(
        lambda sql: None if lock._is_owned() else unlocked.append(sql))
    key = ReminderKey("console", "binder-team", "2018-03-22", 60)
    store.users.save("console", User("tim", "Tim", tz="Europe/Berlin"))
    store.members.add(SCOPE, "tim", "t")
    reads = [
        lambda: store.users.get("console", "tim"), lambda: store.users.find("console", "Tim"),
        lambda: store.users.by_id("console", ["tim"]), lambda: store.members.includes(SCOPE, "tim"),
        lambda: store.members.of_channel(SCOPE), lambda: store.members.zones(SCOPE),
        lambda: store.agenda.items(SCOPE, "s", "o"),
        lambda: store.agenda.count(SCOPE, "s", "o", ("discuss",)),
        lambda: store.attendance.in_meeting(SCOPE, "s", "o"),
        lambda: store.todos.in_channel(SCOPE), lambda: store.todos.get(SCOPE, 1),
        lambda: store.meetings.get(SCOPE, "s", "o"), lambda: store.meetings.in_progress(SCOPE),
        lambda: store.meetings.latest(SCOPE, "s"), lambda: store.meetings.held(SCOPE, "s"),
        lambda: store.meetings.previous(SCOPE, "s", "o"),
        lambda: store.decisions.in_meeting(SCOPE, "s", "o"),
        lambda: store.imports.contains(SCOPE, "s", "h"),
        lambda: store.reminder_claims.get(key), lambda: store.reminder_claims.state(key),
        lambda: store.reminder_claims.keys_in_states("console", "2018-01-01", ("sent",)),
        lambda: store.page_tokens.token("s"), lambda: store.page_tokens.series("t"),
        lambda: store.chat_accounts.sync_position("a"),
        lambda: store.chat_accounts.direct_room("a", "u"),
        lambda: store.schema_version, store.counts,
    ]
    for read in reads:
        read()
    assert store.members.zones(SCOPE) == {"Europe/Berlin"}
    assert unlocked == []


def test_a_replaced_page_token_is_the_only_way_in(tmp_path):
    store = Store(tmp_path / "chatbot.db")
    store.page_tokens.set("binder-team", "old-token", "t1")
    store.page_tokens.set("binder-team", "new-token", "t2")
    store.page_tokens.set("kubeflow", "first-token", "t2")
    assert store.page_tokens.token("binder-team") == "new-token"
    assert store.page_tokens.series("old-token") is None
    assert store.page_tokens.series("first-token") == "kubeflow"
