"""Benchmark: do commands stay fast as the database grows?

`/todos mine` and `/agenda` against a database holding 100,000 TODOs and 10,000
agenda items (in 1,000 other channels) and against an empty one; the asking
channel holds the same few items in both. Target (issue 7): ratio <= 1.3.

    .venv/bin/python bench/store.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from chatbot.commands import Clock, Message, build_bot
from chatbot.core.model import Scope, User
from chatbot.core.schedule import ScheduleBook
from chatbot.store import Store

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2018, 3, 20, 12, 0, tzinfo=dt.UTC)
OCCURRENCE = "2018-03-21"
HOME = Scope("console", "console", "binder-team")


def fill_home(store: Store) -> None:
    """The asking channel: 5 agenda items, 10 TODOs of which 3 are the asker's."""
    for number in range(5):
        store.agenda.add(HOME, "binder-team", OCCURRENCE, "discuss", f"item {number}",
                         User("jessica", "jessica"), NOW.isoformat())
    for number in range(10):
        owner = "betatim" if number % 3 == 0 else f"person{number}"
        store.todos.add(HOME, f"todo {number}", "jessica", [owner], "binder-team", OCCURRENCE,
                        NOW.isoformat())


def fill_elsewhere(store: Store, todos: int, items: int, channels: int = 1000) -> None:
    """Everyone else's data: the same people own TODOs in other channels too."""
    db = store.db
    # sqlite-utils commits each batch itself; a bench fill needs no single transaction.
    db["todos"].insert_all(
        {"workspace": "console", "channel": f"c{n % channels}", "number": n // channels + 1,
         "text": f"todo {n}", "creator_id": "someone", "series": "binder-team",
         "occurrence": OCCURRENCE, "created_at": NOW.isoformat()}
        for n in range(todos)
    )
    first = db.execute("SELECT min(id) FROM todos WHERE channel != ?",
                       (HOME.channel,)).fetchone()[0]
    db["todo_owners"].insert_all(
        {"todo_id": first + n, "user_id": "betatim" if n % 10 == 0 else f"person{n % 500}"}
        for n in range(todos)
    )
    db["agenda_items"].insert_all(
        {"workspace": "console", "channel": f"c{n % channels}", "series": "binder-team",
         "occurrence": OCCURRENCE, "section": "discuss", "text": f"item {n}",
         "author_id": "someone", "author_name": "someone", "position": n // channels + 1,
         "created_at": NOW.isoformat()}
        for n in range(items)
    )


def latencies(bots: dict, text: str, user: str, runs: int) -> dict[str, tuple[float, float]]:
    """Median and p99 per database, the two measured in turn so that machine noise
    hits both alike."""
    message = Message(text, HOME, User(user, user, tz="UTC"))
    timings: dict[str, list[float]] = {label: [] for label in bots}
    for bot in bots.values():
        assert bot.handle(message).ok
    for _ in range(runs):
        for label, bot in bots.items():
            began = time.perf_counter()
            bot.handle(message)
            timings[label].append(time.perf_counter() - began)
    return {label: (statistics.median(t), sorted(t)[int(len(t) * 0.99)])
            for label, t in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--todos", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        shutil.copytree(ROOT / "schedules", tmp / "schedules",
                        ignore=shutil.ignore_patterns("*.md"))
        bots = {}
        for label, big in (("empty", False), ("full", True)):
            store = Store(tmp / f"{label}.db")
            fill_home(store)
            if big:
                fill_elsewhere(store, args.todos, args.items)
            store.db.execute("ANALYZE")
            bots[label] = build_bot(store, ScheduleBook(tmp / "schedules"), Clock(NOW))
        print(f"database: {args.todos:,} TODOs and {args.items:,} agenda items in 1,000 other "
              f"channels vs empty; median and p99 of {args.runs} runs each, same process")
        for text, user in (("/todos mine", "betatim"), ("/agenda", "jessica")):
            measured = latencies(bots, text, user, args.runs)
            empty, full = measured["empty"], measured["full"]
            print(f"{text}: full {full[0] * 1e6:.0f} us (p99 {full[1] * 1e6:.0f}) vs empty "
                  f"{empty[0] * 1e6:.0f} us (p99 {empty[1] * 1e6:.0f}); ratio "
                  f"{full[0] / empty[0]:.2f}x   target <= 1.3x")


if __name__ == "__main__":
    main()
