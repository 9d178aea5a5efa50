"""The message shortcuts *Add to agenda* and *Add as TODO*.

Chosen on a message, each opens a form prefilled with the message's text (`slack_modal`);
what is submitted is said as the command it stands for, `/agenda add SECTION: TEXT (LINK)`
or `/todo add <@U1> <@U2> TEXT (LINK)`, by the message's author, through `Bot.handle`: one
transaction, the same checks, and the command's refusal shown on the form.

Which message a form is about travels in the view's private_metadata, sealed with an HMAC
keyed by the signing secret. Slack hands it back as it was given, so one that does not
verify was not made by this bot (or not for this person), and nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from chatbot.adapters import slack_modal
from chatbot.adapters.slack_text import escape, from_slack
from chatbot.commands import Message
from chatbot.core.model import DEFAULT_SECTION, SECTION_ORDER, SECTIONS, Scope
from chatbot.selection import NoMeeting

if TYPE_CHECKING:
    from chatbot.adapters.slack import SlackAdapter

log = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Z0-9]{1,40}$")
_TS = re.compile(r"^[0-9]{1,12}\.[0-9]{1,8}$")
_PERMALINK = re.compile(r"^https://[^\s<>()]{1,500}$")
FORGED = ("This form was not opened by this bot for you; nothing was added. Choose the "
          "shortcut on the message again.")
NO_TEXT = ("This message has no text to add. Use the shortcut on a message with text, or "
           "type the command.")


@dataclass(frozen=True)
class MessageRef:
    """The message a form is about, and who chose the shortcut on it."""

    team: str
    channel: str
    ts: str
    author: str
    permalink: str  # "" when Slack gave none
    chooser: str

    def sealed(self, key: bytes) -> str:
        fields = asdict(self)
        return json.dumps({**fields, "mac": _mac(key, fields)}, separators=(",", ":"))

    @classmethod
    def unsealed(cls, metadata: str, key: bytes) -> MessageRef | None:
        """The reference sealed by `sealed`, or None for anything else."""
        try:
            fields = json.loads(metadata)
        except (ValueError, RecursionError):
            return None
        if not isinstance(fields, dict) or set(fields) != {*cls.__dataclass_fields__, "mac"}:
            return None
        mac = fields.pop("mac")
        if not all(isinstance(v, str) for v in (mac, *fields.values())):
            return None
        if not hmac.compare_digest(mac, _mac(key, fields)):
            return None
        ref = cls(**fields)
        ids = (ref.team, ref.channel, ref.author, ref.chooser)
        if not (all(_ID.match(i) for i in ids) and _TS.match(ref.ts)
                and (ref.permalink == "" or _PERMALINK.match(ref.permalink))):
            return None  # sealed by us, so never; checked all the same
        return ref


def _mac(key: bytes, fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def sealing_key(signing_secret: str) -> bytes:
    """A key of its own, derived from the signing secret (never the secret itself)."""
    return hmac.new(signing_secret.encode(), b"chatbot view private_metadata",
                    hashlib.sha256).digest()


async def permalink(client: AsyncWebClient, channel: str, ts: str) -> str:
    """The message's address (chat.getPermalink), or "" when Slack gives none."""
    try:
        answer = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        log.warning("chat.getPermalink failed: %s", error.response.get("error"))
        return ""
    found = answer.get("permalink") or ""
    return found if _PERMALINK.match(found) else ""


def team_of(body: dict) -> str:
    """The workspace a request came from (an org-wide install's: the user's)."""
    return (body.get("team") or {}).get("id") or body["user"]["team_id"]


