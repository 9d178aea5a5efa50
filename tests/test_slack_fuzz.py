"""Fuzzing the Slack endpoint over HTTP: random bodies, headers and payloads, signed and not.

Every answer must be 2xx or 4xx (never a 500), and the log may grow only by short lines,
whatever the bodies hold. 400 requests by default, to keep `make test` quick;
`CHATBOT_FUZZ_SLACK=5000 make test` for a longer run.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import slack_requests as sr
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from slack_world import CHANNEL, SECRET, served

FUZZ_REQUESTS = int(os.environ.get("CHATBOT_FUZZ_SLACK", "400"))
PER_EXAMPLE = 10
# What one request may add to the log, at most: a line, never its body.
LOG_BYTES_PER_REQUEST = 400

# Field names Slack and Bolt use, so generated payloads reach the code that reads them.
KEYS = ["type", "team", "user", "channel", "enterprise", "id", "team_id", "user_id",
        "channel_id", "enterprise_id", "event", "event_id", "actions", "action_id", "value",
        "command", "text", "authorizations", "challenge", "message", "item", "view", "tab",
        "response_url", "response_urls", "is_ext_shared_channel", "user_team", "container",
        "thread_ts", "function_data", "assistant_thread", "previous_message", "token"]
TYPES = ["block_actions", "event_callback", "url_verification", "app_home_opened",
         "view_submission", "shortcut", "message_action", "button", "home"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.text(max_size=20), st.sampled_from(TYPES + ["attend", "todo_done", CHANNEL, "U0ALICE",
                                                   "/agenda", "binder-team", f"{CHANNEL} 1"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=20,
)
header_text = st.one_of(st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30),
                        st.sampled_from(["", "0", "-1", "1e9", "99999999999999999999", "v0="]))


def valid_click() -> dict:
    request = sr.block_actions(SECRET, action_id="todo_done", value=f"{CHANNEL} 1")
    return json.loads(dict(parse_qsl(request.body))["payload"])


def mutated(base: dict, path: list[str], value: object) -> dict:
    """`base` with the value at `path` (keys, created when missing) replaced."""
    copy = json.loads(json.dumps(base))
    node = copy
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return copy


@st.composite
def requests(draw) -> tuple[bytes, dict[str, str]]:
    now = int(time.time())
    kind = draw(st.sampled_from(["bytes", "unsigned", "json", "payload", "form", "click",
                                 "event", "headers"]))
    content_type = draw(st.sampled_from([sr.FORM, sr.JSON, "text/plain", ""]))
    if kind == "bytes":
        return draw(st.binary(max_size=300)), {"Content-Type": content_type}
    if kind == "headers":  # a valid command with its headers garbled
        request = sr.slash_command(SECRET, command="/meeting")
        headers = {**request.headers,
                   draw(st.sampled_from(["X-Slack-Request-Timestamp", "X-Slack-Signature",
                                         "Content-Type", "X-Slack-Retry-Num"])): draw(header_text)}
        return request.body.encode(), headers
    if kind == "json":
        text = json.dumps(draw(json_values))
    elif kind == "payload":
        text = urlencode({"payload": json.dumps(draw(json_values))})
    elif kind == "form":
        fields = draw(st.dictionaries(st.sampled_from(KEYS), st.text(max_size=20), max_size=6))
        text = urlencode({"command": "/agenda", **fields} if draw(st.booleans()) else fields)
    elif kind == "click":
        path = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3))
        text = urlencode({"payload": json.dumps(mutated(valid_click(), path,
                                                        draw(json_values)))})
    elif kind == "event":
        envelope = json.loads(sr.app_home_opened(SECRET).body)
        path = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3))
        text = json.dumps(mutated(envelope, path, draw(json_values)))
        content_type = sr.JSON
    else:  # unsigned text
        return draw(st.text(max_size=300)).encode(), {"Content-Type": content_type}
    skew = draw(st.sampled_from([0, 0, 0, -200, 250, -400]))
    return text.encode(), sr.signed(SECRET, text, content_type, now + skew).headers


def post(port: int, body: bytes, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


class LogSize(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.bytes = 0
        self.longest = ""

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.bytes += len(text)
        self.longest = max(self.longest, text, key=len)


def test_the_slack_endpoint_answers_hostile_requests_with_2xx_or_4xx(tmp_path: Path) -> None:
    measured = LogSize()
    root = logging.getLogger()
    level = root.level
    root.addHandler(measured)
    root.setLevel(logging.INFO)  # as `chatbot run` logs
    seen = {"count": 0}
    try:
        with served(tmp_path) as world:

            @settings(max_examples=max(1, FUZZ_REQUESTS // PER_EXAMPLE), deadline=None,
                      database=None, suppress_health_check=list(HealthCheck),
                      phases=[Phase.generate])
            @given(st.lists(requests(), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
            def feed(batch):
                for body, headers in batch:
                    status = post(world.port, body, headers)
                    seen["count"] += 1
                    assert 200 <= status < 500, (status, body[:300], headers)

            feed()
    finally:
        root.removeHandler(measured)
        root.setLevel(level)
    assert seen["count"] >= FUZZ_REQUESTS
    assert measured.bytes <= LOG_BYTES_PER_REQUEST * seen["count"], measured.longest[:1000]
    assert len(measured.longest) <= 2000, measured.longest[:1000]
