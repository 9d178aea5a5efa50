"""Hostile input at the Slack endpoint: replays, retries, oversized and malformed requests,
security headers on every response, and uvicorn's own log lines.

Everything goes over HTTP to the adapter as `chatbot run` serves it (tests/slack_world.py),
signed as Slack signs, so Bolt's real verification runs behind the guard.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import slack_requests as sr
from conftest import Chat
from slack_world import CHANNEL, SECRET, TOKEN, SlackWorld, served
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import Route

from chatbot import logs
from chatbot.adapters import console
from chatbot.adapters.slack_guard import SIGNATURE_WINDOW, Refusal, SlackGuard
from chatbot.web.app import PageSite, page_app
from chatbot.web.headers import SECURITY_HEADERS, without_host
from chatbot.web.server import PageServer

OCCURRENCE = "2018-03-21"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SlackWorld]:
    with served(tmp_path) as world:
        yield world


def post(world: SlackWorld, body: bytes, headers: dict[str, str], path: str = "/slack/events"
         ) -> tuple[int, bytes, Headers]:
    connection = http.client.HTTPConnection("127.0.0.1", world.port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read(), Headers(raw=[
            (k.lower().encode(), v.encode()) for k, v in answer.getheaders()])
    finally:
        connection.close()


def get(world: SlackWorld, path: str, host: str | None = None) -> tuple[int, bytes, Headers]:
    connection = http.client.HTTPConnection("127.0.0.1", world.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host} if host else {})
        answer = connection.getresponse()
        return answer.status, answer.read(), Headers(raw=[
            (k.lower().encode(), v.encode()) for k, v in answer.getheaders()])
    finally:
        connection.close()


def agenda_texts(world: SlackWorld) -> list[str]:
    return [item.text for item in world.store.agenda.items(world.scope, "binder-team", OCCURRENCE)]


# -- replays and retries ---------------------------------------------------------------------


def test_a_replayed_slash_command_is_refused_and_stored_once(world: SlackWorld) -> None:
    command = sr.slash_command(SECRET, command="/agenda", text="add Replayed item")
    assert world.send(command)[0] == 200
    status, body = world.send(command)  # the same signed request, within the 5 minutes
    assert (status, body) == (401, {"error": "this request was already received"})
    # Nor does a retry header smuggle it in: it is acked and not run.
    assert world.send(sr.SlackRequest(command.body, {**command.headers, "X-Slack-Retry-Num": "1"})
                      )[0] == 200
    assert agenda_texts(world) == ["Replayed item"]
    # A second, separately signed command with the same words is a new command.
    assert world.send(sr.slash_command(SECRET, command="/agenda", text="add Replayed item")
                      )[0] == 200
    assert agenda_texts(world) == ["Replayed item", "Replayed item"]


def test_event_retries_run_once_by_event_id(world: SlackWorld) -> None:
    first = sr.app_home_opened(SECRET, user_id="U0ALICE")
    assert world.send(first)[0] == 200
    world.slack.wait_for_calls("views.publish", 1)
    # Slack's retry: the same event, signed afresh, told apart by X-Slack-Retry-Num.
    retry = sr.signed(SECRET, first.body, sr.JSON, first.timestamp + 1)
    retry = sr.SlackRequest(retry.body, {**retry.headers, "X-Slack-Retry-Num": "1",
                                         "X-Slack-Retry-Reason": "http_timeout"})
    assert world.send(retry)[0] == 200
    assert world.send(sr.app_home_opened(SECRET, user_id="U0BOB"))[0] == 200
    world.slack.wait_for_calls("views.publish", 2)
    assert [c.params["user_id"] for c in world.slack.calls("views.publish")] == [
        "U0ALICE", "U0BOB"]


def test_remembered_signatures_are_bounded_and_expire() -> None:
    now = [1_700_000_000.0]
    guard = SlackGuard(None, SECRET, clock=lambda: now[0], limit=3)

    def admit(request: sr.SlackRequest) -> bool:
        return guard.admit(Headers(request.headers), request.body.encode())

    def command(text: str) -> sr.SlackRequest:
        return sr.slash_command(SECRET, text=text, timestamp=int(now[0]))

    first = command("next")
    assert admit(first)
    now[0] += SIGNATURE_WINDOW  # the last second Slack's verifier still accepts it
    with pytest.raises(Refusal) as replayed:
        admit(first)
    assert replayed.value.status == 401
    assert admit(command("next 1")) and admit(command("next 2"))
    with pytest.raises(Refusal) as full:
        admit(command("next 3"))
    assert full.value.status == 429  # never more than `limit` remembered
    now[0] += SIGNATURE_WINDOW + 1  # all three are stale now: forgotten
    assert admit(command("next 4")) and len(guard.signatures) == 1


# -- size and logs ---------------------------------------------------------------------------


def test_an_unsigned_10_mb_post_gets_413_and_leaves_the_logs_alone(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    status, body, _ = post(world, b"x" * 10_000_000, {"Content-Type": sr.FORM})
    assert status == 413 and b"limited to 1048576 bytes" in body
    # Chunked, with no Content-Length: cut off once past the cap.
    connection = http.client.HTTPConnection("127.0.0.1", world.port, timeout=30)
    connection.request("POST", "/slack/events", body=iter([b"y" * 65536] * 40),
                       headers={"Content-Type": sr.FORM}, encode_chunked=True)
    assert connection.getresponse().status == 413
    connection.close()
    # Under the cap but unsigned: 401, and the rejected body is not logged either.
    assert post(world, b"z" * 900_000, {"Content-Type": sr.FORM})[0] == 401
    logged = caplog.text
    leaked = [run for run in ("x" * 10, "y" * 10, "z" * 10) if run in logged]
    assert leaked == [] and len(logged) < 2000, logged[:300]


def test_the_body_limit_is_applied_before_reading(world: SlackWorld) -> None:
    with socket.create_connection(("127.0.0.1", world.port), timeout=10) as client:
        client.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Type: application/x-www-form-urlencoded\r\n"
                       b"Content-Length: 10000000\r\n\r\n" + b"x" * 1000)
        assert client.recv(100).startswith(b"HTTP/1.1 413 ")  # the rest was never sent


# -- malformed requests: 400, never 500 ------------------------------------------------------


def click_payload(**changes: object) -> dict:
    request = sr.block_actions(SECRET, action_id="todo_done", value=f"{CHANNEL} 1")
    payload = json.loads(dict(parse_qsl(request.body))["payload"])
    for key, value in changes.items():
        if value is ...:
            payload.pop(key)
        else:
            payload[key] = value
    return payload


def signed_payload(payload: object) -> sr.SlackRequest:
    return sr.signed(SECRET, urlencode({"payload": json.dumps(payload)}), sr.FORM)


def action_with(**changes: object) -> dict:
    [action] = click_payload()["actions"]
    for key, value in changes.items():
        if value is ...:
            action.pop(key)
        else:
            action[key] = value
    return click_payload(actions=[action])


def non_utf8() -> tuple[bytes, dict[str, str]]:
    body = "text=caf\xe9".encode("latin-1")
    request = sr.signed(SECRET, "", sr.FORM)
    return body, request.headers


def bad_timestamp() -> tuple[bytes, dict[str, str]]:
    request = sr.slash_command(SECRET, command="/agenda", text="add x")
    return request.body.encode(), {**request.headers, "X-Slack-Request-Timestamp": "abc"}


def as_raw(request: sr.SlackRequest) -> tuple[bytes, dict[str, str]]:
    return request.body.encode(), request.headers


@pytest.mark.parametrize(("make", "says"), [
    (bad_timestamp, "X-Slack-Request-Timestamp must be whole seconds"),
    (non_utf8, "the body must be UTF-8"),
    (lambda: as_raw(sr.signed(SECRET, "payload=%7Bnot+json", sr.FORM)), "not valid JSON"),
    (lambda: as_raw(signed_payload([1, 2])), "must be a JSON object"),
    (lambda: as_raw(signed_payload("block_actions")), "must be a JSON object"),
    (lambda: as_raw(signed_payload(action_with(value=7))), "must have a value"),
    (lambda: as_raw(signed_payload(action_with(value=...))), "must have a value"),
    (lambda: as_raw(signed_payload(click_payload(user="U0ALICE"))), "user must be"),
    (lambda: as_raw(signed_payload(click_payload(user=...))), "user must be"),
    (lambda: as_raw(signed_payload(click_payload(team=["T0STANDIN"]))), "team must be"),
    (lambda: as_raw(signed_payload(click_payload(team=...))), "team must be"),
    (lambda: as_raw(signed_payload(click_payload(channel="C0MEETING"))), "channel must be"),
])
def test_malformed_requests_get_400_and_store_nothing(world: SlackWorld, make, says: str
                                                      ) -> None:
    world.answer("/todo", "add Keep this one")
    before = world.snapshot()
    body, headers = make()
    status, answer, _ = post(world, body, headers)
    assert status == 400 and says in json.loads(answer)["error"]
    assert world.snapshot() == before


def test_slack_headers_sent_twice_or_not_ascii_are_refused(world: SlackWorld) -> None:
    request = sr.slash_command(SECRET, command="/agenda", text="add Twice")
    connection = http.client.HTTPConnection("127.0.0.1", world.port, timeout=10)
    connection.putrequest("POST", "/slack/events")
    for name, value in [*request.headers.items(), ("X-Slack-Request-Timestamp", "abc"),
                        ("Content-Length", str(len(request.body)))]:
        connection.putheader(name, value)
    connection.endheaders(request.body.encode())
    answer = connection.getresponse()
    assert (answer.status, json.loads(answer.read())) == (
        400, {"error": "x-slack-request-timestamp must be sent once"})
    connection.close()
    latin1 = {**request.headers, "X-Slack-Signature": "v0=\xe9t\xe9"}
    assert post(world, request.body.encode(), latin1)[0] == 401
    assert agenda_texts(world) == []


# -- security headers ------------------------------------------------------------------------


def test_every_response_has_the_security_headers_and_redirects_stay_on_this_host(
    tmp_path: Path,
) -> None:
    def broken(_request: Request) -> None:
        raise RuntimeError("a bug")

    with served(tmp_path, pages=True, extra_routes=[Route("/broken", broken)]) as world:
        answers = {
            "healthz": get(world, "/healthz"),
            "static": get(world, "/static/page.css"),
            "404": get(world, "/no/such/page"),
            "500": get(world, "/broken"),
            "slack": post(world, *as_raw(sr.slash_command(SECRET, command="/meeting"))),
            "slack 401": post(world, b"", {"Content-Type": sr.FORM}),
            "redirect": get(world, "/m/binder-team/", host="evil.example"),
        }
    assert [name for name, (status, _, _) in answers.items()] == list(answers)
    assert [status for status, _, _ in answers.values()] == [200, 200, 404, 500, 200, 401, 307]
    for name, (_, _, headers) in answers.items():
        for header, value in SECURITY_HEADERS.items():
            assert headers.get(header) == value, (name, header)
    location = answers["redirect"][2]["location"]
    assert location == "/m/binder-team" and "evil" not in location


@pytest.mark.parametrize(("location", "sent"), [
    ("http://evil.example/m/key?x=1", "/m/key?x=1"),
    ("//evil.example/m/key", "/m/key"),
    ("http://host//evil.example/", "/evil.example/"),
    ("/\\evil.example", "/evil.example"),
    ("minutes/2018-03-21", "minutes/2018-03-21"),
])
def test_redirects_never_name_a_host(location: str, sent: str) -> None:
    assert without_host(location) == sent


def test_the_console_page_server_sets_them_too(tmp_path: Path) -> None:
    chat = Chat(tmp_path)
    server = PageServer("127.0.0.1", 0)
    server.start(page_app(PageSite(chat.bot, console.page_scope(chat.bot))))
    try:
        for path in ("/static/page.js", "/no/such/page"):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            connection.close()
            for header, value in SECURITY_HEADERS.items():
                assert answer.getheader(header) == value, (path, header)
    finally:
        server.stop()


# -- uvicorn's log lines ---------------------------------------------------------------------


def test_uvicorn_log_lines_are_json_and_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def leaky(_request: Request) -> None:
        raise RuntimeError(f"could not use {TOKEN}")

    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    out = io.StringIO()
    try:
        logs.configure("json")
        root.handlers[0].setStream(out)
        with served(tmp_path, extra_routes=[Route("/leaky", leaky)]) as world:
            assert get(world, "/leaky")[0] == 500
    finally:
        root.handlers[:], root.level = saved
    lines = [json.loads(line) for line in out.getvalue().splitlines()]  # every line is JSON
    uvicorn_lines = [line for line in lines if line["logger"].startswith("uvicorn")]
    assert any(line["message"].startswith("Uvicorn running on") for line in uvicorn_lines)
    [crash] = [line for line in uvicorn_lines
               if line["message"].strip() == "Exception in ASGI application"]
    assert "RuntimeError: could not use [redacted]" in crash["error"]
    assert TOKEN not in out.getvalue()