class MessageShortcuts:
    def __init__(self, adapter: SlackAdapter):
        self.adapter = adapter
        self.key = sealing_key(adapter.settings.signing_secret)

    def register(self, app: AsyncApp) -> None:
        app.shortcut(slack_modal.ADD_TO_AGENDA)(self.on_add_to_agenda)
        app.shortcut(slack_modal.ADD_AS_TODO)(self.on_add_as_todo)
        app.view(slack_modal.ADD_TO_AGENDA)(self.on_agenda_form)
        app.view(slack_modal.ADD_AS_TODO)(self.on_todo_form)

    # -- the shortcut chosen: the form ----------------------------------------------------

    async def on_add_to_agenda(self, ack: Callable, body: dict) -> None:
        await ack()
        found = await self._message(body, needs_meeting=True)
        view = (slack_modal.notice_view("Add to agenda", escape(found))
                if isinstance(found, str) else
                slack_modal.agenda_item_view(
                    found[1], {key: SECTIONS[key] for key in SECTION_ORDER},
                    DEFAULT_SECTION, found[0].sealed(self.key)))
        await self._open(body, view)

    async def on_add_as_todo(self, ack: Callable, body: dict) -> None:
        await ack()
        found = await self._message(body, needs_meeting=False)
        view = (slack_modal.notice_view("Add as TODO", escape(found))
                if isinstance(found, str) else
                slack_modal.todo_view(found[1], found[0].author, found[0].sealed(self.key)))
        await self._open(body, view)

    async def _message(self, body: dict, needs_meeting: bool
                       ) -> tuple[MessageRef, str] | str:
        """The message and its text as the form shows it, or why there is no form."""
        team, chooser = team_of(body), body["user"]["id"]
        message, channel = body["message"], body["channel"]["id"]
        scope = Scope("slack", team, channel)
        meetings = self.adapter.bot.meetings
        chosen = meetings.choose(scope, None, self.adapter.bot.clock.now())
        if isinstance(chosen, NoMeeting) and (needs_meeting or not meetings.series_in(scope)):
            return chosen.reason
        incoming = from_slack(message.get("text") or "")
        if not incoming.text.strip():
            return NO_TEXT
        workspace = self.adapter.workspaces.get(team)
        # Mentions as the names people see: `@bob` is read back as a typed command's is.
        profiles = await workspace.users.profiles(incoming.mentioned)
        text = incoming.text
        for user_id, profile in profiles.items():
            text = text.replace(f"<@{user_id}>", f"@{profile.name}")
        link = await permalink(workspace.client, channel, message["ts"])
        author = message.get("user") or chooser  # a bot's message: the chooser's
        return MessageRef(team, channel, message["ts"], author, link, chooser), text

    async def _open(self, body: dict, view: dict) -> None:
        client = self.adapter.workspaces.get(team_of(body)).client
        await slack_modal.open_form(client, body["trigger_id"], view, body["channel"]["id"],
                                    body["user"]["id"])

    # -- the form submitted: the command ------------------------------------------------------

    async def on_agenda_form(self, ack: Callable, body: dict, view: dict) -> None:
        ref, form = self._ref(body, view), slack_modal.read_message_form(view)
        if ref is None:
            await ack(response_action="errors", errors={"text": FORGED})
        elif form.section not in SECTION_ORDER:
            await ack(response_action="errors", errors={"section": "Pick a section."})
        else:
            await self._say(ack, ref, "agenda", f"add {form.section}: ", form.text)

    async def on_todo_form(self, ack: Callable, body: dict, view: dict) -> None:
        ref, form = self._ref(body, view), slack_modal.read_message_form(view)
        if ref is None:
            await ack(response_action="errors", errors={"text": FORGED})
        elif not form.owners or not all(_ID.match(owner) for owner in form.owners):
            await ack(response_action="errors", errors={"owners": "Pick who will do it."})
        else:
            owners = " ".join(f"<@{owner}>" for owner in form.owners)
            await self._say(ack, ref, "todo", f"add {owners} ", form.text)

    def _ref(self, body: dict, view: dict) -> MessageRef | None:
        ref = MessageRef.unsealed(view.get("private_metadata") or "", self.key)
        if ref is None or (ref.team, ref.chooser) != (team_of(body), body["user"]["id"]):
            log.warning("a shortcut's form came back with private_metadata not sealed for it")
            return None
        return ref

    async def _say(self, ack: Callable, ref: MessageRef, name: str, head: str, text: str
                   ) -> None:
        """`/NAME HEAD TEXT (LINK)` said by the message's author; a refusal on the form."""
        adapter, scope = self.adapter, Scope("slack", ref.team, ref.channel)
        link = f" ({ref.permalink})" if ref.permalink else ""
        # The form's text is plain: escaped, it reads as a typed command's would.
        said, mentioned = await adapter._incoming(
            ref.team, f"/{name} {head}{escape(text)}{link}", ref.channel, resolve_handles=True)
        user, is_admin = await adapter._speaker(ref.team, ref.author, "")
        reply = adapter.handle(Message(said, scope, user, is_admin), mentioned)
        if not reply.ok:
            await ack(response_action="errors", errors={"text": reply.text})
            return
        await ack()
        adapter._after(reply, scope, name, user.id)
