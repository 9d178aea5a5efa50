"""SIGKILL in the middle of 1,000 commands: every acknowledged command is stored whole."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading

from test_cli import NOW, workdir  # noqa: F401  (workdir is a fixture)

from chatbot.core.model import Scope
from chatbot.store import Store
from tests.conftest import cli_env

COMMANDS = 1000
SCOPE = Scope("console", "console", "binder-team")


def script() -> list[str]:
    """Agenda items, TODOs, roll-call entries and TODO closures, each with a unique tag."""
    lines, todos = [], 0
    for i in range(COMMANDS):
        kind = i % 4
        if kind == 0:
            lines.append(f"/agenda add item-{i}")
        elif kind == 1:
            todos += 1
            lines.append(f"/todo add @owner{i % 7} todo-{i}")
        elif kind == 2:
            lines += [f"/as person{i}", f"/attend Person-{i} / Org {i} / @gh{i}", "/as creator"]
        else:
            lines.append(f"/todo done {todos}")
    return lines


def test_acknowledged_commands_survive_sigkill(workdir):  # noqa: F811
    env = cli_env(workdir)
    bot = subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "--now", NOW, "run", "--user", "creator",
         "--tz", "UTC"],
        cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, bufsize=1,
    )
    feeder = threading.Thread(
        target=lambda: (bot.stdin.write("\n".join(script()) + "\n"), bot.stdin.flush()),
        daemon=True)
    feeder.start()
    replies = []
    for line in bot.stdout:
        replies.append(line)
        if len(replies) > 900:  # about half way through
            bot.send_signal(signal.SIGKILL)
            break
    bot.wait(30)
    output = "".join(replies)

    store = Store(workdir / "chatbot.db")  # reopening recovers the WAL
    agenda = {i.text for i in store.agenda.items(SCOPE, "binder-team", "2018-03-21")}
    todos = {t.text: t for t in store.todos.in_channel(SCOPE, open_only=False)}
    roll = {a.name for a in store.attendance.in_meeting(SCOPE, "binder-team", "2018-03-21")}

    acknowledged_items = re.findall(r"added agenda item \d+ \([^)]*\): (item-\d+)", output)
    acknowledged_todos = re.findall(r"TODO \d+ for owner\d: (todo-\d+)", output)
    acknowledged_roll = re.findall(r"(Person-\d+) / Org \d+ / @gh\d+ is here", output)
    acknowledged_closed = re.findall(r"closed TODO \d+: (todo-\d+)", output)
    assert len(acknowledged_items) > 100  # the kill really came in the middle
    assert len(acknowledged_items) < COMMANDS // 4
    assert set(acknowledged_items) <= agenda
    assert set(acknowledged_todos) <= set(todos)
    assert set(acknowledged_roll) <= roll
    assert all(todos[text].done_at for text in acknowledged_closed)
    # Nothing half-applied: every stored TODO has its owner.
    assert all(todo.owners for todo in todos.values())

    restarted = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "--now", NOW, "say", "--user", "creator",
         "/todos"], cwd=workdir, env=env, capture_output=True, text=True, timeout=60)
    assert restarted.returncode == 0
    assert "Open TODOs" in restarted.stdout
