"""A local stand-in for Slack's Web API, for tests and benchmarks.

Slack's servers cannot be reached from here, so the bot is pointed at this server through
its configurable API base URL (``SLACK_API_URL``).  It answers the Web API methods the bot
uses the way https://api.slack.com/methods documents them: HTTP 200 with ``{"ok": true, ...}``
or ``{"ok": false, "error": "..."}``, HTTP 429 with ``Retry-After`` when rate limited.

    with SlackStandIn(token="xoxb-test") as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        client.chat_postMessage(channel="C0MEETING", text="hi")
        assert slack.calls("chat.postMessage")[0].params["text"] == "hi"

Requests may be GET with a query string, or POST with a form-encoded or JSON body, as
slack_sdk sends them.  The bot token is checked (``Authorization: Bearer`` header, or a
``token`` form field as Slack also accepts).  Faults can be injected per method:
``rate_limit`` (429 + Retry-After), ``server_error`` (5xx), ``disconnect`` (connection closed
without an answer) and ``delay``.

Installing by OAuth (https://api.slack.com/authentication/oauth-v2): ``approve`` plays the
person who clicks *Allow* on the authorize URL the app sent them to, and returns the ``code``
Slack would append to the redirect; ``oauth.v2.access`` exchanges it (client id and secret by
HTTP Basic auth or form fields) for a bot token of that workspace, with token rotation's
``refresh_token`` and ``expires_in``, and an org-wide install's ``enterprise``.  A refresh
(``grant_type=refresh_token``) answers a new token and refresh token; the old token stops
working.  Every bot token works for its own workspace only (``auth.test`` says which);
``revoke`` makes a workspace's tokens invalid, as uninstalling does.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit
from zoneinfo import ZoneInfo

TEAM_ID = "T0STANDIN"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"


def make_user(
    user_id: str,
    name: str,
    *,
    real_name: str | None = None,
    display_name: str | None = None,
    tz: str = "Europe/London",
    tz_label: str | None = None,
    is_admin: bool = False,
    is_bot: bool = False,
) -> dict[str, Any]:
    """A ``user`` object shaped like users.info returns it.

    ``tz_offset`` is the zone's current UTC offset in seconds and ``tz_label`` defaults to
    the zone's current abbreviation (Slack gives a long name such as "Pacific Standard Time";
    pass ``tz_label`` to mimic that exactly).
    """
    now = datetime.now(ZoneInfo(tz))
    offset = now.utcoffset()
    real_name = real_name if real_name is not None else name.title()
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": tz_label if tz_label is not None else now.tzname(),
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "is_admin": is_admin,
        "is_owner": False,
        "is_bot": is_bot,
        "profile": {
            "real_name": real_name,
            "display_name": display_name if display_name is not None else name,
        },
    }


def default_users() -> dict[str, dict[str, Any]]:
    users = [
        make_user("U0ALICE", "alice", real_name="Alice Adams", tz="Europe/Berlin", is_admin=True),
        make_user("U0BOB", "bob", real_name="Bob Brown", tz="America/Los_Angeles"),
        make_user("U0CHIDI", "chidi", real_name="Chidi Okafor", display_name="", tz="Africa/Lagos"),
        make_user("U0DEV", "dev", real_name="Dev Patel", tz="Asia/Kolkata"),
        make_user(BOT_USER_ID, "chatbot", real_name="Chatbot", tz="UTC", is_bot=True),
    ]
    return {user["id"]: user for user in users}


@dataclass(frozen=True)
class Call:
    """One request the stand-in received."""

    method: str  # Web API method, e.g. "chat.postMessage"
    params: dict[str, Any]  # query/form fields (strings) or the decoded JSON body
    time: float  # time.time() on arrival
    http_method: str = "POST"
    content_type: str = ""
    token: str | None = None
    status: int = 200  # HTTP status the stand-in answered with (0: connection dropped)


@dataclass
class _Fault:
    rate_limited: int = 0  # answer this many next calls with 429
    retry_after: int = 1
    server_errors: int = 0  # answer this many next calls with a 5xx
    server_error_status: int = 500
    delay: float = 0.0  # sleep this long before answering every call
    disconnects: int = 0  # close the connection without answering this many next calls


@dataclass
class _State:
    token: str
    app_token: str
    users: dict[str, dict[str, Any]]
    members: dict[str, list[str]]
    members_page_size: int
    socket_mode_url: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, _Fault] = field(default_factory=dict)
    ts_counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    client_id: str = ""
    client_secret: str = ""
    token_lifetime: int = 43200  # expires_in of a rotated token, seconds (Slack's 12 hours)
    bot_tokens: dict[str, Installed] = field(default_factory=dict)  # token -> its workspace
    refresh_tokens: dict[str, Installed] = field(default_factory=dict)
    codes: dict[str, Installed] = field(default_factory=dict)  # approved, not yet exchanged
    revoked: dict[str, Installed] = field(default_factory=dict)  # tokens that worked once
    # (channel, ts) -> the bot's message as it stands: chat.update changes it in place.
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # A trigger_id is good for 3 seconds (Slack's rule); set: every one is too old.
    triggers_expired: bool = False

    def team_of(self, token: str) -> str | None:
        if token == self.token:
            return TEAM_ID
        installed = self.bot_tokens.get(token)
        return installed.key if installed else None  # an org-wide token: its enterprise


@dataclass(frozen=True)
class Installed:
    """A workspace (or, org-wide, an enterprise) that approved the app."""

    team_id: str | None
    enterprise_id: str | None = None
    scopes: str = ""
    installer: str = "U0ALICE"

    @property
    def key(self) -> str:
        return self.team_id or self.enterprise_id or ""


class SlackStandIn:
    """A threaded HTTP server on 127.0.0.1 that answers Slack Web API methods."""

    def __init__(
        self,
        token: str = "xoxb-standin-token",
        *,
        app_token: str = "xapp-standin-token",
        users: dict[str, dict[str, Any]] | None = None,
        members: dict[str, list[str]] | None = None,
        members_page_size: int = 2,  # the page size when the caller gives no ``limit``
        socket_mode_url: str = "ws://127.0.0.1:1/link",
        client_id: str = "111.222",
        client_secret: str = "standin-client-secret",
        port: int = 0,
    ):
        users = users if users is not None else default_users()
        if members is None:
            members = {"C0MEETING": sorted(users)}
        self._state = _State(
            token=token,
            app_token=app_token,
            users=users,
            members=members,
            members_page_size=members_page_size,
            socket_mode_url=socket_mode_url,
            client_id=client_id,
            client_secret=client_secret,
        )
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.state = self._state  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def client_id(self) -> str:
        return self._state.client_id

    @property
    def client_secret(self) -> str:
        return self._state.client_secret

    @property
    def base_url(self) -> str:
        """The API base URL, with the trailing slash ``WebClient(base_url=...)`` needs."""
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> SlackStandIn:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- configuration ----------------------------------------------------------------------

    def add_user(self, user: dict[str, Any]) -> None:
        with self._state.lock:
            self._state.users[user["id"]] = user

    def set_members(self, channel: str, user_ids: list[str]) -> None:
        with self._state.lock:
            self._state.members[channel] = list(user_ids)

    def set_socket_mode_url(self, url: str) -> None:
        with self._state.lock:
            self._state.socket_mode_url = url

    def approve(self, authorize_url: str, team_id: str | None, *,
                enterprise_id: str | None = None, installer: str = "U0ALICE") -> str:
        """Someone allows the app on Slack's authorize page: the ``code`` for the redirect.

        ``team_id=None`` with an ``enterprise_id`` is an org-wide install."""
        query = parse_qs(urlsplit(authorize_url).query)
        if query.get("client_id") != [self._state.client_id]:
            raise ValueError(f"authorize URL with the wrong client_id: {authorize_url}")
        code = f"code-{secrets.token_hex(8)}"
        with self._state.lock:
            self._state.codes[code] = Installed(team_id, enterprise_id,
                                                query.get("scope", [""])[0], installer)
        return code

    def tokens_of(self, key: str) -> set[str]:
        """Every bot token issued so far to a workspace (or org-wide to an enterprise)."""
        with self._state.lock:
            return {token for token, installed in self._state.bot_tokens.items()
                    if installed.key == key} | {
                token for token, installed in self._state.revoked.items()
                if installed.key == key}

    def revoke(self, key: str) -> None:
        """Uninstalled: the workspace's tokens answer ``invalid_auth`` from now on."""
        with self._state.lock:
            for table in (self._state.bot_tokens, self._state.refresh_tokens):
                for token in [t for t, i in table.items() if i.key == key]:
                    self._state.revoked[token] = table.pop(token)

    def set_token_lifetime(self, seconds: int) -> None:
        with self._state.lock:
            self._state.token_lifetime = seconds

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        with self._state.lock:
            fault = self._state.faults.setdefault(method, _Fault())
            fault.rate_limited, fault.retry_after = times, retry_after

    def server_error(self, method: str, times: int = 1, status: int = 500) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status`` (5xx)."""
        with self._state.lock:
            fault = self._state.faults.setdefault(method, _Fault())
            fault.server_errors, fault.server_error_status = times, status

    def disconnect(self, method: str, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` calls of ``method``."""
        with self._state.lock:
            self._state.faults.setdefault(method, _Fault()).disconnects = times

    def delay(self, method: str, seconds: float) -> None:
        """Sleep ``seconds`` before answering each call of ``method`` (0 to stop)."""
        with self._state.lock:
            self._state.faults.setdefault(method, _Fault()).delay = seconds

    def expire_triggers(self, expired: bool = True) -> None:
        """views.open answers ``expired_trigger_id``, as Slack does 3 s after the click."""
        with self._state.lock:
            self._state.triggers_expired = expired

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.faults.clear()

    # -- inspection -------------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The bot's messages in `channel` as they stand now (after any chat.update)."""
        with self._state.lock:
            return [dict(m) for (where, _), m in self._state.messages.items() if where == channel]

    def calls(self, method: str | None = None) -> list[Call]:
        """Calls received so far, oldest first; only those of ``method`` if given."""
        with self._state.lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def clear_calls(self) -> None:
        with self._state.lock:
            self._state.calls.clear()

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` arrived; return them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up (a bot shutting down mid-call): not the stand-in's fault
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Slack's servers do
    server_version = "SlackStandIn/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output clean

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    # -- request decoding -------------------------------------------------------------------

    def _read_params(self) -> tuple[dict[str, Any], str]:
        url = urlsplit(self.path)
        params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if raw:
            if content_type.startswith("application/json"):
                body = json.loads(raw)
                if isinstance(body, dict):
                    params.update(body)
            else:
                params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        return params, content_type

    def _client_auth(self) -> tuple[str, str] | None:
        """HTTP Basic credentials (client id, secret), as slack_sdk sends oauth.v2.access."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None
        return client_id, secret

    def _token(self, params: dict[str, Any]) -> str | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ").strip()
        token = params.pop("token", None)
        return str(token) if token is not None else None

    # -- dispatch ---------------------------------------------------------------------------

    def _handle(self) -> None:
        state: _State = self.server.state  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        if not path.startswith("/api/"):
            self._send(HTTPStatus.NOT_FOUND, {"ok": False, "error": "not_found"})
            return
        method = path.removeprefix("/api/")
        try:
            params, content_type = self._read_params()
        except (ValueError, UnicodeDecodeError):
            self._send(HTTPStatus.OK, {"ok": False, "error": "invalid_json"})
            return
        token = self._token(params)

        with state.lock:
            fault = state.faults.get(method)
            status, delay, retry_after, drop = HTTPStatus.OK, 0.0, 0, False
            if fault is not None:
                delay = fault.delay
                if fault.disconnects > 0:
                    fault.disconnects -= 1
                    drop = True
                elif fault.rate_limited > 0:
                    fault.rate_limited -= 1
                    status, retry_after = HTTPStatus.TOO_MANY_REQUESTS, fault.retry_after
                elif fault.server_errors > 0:
                    fault.server_errors -= 1
                    status = HTTPStatus(fault.server_error_status)
            state.calls.append(
                Call(
                    method=method,
                    params=params,
                    time=time.time(),
                    http_method=self.command,
                    content_type=content_type,
                    token=token,
                    status=0 if drop else int(status),
                )
            )

        if delay:
            time.sleep(delay)
        if drop:
            self.close_connection = True
            return
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self._send(
                status, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            )
            return
        if status != HTTPStatus.OK:
            self._send(status, {"ok": False, "error": "internal_error"})
            return

        if method == "oauth.v2.access":  # the app's client id and secret, not a token
            self._send(HTTPStatus.OK, _oauth_v2_access(state, params, self._client_auth()))
            return
        if not token:
            self._send(HTTPStatus.OK, {"ok": False, "error": "not_authed"})
            return
        with state.lock:
            valid = (token == state.app_token if method == "apps.connections.open"
                     else state.team_of(token) is not None)
        if not valid:
            self._send(HTTPStatus.OK, {"ok": False, "error": "invalid_auth"})
            return
        answer = _METHODS.get(method)
        if answer is None:
            self._send(HTTPStatus.OK, {"ok": False, "error": "unknown_method"})
            return
        # The workspace the token belongs to, for answers that name it (not recorded).
        self._send(HTTPStatus.OK, answer(state, {**params, "_team": state.team_of(token)}))

    def _send(
        self, status: HTTPStatus, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


# -- Web API methods -------------------------------------------------------------------------


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": code}


def _next_ts(state: _State) -> str:
    with state.lock:
        n = next(state.ts_counter)
    return f"{int(time.time())}.{n:06d}"


def _auth_test(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://standin.slack.com/",
        "team": "Stand-in Team",
        "user": "chatbot",
        "team_id": params.get("_team") or TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        # Slack's enterprise ids begin with E: an org-wide install's token.
        "is_enterprise_install": str(params.get("_team") or "").startswith("E"),
    }


def _users_info(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    user_id = params.get("user")
    if not user_id:
        return _error("invalid_arguments")
    with state.lock:
        user = state.users.get(str(user_id))
    return {"ok": True, "user": user} if user is not None else _error("user_not_found")


def _has_content(params: dict[str, Any]) -> bool:
    return any(params.get(key) for key in ("text", "blocks", "attachments"))


def _chat_post_message(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    channel = params.get("channel")
    if not channel:
        return _error("channel_not_found")
    if not _has_content(params):
        return _error("no_text")
    ts = _next_ts(state)
    message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
    message["text"] = params.get("text", "")
    if params.get("blocks"):
        message["blocks"] = _blocks(params["blocks"])
    with state.lock:
        state.messages[(str(channel), ts)] = message
    return {"ok": True, "channel": channel, "ts": ts, "message": message}


def _blocks(blocks: Any) -> Any:
    """Blocks arrive as JSON text in a form post, as a list in a JSON body."""
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _chat_update(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    """https://api.slack.com/methods/chat.update: `channel` and `ts` name a message the
    app posted; its text and blocks are replaced (the ts stays)."""
    channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
    if not channel:
        return _error("channel_not_found")
    if not _has_content(params):
        return _error("no_text")
    with state.lock:
        message = state.messages.get((channel, ts))
        if message is None:
            return _error("message_not_found")
        message["text"] = params.get("text", "")
        if params.get("blocks") is not None:
            message["blocks"] = _blocks(params["blocks"])
        updated = dict(message)
    return {"ok": True, "channel": channel, "ts": ts, "text": updated["text"],
            "message": updated}


def _chat_get_permalink(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    """https://api.slack.com/methods/chat.getPermalink: a message's address."""
    channel, ts = params.get("channel"), str(params.get("message_ts") or "")
    if not channel:
        return _error("channel_not_found")
    if not ts or "." not in ts:  # a message's ts: seconds.micro
        return _error("message_not_found")
    return {"ok": True, "channel": channel,
            "permalink": f"https://standin.slack.com/archives/{channel}/p{ts.replace('.', '')}"}


def _chat_post_ephemeral(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("channel"):
        return _error("channel_not_found")
    user_id = params.get("user")
    if not user_id:
        return _error("user_not_found")
    with state.lock:
        known = str(user_id) in state.users
    if not known:
        return _error("user_not_found")
    if not _has_content(params):
        return _error("no_text")
    return {"ok": True, "message_ts": _next_ts(state)}


def _conversations_open(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("channel"):
        return {"ok": True, "channel": {"id": params["channel"]}}
    users = params.get("users")
    if isinstance(users, list):
        users = ",".join(users)
    if not users:
        return _error("users_list_not_supplied")
    user_ids = sorted(u.strip() for u in str(users).split(",") if u.strip())
    with state.lock:
        unknown = [u for u in user_ids if u not in state.users]
    if unknown:
        return _error("user_not_found")
    prefix = "D" if len(user_ids) == 1 else "G"
    return {
        "ok": True,
        "no_op": True,
        "already_open": True,
        "channel": {"id": prefix + "".join(user_ids)},
    }


def _view_of(params: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The ``view`` argument (JSON text or an object) if it is a view of type ``kind``."""
    view = params.get("view")
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return None
    return dict(view) if isinstance(view, dict) and view.get("type") == kind else None


def _views_publish(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    published = _view_of(params, "home")
    if not params.get("user_id") or published is None:
        return _error("invalid_arguments")
    published.update({"id": f"V{_next_ts(state).replace('.', '')}", "team_id": TEAM_ID})
    return {"ok": True, "view": published}


def _conversations_members(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    channel = params.get("channel")
    with state.lock:
        members = state.members.get(str(channel))
        page_size = state.members_page_size
    if members is None:
        return _error("channel_not_found")
    limit = max(1, min(int(params.get("limit") or page_size), 1000))  # Slack caps at 1000
    cursor = str(params.get("cursor") or "")
    try:
        start = int(cursor.removeprefix("offset:")) if cursor else 0
    except ValueError:
        return _error("invalid_cursor")
    page = members[start : start + limit]
    end = start + len(page)
    next_cursor = f"offset:{end}" if end < len(members) else ""
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


def _apps_connections_open(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    with state.lock:
        return {"ok": True, "url": state.socket_mode_url}


def _oauth_v2_access(state: _State, params: dict[str, Any],
                     basic: tuple[str, str] | None) -> dict[str, Any]:
    """A code (or, with token rotation, a refresh token) for a workspace's bot token."""
    client_id, secret = basic or (params.get("client_id"), params.get("client_secret"))
    if client_id != state.client_id:
        return _error("invalid_client_id")
    if secret != state.client_secret:
        return _error("bad_client_secret")
    with state.lock:
        if params.get("grant_type") == "refresh_token":
            installed = state.refresh_tokens.pop(str(params.get("refresh_token")), None)
            if installed is None:
                return _error("invalid_refresh_token")
            for old in [t for t, i in state.bot_tokens.items() if i == installed]:
                state.revoked[old] = state.bot_tokens.pop(old)
        else:
            installed = state.codes.pop(str(params.get("code")), None)
            if installed is None:
                return _error("invalid_code")
        token = f"xoxe.xoxb-{installed.key}-{secrets.token_hex(6)}"
        refresh = f"xoxe-1-{installed.key}-{secrets.token_hex(6)}"
        state.bot_tokens[token], state.refresh_tokens[refresh] = installed, installed
        lifetime = state.token_lifetime
    if params.get("grant_type") == "refresh_token":
        return {"ok": True, "app_id": "A0CHATBOT", "access_token": token, "token_type": "bot",
                "scope": installed.scopes, "refresh_token": refresh, "expires_in": lifetime,
                "bot_user_id": BOT_USER_ID,
                "team": {"id": installed.team_id} if installed.team_id else None,
                "enterprise": ({"id": installed.enterprise_id}
                               if installed.enterprise_id else None)}
    org_wide = installed.team_id is None
    return {
        "ok": True,
        "app_id": "A0CHATBOT",
        "authed_user": {"id": installed.installer},
        "scope": installed.scopes,
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": BOT_USER_ID,
        "refresh_token": refresh,
        "expires_in": lifetime,
        "team": None if org_wide else {"id": installed.team_id, "name": installed.team_id},
        "enterprise": ({"id": installed.enterprise_id, "name": installed.enterprise_id}
                       if installed.enterprise_id else None),
        "is_enterprise_install": org_wide,
    }


def _views_open(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    opened = _view_of(params, "modal")
    if not params.get("trigger_id") or opened is None:
        return _error("invalid_arguments")
    if state.triggers_expired:
        return _error("expired_trigger_id")
    opened.update({"id": f"V{_next_ts(state).replace('.', '')}",
                   "team_id": params.get("_team") or TEAM_ID, "state": {"values": {}}})
    return {"ok": True, "view": opened}


_METHODS = {
    "chat.getPermalink": _chat_get_permalink,
    "auth.test": _auth_test,
    "users.info": _users_info,
    "chat.postMessage": _chat_post_message,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.update": _chat_update,
    "conversations.open": _conversations_open,
    "views.publish": _views_publish,
    "views.open": _views_open,
    "conversations.members": _conversations_members,
    "apps.connections.open": _apps_connections_open,
}


class SocketModeStandIn:
    """A local Socket Mode endpoint: the WebSocket that ``apps.connections.open`` points to.

        with SocketModeStandIn() as socket_mode:
            slack.set_socket_mode_url(socket_mode.url)
            ... start the app ...
            ack = socket_mode.send("slash_commands", {...form fields...})

    Like Slack it greets a new connection with ``{"type": "hello"}``, wraps each request in
    an envelope ``{"envelope_id", "type", "payload", "accepts_response_payload"}`` and takes
    the app's ``{"envelope_id", "payload"}`` as the ack. Pings are answered (aiohttp autoping).
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="socket-mode",
                                        daemon=True)
        self._socket = None
        self._connected = threading.Event()
        self._acks: dict[str, Any] = {}
        self._acked = threading.Condition()
        self._ids = itertools.count(1)
        self._runner = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=standin"

    async def _start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/link/", self._serve)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        self.port = listening.getsockname()[1]
        await web.SockSite(self._runner, listening).start()

    async def _serve(self, request: Any) -> Any:
        from aiohttp import WSMsgType, web

        link = web.WebSocketResponse(autoping=True)
        await link.prepare(request)
        await link.send_json({"type": "hello", "num_connections": 1,
                              "connection_info": {"app_id": "A0CHATBOT"}})
        self._socket = link
        self._connected.set()
        async for message in link:
            if message.type != WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            with self._acked:
                self._acks[ack.get("envelope_id", "")] = ack
                self._acked.notify_all()
        return link

    def __enter__(self) -> SocketModeStandIn:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)
        return self

    def __exit__(self, *exc_info: object) -> None:
        async def stop() -> None:
            if self._socket is not None:
                await self._socket.close()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self._connected.wait(timeout)

    def send(self, kind: str, payload: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Deliver one envelope and return the app's ack for it."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                    "retry_reason": ""}
        asyncio.run_coroutine_threadsafe(
            self._socket.send_json(envelope), self._loop
        ).result(timeout)
        with self._acked:
            self._acked.wait_for(lambda: envelope_id in self._acks, timeout)
            return self._acks[envelope_id]
