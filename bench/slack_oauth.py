"""What installing by OAuth adds to an ack: the same `/meeting` in one workspace
(SLACK_BOT_TOKEN, the token known at start) and in a workspace installed by OAuth (Bolt's
authorize reads the installation store on every request).

    .venv/bin/python bench/slack_oauth.py [--count 300]

The real adapter under uvicorn, signed requests over one keep-alive connection, the Web
API stand-in (tests/slack_standin.py); the first 20 requests of each are left out.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

import slack_requests as sr  # noqa: E402
from slack_standin import SlackStandIn  # noqa: E402
from slack_world import SECRET, TEAM, TOKEN, SlackWorld  # noqa: E402
from test_slack_install import CHANNELS, A, install, write_bound_schedules  # noqa: E402

WARM_UP = 20


def ack_times(oauth: bool, count: int) -> list[float]:
    folder = Path(tempfile.mkdtemp())
    with SlackStandIn(token=TOKEN) as slack, SlackWorld(
            folder, slack, oauth=oauth, schedules=write_bound_schedules(folder / "s")) as world:
        if oauth:
            install(world, A)
        connection = http.client.HTTPConnection("127.0.0.1", world.port)
        times = []
        for _ in range(count + WARM_UP):
            request = sr.slash_command(SECRET, command="/meeting", team_id=A if oauth else TEAM,
                                       channel_id=CHANNELS[A])
            started = time.perf_counter()
            status, body, _ = sr.send(request, world.url, conn=connection)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"HTTP {status}: {body!r}")
        return times[WARM_UP:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    count = parser.parse_args().count
    for oauth, label in ((False, "SLACK_BOT_TOKEN"), (True, "installed by OAuth")):
        times = sorted(ack_times(oauth, count))
        print(f"{label:20} median {statistics.median(times):.2f} ms, "
              f"p95 {times[int(len(times) * 0.95)]:.2f} ms ({count} acks)")


if __name__ == "__main__":
    main()
