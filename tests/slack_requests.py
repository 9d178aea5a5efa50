"""Build HTTP requests exactly as Slack sends them to an app's Request URL.

Every request is signed with Slack's v0 scheme:

    X-Slack-Request-Timestamp: <unix seconds>
    X-Slack-Signature: v0=<hex HMAC-SHA256(signing_secret, "v0:<timestamp>:<raw body>")>

so tests exercise Bolt's real request verification.  The variants ``forged``, ``tampered`` and
``shifted`` produce requests that verification must reject (HTTP 401).

    req = slash_command(SECRET, text="next")
    status, body = send(req, "http://127.0.0.1:3000/slack/events")
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

TEAM_ID = "T0STANDIN"
TEAM_DOMAIN = "standin"
API_APP_ID = "A0CHATBOT"
# The deprecated verification token Slack still includes; Bolt ignores it.
VERIFICATION_TOKEN = "legacy-verification-token"


def new_trigger_id() -> str:
    """Unique per invocation, in Slack's shape."""
    return f"{secrets.randbelow(10**11)}.738474920.{secrets.token_hex(16)}"


def signature(signing_secret: str, timestamp: int | str, body: str) -> str:
    """Slack's v0 request signature of ``body`` sent at ``timestamp``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SlackRequest:
    """A POST to the app's Request URL: raw body plus headers."""

    body: str
    headers: dict[str, str]
    path: str = "/slack/events"

    @property
    def timestamp(self) -> int:
        return int(self.headers["X-Slack-Request-Timestamp"])


def signed(
    signing_secret: str, body: str, content_type: str, timestamp: int | None = None
) -> SlackRequest:
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(signing_secret, ts, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    return SlackRequest(body=body, headers=headers)


def slash_command(
    signing_secret: str,
    *,
    command: str = "/meeting",
    text: str = "",
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str = "C0MEETING",
    channel_name: str = "meeting",
    trigger_id: str | None = None,
    timestamp: int | None = None,
    team_id: str = TEAM_ID,
    enterprise_id: str | None = None,
) -> SlackRequest:
    """A slash command invocation, form-encoded with Slack's fields in Slack's order.

    Each gets a trigger_id of its own, as from Slack, so no two are signed alike. An
    ``enterprise_id`` makes it come from a workspace of an org-wide install."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "response_url": f"https://hooks.slack.com/commands/{team_id}/1234/abcdef",
        "trigger_id": trigger_id or new_trigger_id(),
        "api_app_id": API_APP_ID,
    }
    if enterprise_id is not None:
        fields |= {"enterprise_id": enterprise_id, "is_enterprise_install": "true"}
    return signed(signing_secret, urlencode(fields), FORM, timestamp)


def event_callback(
    signing_secret: str, event: dict[str, Any], *, timestamp: int | None = None,
    team_id: str = TEAM_ID, enterprise_id: str | None = None,
) -> SlackRequest:
    """An Events API ``event_callback`` envelope around ``event``, as JSON (for an app
    installed org-wide when ``enterprise_id`` is given)."""
    ts = int(time.time()) if timestamp is None else timestamp
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{ts}{secrets.token_hex(4).upper()}",  # each delivery's own
        "event_time": ts,
        "authorizations": [
            {
                "enterprise_id": enterprise_id,
                "team_id": team_id,
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": enterprise_id is not None,
            }
        ],
        "is_ext_shared_channel": False,
    }
    if enterprise_id is not None:
        envelope["enterprise_id"] = enterprise_id
    return signed(signing_secret, json.dumps(envelope), JSON, ts)


def app_home_opened(
    signing_secret: str,
    *,
    user_id: str = "U0ALICE",
    tab: str = "home",
    timestamp: int | None = None,
    team_id: str = TEAM_ID,
) -> SlackRequest:
    ts = int(time.time()) if timestamp is None else timestamp
    event = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id}",
        "tab": tab,
        "event_ts": f"{ts}.000100",
    }
    return event_callback(signing_secret, event, timestamp=ts, team_id=team_id)


def app_mention(signing_secret: str, text: str, *, user_id: str = "U0ALICE",
                channel_id: str = "C0123456789", ts: str = "1521560000.000200",
                thread_ts: str | None = None, team_id: str = TEAM_ID) -> SlackRequest:
    """A message that mentions the bot (`<@U0BOT> agenda add …`), in a thread when
    ``thread_ts`` is given (the thread's first message)."""
    event = {"type": "app_mention", "user": user_id, "text": text, "ts": ts,
             "channel": channel_id, "event_ts": ts, "team": team_id}
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event_callback(signing_secret, event, team_id=team_id)


def app_uninstalled(signing_secret: str, *, team_id: str = TEAM_ID,
                    enterprise_id: str | None = None) -> SlackRequest:
    """Slack telling the app it was uninstalled from a workspace, or from a whole org."""
    ts = int(time.time())
    event = {"type": "app_uninstalled", "event_ts": f"{ts}.000300"}
    return event_callback(signing_secret, event, timestamp=ts, team_id=team_id,
                          enterprise_id=enterprise_id)


def tokens_revoked(signing_secret: str, *, team_id: str = TEAM_ID,
                   bot: tuple[str, ...] = ("U0BOT",), oauth: tuple[str, ...] = ()
                   ) -> SlackRequest:
    ts = int(time.time())
    event = {"type": "tokens_revoked", "tokens": {"oauth": list(oauth), "bot": list(bot)},
             "event_ts": f"{ts}.000400"}
    return event_callback(signing_secret, event, timestamp=ts, team_id=team_id)


def block_actions(
    signing_secret: str,
    *,
    action_id: str,
    value: str = "",
    block_id: str = "actions",
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str | None = "C0MEETING",
    container: dict[str, Any] | None = None,
    timestamp: int | None = None,
) -> SlackRequest:
    """An interactivity ``block_actions`` payload (a button click).

    Slack form-encodes it as a single field ``payload`` holding the JSON.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container or {"type": "view", "view_id": "V0HOME"},
        "trigger_id": new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "response_url": f"https://hooks.slack.com/actions/{TEAM_ID}/1234/abcdef",
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{ts}.000200",
            }
        ],
    }
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": "meeting"}
    return signed(signing_secret, urlencode({"payload": json.dumps(payload)}), FORM, ts)


def message_shortcut(
    signing_secret: str,
    *,
    callback_id: str,
    message_text: str,
    message_user: str,
    message_ts: str = "1521655200.000100",
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    channel_id: str = "C0MEETING",
) -> SlackRequest:
    """A ``message_action`` payload: a message shortcut chosen on someone's message,
    form-encoded like a button click."""
    payload: dict[str, Any] = {
        "type": "message_action", "callback_id": callback_id, "trigger_id": new_trigger_id(),
        "message_ts": message_ts, "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "response_url": f"https://hooks.slack.com/app/{TEAM_ID}/1234/abcdef",
        "channel": {"id": channel_id, "name": "meeting"},
        "user": {"id": user_id, "name": user_name, "team_id": TEAM_ID},
        "message": {"type": "message", "user": message_user, "ts": message_ts,
                    "text": message_text},
        "token": VERIFICATION_TOKEN, "api_app_id": API_APP_ID,
    }
    ts = int(time.time())
    return signed(signing_secret, urlencode({"payload": json.dumps(payload)}), FORM, ts)


def view_submission(
    signing_secret: str,
    *,
    callback_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    user_id: str = "U0ALICE",
    user_name: str = "alice",
    timestamp: int | None = None,
) -> SlackRequest:
    """A modal's submission: ``values`` as Slack nests them, block id -> action id -> value."""
    ts = int(time.time()) if timestamp is None else timestamp
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "V0MODAL", "team_id": TEAM_ID, "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "state": {"values": values},
        },
    }
    return signed(signing_secret, urlencode({"payload": json.dumps(payload)}), FORM, ts)


