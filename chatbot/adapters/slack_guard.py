"""What may reach Bolt at /slack/events: an ASGI guard in front of it, for HTTP mode.

In order, cheapest first, each refusal one short answer and nothing of the body logged:

- 413 for a body over `MAX_BODY` bytes, refused from its Content-Length before it is read
  (or as soon as a chunked body passes the cap);
- 400 for a timestamp that is not whole seconds, or a body that is not UTF-8;
- 401 for a bad or stale signature (slack_sdk's verifier, the one Bolt uses), and for a
  signature already seen: Slack signs every request afresh, so a second one is a replay.
  An Events API retry (`X-Slack-Retry-Num`) is re-signed; one that repeats a seen signature
  all the same is acked with 200 and not run again;
- 400 for a body that is not one of the requests this app handles, in the shape its
  listeners and Bolt's own context extraction read (`request_problem`);
- 200, not run again, for an event whose `event_id` was already delivered (a retry).

Bolt verifies the signature again behind the guard; it never sees a request that fails,
and it gets the body the guard parsed (`bolt_request`) rather than parsing it again.
"""

from __future__ import annotations

import heapq
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024
SIGNATURE_WINDOW = 5 * 60  # seconds either side of now that Slack's signatures are good for
# Slack retries an event up to three times within about six minutes of the first try.
EVENT_MEMORY = 15 * 60
# Far above what Slack sends one app (30,000 events an hour at most); past it the guard
# answers 429, so memory stays bounded whatever arrives.
MAX_REMEMBERED = 50_000
_WHOLE_SECONDS = re.compile(r"^[0-9]{1,12}$")
# Anything else cannot match, and a non-ASCII one would make hmac.compare_digest raise.
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")
_ONCE = ("x-slack-request-timestamp", "x-slack-signature", "content-type", "content-length")
ADMITTED = "chatbot.slack_admitted"  # the scope key of what the guard read (an `Admitted`)

log = logging.getLogger(__name__)


class Seen:
    """Keys remembered until they expire, at most `limit` of them at a time."""

    def __init__(self, clock: Callable[[], float], limit: int = MAX_REMEMBERED):
        self.clock = clock
        self.limit = limit
        self._expiry: dict[str, float] = {}
        self._queue: list[tuple[float, str]] = []  # a heap: the next to expire first

    def __len__(self) -> int:
        self._forget_expired()
        return len(self._expiry)

    def __contains__(self, key: str) -> bool:
        self._forget_expired()
        return key in self._expiry

    def is_full(self) -> bool:
        return len(self) >= self.limit

    def add(self, key: str, expires: float) -> None:
        self._expiry[key] = expires
        heapq.heappush(self._queue, (expires, key))

    def _forget_expired(self) -> None:
        now = self.clock()
        while self._queue and self._queue[0][0] <= now:
            _, key = heapq.heappop(self._queue)
            if self._expiry.get(key, now + 1) <= now:
                del self._expiry[key]


@dataclass(frozen=True)
class Admitted:
    """A request the guard lets through: its body as text and as Bolt parses it."""

    text: str
    body: dict
    headers: Headers


