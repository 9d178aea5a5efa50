"""People in Matrix rooms for tests and benchmarks: plain client-server API calls.

A `Person` says things and reads what the bot answers, the way a person's client
would. Calls block; async tests run them with `asyncio.to_thread`.
"""

from __future__ import annotations

import time
import urllib.parse
import uuid
from typing import Any

from tests.matrix_homeserver import Homeserver


def quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def in_reply_to(event: dict[str, Any]) -> str | None:
    relates = event.get("content", {}).get("m.relates_to", {})
    return relates.get("m.in_reply_to", {}).get("event_id")


def is_notice(event: dict[str, Any]) -> bool:
    return event["type"] == "m.room.message" and event["content"].get("msgtype") == "m.notice"


def pill(user_id: str, name: str) -> str:
    """The HTML a client like Element sends when a person is picked from the list."""
    return f'<a href="https://matrix.to/#/{user_id}">{name}</a>'


class Person:
    """One account, driven through the raw client-server API.

    Every timeline event and invite its /sync returns is kept, so waiting for one
    room's events never loses another room's that arrived in the same batch.
    """

    def __init__(self, homeserver: Homeserver, user_id: str, token: str) -> None:
        self.hs = homeserver
        self.user_id = user_id
        self.token = token
        self.since: str | None = None
        self.timeline: dict[str, list[dict[str, Any]]] = {}
        self.invites: list[str] = []

    @classmethod
    def register(cls, homeserver: Homeserver, localpart: str, name: str | None = None) -> Person:
        person = cls(homeserver, *homeserver.register(localpart, f"{localpart}-password"))
        if name:
            person.call("PUT", f"/_matrix/client/v3/profile/{quote(person.user_id)}/displayname",
                        {"displayname": name})
        person.sync(0)  # start the stream now: later waits see only what happens next
        return person

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return self.hs.request(method, path, token=self.token, body=body)

    # -- rooms ------------------------------------------------------------------

    def create_room(self, **body: Any) -> str:
        return self.call("POST", "/_matrix/client/v3/createRoom", body)["room_id"]

    def invite(self, room_id: str, user_id: str) -> None:
        self.call("POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/invite", {"user_id": user_id})

    def join(self, room_id: str) -> None:
        self.call("POST", f"/_matrix/client/v3/join/{quote(room_id)}", {})

    def joined_members(self, room_id: str) -> set[str]:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/joined_members"
        return set(self.call("GET", path)["joined"])

    def is_invited(self, room_id: str, user_id: str) -> bool:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/state/m.room.member/{quote(user_id)}"
        return self.call("GET", path).get("membership") == "invite"

    # -- talking ----------------------------------------------------------------

    def say(self, room_id: str, text: str, html: str | None = None,
            mentions: list[str] | None = None, msgtype: str = "m.text") -> str:
        content: dict[str, Any] = {"msgtype": msgtype, "body": text}
        if html is not None:
            content.update(format="org.matrix.custom.html", formatted_body=html)
        if mentions is not None:
            content["m.mentions"] = {"user_ids": mentions}
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.room.message/{uuid.uuid4().hex}"
        return self.call("PUT", path, content)["event_id"]

    def reply(self, room_id: str, event_id: str, text: str) -> str:
        """Answer the message `event_id` (a rich reply, without the legacy quote)."""
        return self._send(room_id, "m.room.message", {
            "msgtype": "m.text", "body": text,
            "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
        })

    def react(self, room_id: str, event_id: str, key: str) -> str:
        return self._send(room_id, "m.reaction", {
            "m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key},
        })

    def redact(self, room_id: str, event_id: str) -> str:
        """Take an event back (a reaction taken back is its redaction)."""
        path = (f"/_matrix/client/v3/rooms/{quote(room_id)}/redact/{quote(event_id)}/"
                f"{uuid.uuid4().hex}")
        return self.call("PUT", path, {})["event_id"]

    def _send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/{event_type}/{uuid.uuid4().hex}"
        return self.call("PUT", path, content)["event_id"]

    def messages(self, room_id: str) -> list[dict[str, Any]]:
        """The room's whole history as the server has it, oldest first."""
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=1000"
        return list(reversed(self.call("GET", path)["chunk"]))

    def replies(self, room_id: str, sender: str) -> list[str]:
        """Event ids the sender's notices answer, oldest first (repeats kept)."""
        return [in_reply_to(e) for e in self.messages(room_id)
                if e["sender"] == sender and is_notice(e) and in_reply_to(e)]

    # -- waiting ----------------------------------------------------------------

    def sync(self, timeout_ms: int = 1000) -> None:
        query = f"timeout={timeout_ms}" + (f"&since={self.since}" if self.since else "")
        data = self.call("GET", f"/_matrix/client/v3/sync?{query}")
        self.since = data["next_batch"]
        rooms = data.get("rooms", {})
        for room_id, room in rooms.get("join", {}).items():
            self.timeline.setdefault(room_id, []).extend(room.get("timeline", {}).get("events", []))
        self.invites.extend(rooms.get("invite", {}))

    def wait_for(self, room_id: str, match, timeout: float = 20.0) -> dict[str, Any]:
        """The first event seen in the room for which `match(event)` is true."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.timeline.get(room_id, []):
                if match(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing matching in {room_id} within {timeout}s")
            self.sync()

    def wait_for_reply(self, room_id: str, event_id: str, timeout: float = 20.0) -> dict[str, Any]:
        return self.wait_for(room_id, lambda e: in_reply_to(e) == event_id, timeout)

    def ask(self, room_id: str, text: str, **kwargs: Any) -> dict[str, Any]:
        """Say a command and return the bot's reply event."""
        return self.wait_for_reply(room_id, self.say(room_id, text, **kwargs))

    def wait_for_invite(self, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while not self.invites:
            if time.monotonic() > deadline:
                raise AssertionError(f"no invite within {timeout}s")
            self.sync()
        return self.invites.pop(0)
