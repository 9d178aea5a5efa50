"""What the Slack endpoint's guard costs a request: `SlackGuard.admit` (checks, signature,
replay memory, parse, shape) on signed slash commands and button clicks, against the work
Bolt does for every request anyway (building its request, parsing the body, verifying
the signature), measured in the same run.

    .venv/bin/python bench/slack_guard.py [--count 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

import slack_requests as sr  # noqa: E402
from slack_bolt.middleware.request_verification import RequestVerification  # noqa: E402
from slack_bolt.request.async_request import AsyncBoltRequest  # noqa: E402
from starlette.datastructures import Headers  # noqa: E402

from chatbot.adapters.slack_guard import SlackGuard  # noqa: E402

SECRET = "bench-signing-secret"
TARGET_RATIO = 1.5  # the guard may cost at most this much of Bolt's own per-request work


def per_request(work: Callable[[sr.SlackRequest], object], requests: list[sr.SlackRequest]
                ) -> float:
    began = time.perf_counter()
    for request in requests:
        work(request)
    return (time.perf_counter() - began) / len(requests) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000, help="requests of each kind")
    count = parser.parse_args().count
    kinds = {
        "slash command": [sr.slash_command(SECRET, command="/agenda", text=f"add item {i}")
                          for i in range(count)],
        "button click": [sr.block_actions(SECRET, action_id="todo_done", value=f"C0M {i}")
                         for i in range(count)],
    }
    verifier = RequestVerification(SECRET).verifier
    print(f"{count} signed requests of each kind, Python {sys.version.split()[0]}\n")
    print(f"{'request':<16} {'guard us':>9} {'Bolt us':>9} {'ratio':>6}")
    missed = []
    for name, requests in kinds.items():
        guard = SlackGuard(None, SECRET)

        def admit(request: sr.SlackRequest, guard: SlackGuard = guard) -> object:
            return guard.admit(Headers(request.headers), request.body.encode())

        def bolt(request: sr.SlackRequest) -> object:
            parsed = AsyncBoltRequest(body=request.body, headers=request.headers)
            return verifier.is_valid(parsed.raw_body, request.headers["X-Slack-Request-Timestamp"],
                                     request.headers["X-Slack-Signature"])

        guard_us, bolt_us = per_request(admit, requests), per_request(bolt, requests)
        ratio = guard_us / bolt_us
        print(f"{name:<16} {guard_us:>9.1f} {bolt_us:>9.1f} {ratio:>5.2f}x")
        if ratio > TARGET_RATIO:
            missed.append(name)
    print(f"\ntarget: guard <= {TARGET_RATIO}x Bolt's own work per request")
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