class Refusal(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> Response:
        return JSONResponse({"error": self.reason}, status_code=self.status)


class SlackGuard:
    """Wraps the ASGI app that hands requests to Bolt (see the module's docstring)."""

    def __init__(self, app: ASGIApp, signing_secret: str, *,
                 clock: Callable[[], float] = time.time, max_body: int = MAX_BODY,
                 limit: int = MAX_REMEMBERED):
        self.app = app
        self.clock = clock
        self.max_body = max_body
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))
        self.signatures = Seen(clock, limit)
        self.events = Seen(clock, limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            raw = await self._read(headers, receive)
            admitted = self.admit(headers, raw)
            if admitted is not None:
                # What was read and parsed goes along: Bolt need not parse it again.
                await self.app({**scope, ADMITTED: admitted}, _replay(raw, receive), send)
                return
            response: Response = Response(status_code=200)  # a retry of what already ran
        except Refusal as refusal:
            log.debug("Slack endpoint: %d %s", refusal.status, refusal.reason)
            response = refusal.response()
        await response(scope, receive, send)

    async def _read(self, headers: Headers, receive: Receive) -> bytes:
        declared = headers.get("content-length")
        if declared is not None and not declared.isdigit():
            raise Refusal(400, "Content-Length must be a number of bytes")
        if declared is not None and int(declared) > self.max_body:
            raise Refusal(413, f"request bodies are limited to {self.max_body} bytes")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refusal(400, "the request ended early")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise Refusal(413, f"request bodies are limited to {self.max_body} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def admit(self, headers: Headers, raw: bytes) -> Admitted | None:
        """What was read, to pass the request on; None to ack it without running it; or
        Refusal."""
        for name in _ONCE:  # the guard reads the first, Bolt the last: they must agree
            if len(headers.getlist(name)) > 1:
                raise Refusal(400, f"{name} must be sent once")
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if timestamp and not _WHOLE_SECONDS.match(timestamp):
            raise Refusal(400, "X-Slack-Request-Timestamp must be whole seconds")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "the body must be UTF-8") from None
        if not (timestamp and _SIGNATURE.match(signature)
                and self.verifier.is_valid(text, timestamp, signature)):
            raise Refusal(401, "invalid request")
        retry = "x-slack-retry-num" in headers
        if signature in self.signatures:
            if retry:
                return None
            raise Refusal(401, "this request was already received")
        if self.signatures.is_full() or self.events.is_full():
            raise Refusal(429, "too many requests")
        # Still good at exactly SIGNATURE_WINDOW seconds old: remembered one second longer.
        self.signatures.add(signature, int(timestamp) + SIGNATURE_WINDOW + 1)
        try:
            # Read as Bolt reads it (slack_bolt.request.internals.extract_content_type).
            body = parse_body(text, headers.get("content-type", "").split(";")[0] or None)
            problem = request_problem(body)
        except (ValueError, RecursionError):
            problem = "the body is not valid JSON or form data"
        if problem is not None:
            raise Refusal(400, problem)
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id is not None:
            if event_id in self.events:
                return None
            self.events.add(event_id, self.clock() + EVENT_MEMORY)
        return Admitted(text, body, headers)


def guarded(app: AsyncApp, signing_secret: str) -> SlackGuard:
    """Bolt's `app` as an ASGI endpoint, behind the guard."""
    async def bolt(scope: Scope, receive: Receive, send: Send) -> None:
        answer = await app.async_dispatch(bolt_request(scope[ADMITTED], scope))
        await to_starlette_response(answer)(scope, receive, send)

    return SlackGuard(bolt, signing_secret)


def bolt_request(admitted: Admitted, scope: Scope) -> AsyncBoltRequest:
    """Bolt's request, as its Starlette adapter makes it, but from the body the guard
    parsed, so the form is parsed once, not twice. Bolt takes a parsed body only in
    Socket Mode; the request is then made the HTTP request it is, so that Bolt's own
    signature check still runs on the raw body."""
    request = AsyncBoltRequest(body=admitted.body, query=scope["query_string"].decode("latin-1"),
                               headers=admitted.headers, mode="socket_mode")
    request.raw_body, request.mode = admitted.text, "http"
    return request


# -- the shapes read behind the guard --------------------------------------------------------


def request_problem(body: Any) -> str | None:
    """Why `body` (as Bolt parses it) is not a request this app handles, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object or form fields"
    if (problem := _context_problem(body)) is not None:
        return problem
    kind = body.get("type")
    if "command" in body:
        return _fields_problem(body, ("command", "team_id", "channel_id", "user_id"),
                               ("text", "user_name"))
    if kind == "block_actions":
        return _click_problem(body)
    if kind == "message_action":
        return _shortcut_problem(body)
    if kind == "view_submission":
        return _submission_problem(body)
    if kind == "event_callback":
        return _event_problem(body)
    if body.get("ssl_check") == "1":  # Slack checking the certificate: Bolt says 200
        return None
    if kind == "url_verification":
        return None if isinstance(body.get("challenge"), str) else "challenge must be text"
    return ("not a request this app handles (slash commands, button clicks, shortcuts, "
            "forms, events)")


def _fields_problem(body: Mapping, required: tuple[str, ...], optional: tuple[str, ...] = ()
                    ) -> str | None:
    for name in required:
        if not isinstance(body.get(name), str) or not body[name]:
            return f"{name} must be given, as text"
    for name in optional:
        if name in body and not isinstance(body[name], str):
            return f"{name} must be text"
    return None


def _submission_problem(body: dict) -> str | None:
    """A form sent (`/meeting new`, the message shortcuts'): who sent it, and its answers
    by block, each in the shape its kind of input gives."""
    view = body.get("view")
    if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
        return "view must be an object with a callback_id"
    if not isinstance(view.get("private_metadata", ""), str):
        return "view.private_metadata must be text"
    state = view.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("values"), dict) or not all(
            isinstance(block, dict) and all(isinstance(v, dict) for v in block.values())
            for block in state["values"].values()):
        return "view.state.values must map blocks to their answers"
    for block in state["values"].values():
        for answer in block.values():
            if (problem := _answer_problem(answer)) is not None:
                return problem
    return _sender_problem(body)


# What the forms' inputs answer: text (a text input, a date, a time), a chosen option,
# chosen users.
_ANSWER_TEXT = ("value", "selected_date", "selected_time")


def _answer_problem(answer: dict) -> str | None:
    for name in _ANSWER_TEXT:
        if answer.get(name) is not None and not isinstance(answer[name], str):
            return f"an answer's {name} must be text"
    option = answer.get("selected_option")
    if option is not None and not (isinstance(option, dict)
                                   and isinstance(option.get("value"), str)):
        return "an answer's selected_option must be an object with a value"
    users = answer.get("selected_users")
    if users is not None and not (isinstance(users, list)
                                  and all(isinstance(u, str) for u in users)):
        return "an answer's selected_users must be a list of user ids"
    return None


def _click_problem(body: dict) -> str | None:
    if (problem := _sender_problem(body)) is not None:
        return problem
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions must be a list"
    for action in actions:
        if not isinstance(action, dict):
            return "each action must be an object"
        if (problem := _fields_problem(action, ("action_id",))) is not None:
            return problem
        if not isinstance(action.get("value"), str):  # every button of ours carries one
            return "each action must have a value, as text"
    return None


def _sender_problem(body: dict) -> str | None:
    """Who clicked or sent a form, and where."""
    user, team, channel = body.get("user"), body.get("team", "missing"), body.get("channel")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "user must be an object with an id"
    if team is None:  # an org-wide install: the workspace is the user's
        if not isinstance(user.get("team_id"), str):
            return "team is null and user.team_id is missing"
    elif not isinstance(team, dict) or not isinstance(team.get("id"), str):
        return "team must be an object with an id"
    if channel is not None and not (isinstance(channel, dict)
                                    and isinstance(channel.get("id", ""), str)):
        return "channel must be an object with an id"
    return None


def _shortcut_problem(body: dict) -> str | None:
    """A message shortcut: who chose it, where, and the message it was chosen on."""
    if (problem := _fields_problem(body, ("callback_id", "trigger_id"))) is not None:
        return problem  # the trigger opens the shortcut's form
    for name in ("user", "team", "channel"):
        part = body.get(name)
        if not isinstance(part, dict) or not isinstance(part.get("id"), str):
            return f"{name} must be an object with an id"
    message = body.get("message")
    if not isinstance(message, dict):
        return "message must be an object"
    return _fields_problem(message, ("ts",), ("text", "user"))


def _event_problem(body: dict) -> str | None:
    event = body.get("event")
    if not isinstance(event, dict):
        return "event must be an object"
    if not isinstance(body.get("event_id"), str) or not body["event_id"]:
        return "event_id must be given, as text"
    if (problem := _fields_problem(event, ("type",), ("tab",))) is not None:
        return problem
    if event["type"] == "app_home_opened" and not isinstance(event.get("user"), str):
        return "user must be given, as text"
    return None


# Where Bolt looks for the workspace, user and channel, and what it expects to find.
_ID_HOLDERS = ("enterprise", "team", "user", "channel")
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "view",
           "function_data")
_TEXT = ("enterprise_id", "team_id", "user_id", "channel_id", "thread_ts", "response_url",
         "function_execution_id", "bot_access_token", "user_team", "type")


def _context_problem(body: dict) -> str | None:
    """Type errors that would make Bolt fail while building a request's context."""
    for name in _ID_HOLDERS:
        value = body.get(name)
        if not (value is None or isinstance(value, str) or (
                isinstance(value, dict) and isinstance(value.get("id", ""), (str, type(None))))):
            return f"{name} must be an id or an object with an id"
    for name in _TEXT:
        if body.get(name) is not None and not isinstance(body[name], str):
            return f"{name} must be text"
    for name in _NESTED:
        nested = body.get(name)
        if nested is not None and not isinstance(nested, dict):
            return f"{name} must be an object"
        if nested is not None and (problem := _context_problem(nested)) is not None:
            return problem
    if "event" in body and body["event"] is None:
        return "event must be an object"
    for name in ("authorizations", "response_urls"):
        items = body.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return f"{name} must be a list of objects"
        if items and (problem := _context_problem(items[0])) is not None:
            return problem
    return None


# -- plumbing --------------------------------------------------------------------------------


class _Clock:
    """slack_sdk's verifier asks its clock for now() (the guard's clock is a function)."""

    def __init__(self, clock: Callable[[], float]):
        self.now = clock


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app behind the guard: the body already read, then the client's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed

