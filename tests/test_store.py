"""The SQLite store: schema version, private file, atomic and concurrent writes."""

from __future__ import annotations

import multiprocessing
import stat

import pytest

from chatbot.core.model import Scope, User
from chatbot.store import MIGRATIONS, Store

SCOPE = Scope("console", "console", "binder-team")


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
