"""Command -> reply round trip of the Gitter adapter, next to a bare echo bot.

Starts a throwaway Synapse on 127.0.0.1 (tests/matrix_homeserver.py), then runs
two bots in this process: chatbot's Gitter adapter in a room bound to a meeting,
and an echo bot that answers every message with the same kind of m.notice reply
and does nothing else. One person alternates between the two rooms: she sends a
message and long-polls /sync until the reply shows up. Commands cycle through
writes and reads (`!agenda add`, `!todos mine`, `!meeting`, `!todo add`). What is
left of the ratio is chatbot's own cost per command: parsing, SQLite, rendering.

    .venv/bin/python bench/matrix_latency.py [--count 200]

Needs the test extra (matrix-synapse); `make bench` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the Synapse harness and Person live in tests/

from mautrix.client import Client  # noqa: E402
from mautrix.types import (  # noqa: E402
    EventFilter,
    EventType,
    Filter,
    Format,
    MessageEvent,
    MessageType,
    RoomEventFilter,
    RoomFilter,
    TextMessageEventContent,
    UserID,
)

from chatbot.adapters.gitter import serve  # noqa: E402
from chatbot.commands import Clock, build_bot  # noqa: E402
from chatbot.config import MatrixSettings  # noqa: E402
from chatbot.core.schedule import ScheduleBook  # noqa: E402
from chatbot.store import Store  # noqa: E402
from tests.matrix_homeserver import Homeserver  # noqa: E402
from tests.matrix_people import Person  # noqa: E402

TARGET_RATIO = 1.2
WARM_UP = 10
SERIES = """
name = "Benchmark meeting"
timezone = "Europe/Berlin"
start = "2030-01-16T18:00"
rrule = "FREQ=MONTHLY;BYDAY=3WE"
reminders = []

[channels]
gitter = "{room}"
"""
COMMANDS = ("!agenda add bench item {n}", "!todos mine", "!meeting", "!todo add bench todo {n}")


class EchoBot:
    """The floor: same client library, same sync filter, same reply shape, no work."""

    def __init__(self, base_url: str, user_id: str, token: str) -> None:
        self.client = Client(mxid=UserID(user_id), base_url=base_url, token=token)
        self.client.ignore_initial_sync = True
        self.client.add_event_handler(EventType.ROOM_MESSAGE, self.echo, wait_sync=True)

    async def echo(self, event: MessageEvent) -> None:
        if event.sender == self.client.mxid or event.content.msgtype != MessageType.TEXT:
            return
        text = event.content.body
        content = TextMessageEventContent(msgtype=MessageType.NOTICE, body=text,
                                          format=Format.HTML, formatted_body=html.escape(text))
        content.set_reply(event)
        content["m.mentions"] = {"user_ids": [event.sender]}
        await self.client.send_message(event.room_id, content)

    def start(self) -> None:
        self.client.start(Filter(room=RoomFilter(timeline=RoomEventFilter(limit=100)),
                                 presence=EventFilter(not_types=["*"])))

    async def stop(self) -> None:
        self.client.stop()
        await self.client.api.session.close()


def round_trip(person: Person, room: str, text: str) -> float:
    started = time.perf_counter()
    person.ask(room, text)
    return time.perf_counter() - started


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def measure(hs: Homeserver, folder: Path, count: int) -> dict[str, list[float]]:
    alice = await asyncio.to_thread(Person.register, hs, "alice", "Alice")
    bot_id, bot_token = hs.register("chatbot", "chatbot-password")
    echo_id, echo_token = hs.register("echo", "echo-password")
    bot_room = alice.create_room(invite=[bot_id])
    echo_room = alice.create_room(invite=[echo_id])
    (folder / "schedules").mkdir()
    (folder / "schedules" / "bench.toml").write_text(SERIES.format(room=bot_room))

    store = Store(folder / "chatbot.db")
    bot = build_bot(store, ScheduleBook(folder / "schedules"), Clock())
    settings = MatrixSettings(hs.base_url, bot_id, bot_token, None)
    stop = asyncio.Event()
    chatbot = asyncio.create_task(serve(bot, settings, stop))
    echo = EchoBot(hs.base_url, echo_id, echo_token)
    await echo.client.join_room_by_id(echo_room)
    echo.start()
    while bot_id not in await asyncio.to_thread(alice.joined_members, bot_room):
        await asyncio.sleep(0.05)

    times: dict[str, list[float]] = {"echo bot": [], "chatbot": []}
    try:
        for n in range(-WARM_UP, count):
            command = COMMANDS[n % len(COMMANDS)].format(n=n)
            # Alternate, so drift on the machine touches both series alike.
            echo_time = await asyncio.to_thread(round_trip, alice, echo_room, command)
            bot_time = await asyncio.to_thread(round_trip, alice, bot_room, command)
            if n >= 0:
                times["echo bot"].append(echo_time)
                times["chatbot"].append(bot_time)
    finally:
        stop.set()
        await chatbot
        await echo.stop()
        store.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="commands per bot (default 200)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, Homeserver(Path(tmp) / "synapse") as hs:
        print(f"synapse {hs.base_url} started in {hs.startup_seconds:.2f} s; "
              f"{args.count} round trips per bot after {WARM_UP} warm-up")
        times = asyncio.run(measure(hs, Path(tmp), args.count))
    medians = {name: statistics.median(values) for name, values in times.items()}
    tails = {name: p95(values) for name, values in times.items()}
    print(f"{'':10} {'median':>9} {'p95':>9}")
    for name in times:
        print(f"{name:10} {medians[name] * 1000:7.1f}ms {tails[name] * 1000:7.1f}ms")
    ratio = medians["chatbot"] / medians["echo bot"]
    tail_ratio = tails["chatbot"] / tails["echo bot"]
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio      {ratio:8.2f}x {tail_ratio:8.2f}x  ({verdict} the {TARGET_RATIO}x target "
          "for the median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