def url_verification(
    signing_secret: str, challenge: str = "challenge-3eZbrw1aBm2r"
) -> SlackRequest:
    """The handshake Slack sends when the Request URL is saved (signed like any request)."""
    body = json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )
    return signed(signing_secret, body, JSON)


# -- requests verification must reject -------------------------------------------------------


def forged(request: SlackRequest, wrong_secret: str = "not-the-signing-secret") -> SlackRequest:
    """Same body and timestamp, signed with a secret that is not the app's."""
    headers = dict(request.headers)
    headers["X-Slack-Signature"] = signature(wrong_secret, request.timestamp, request.body)
    return replace(request, headers=headers)


def tampered(request: SlackRequest, old: str = "", new: str = "") -> SlackRequest:
    """The body altered after signing (``old`` replaced by ``new``, or one byte appended)."""
    body = request.body.replace(old, new, 1) if old else request.body + "&x=1"
    if body == request.body:
        raise ValueError(f"{old!r} not found in the body")
    return replace(request, body=body)


def shifted(request: SlackRequest, signing_secret: str, seconds: int) -> SlackRequest:
    """Correctly re-signed, but with the timestamp moved by ``seconds`` (-310: too old)."""
    ts = request.timestamp + seconds
    headers = dict(request.headers)
    headers["X-Slack-Request-Timestamp"] = str(ts)
    headers["X-Slack-Signature"] = signature(signing_secret, ts, request.body)
    return replace(request, headers=headers)


# -- sending -------------------------------------------------------------------------------


def send(
    request: SlackRequest,
    base_url: str,
    timeout: float = 5.0,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    """POST ``request`` to ``base_url`` (e.g. ``http://127.0.0.1:3000``).

    Pass ``conn`` to reuse a keep-alive connection; returns (status, body, headers).
    """
    own = conn is None
    if conn is None:
        url = urlsplit(base_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request("POST", request.path, body=request.body.encode(), headers=request.headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        if own:
            conn.close()
