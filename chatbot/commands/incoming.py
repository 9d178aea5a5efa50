"""What every adapter's message goes through before any command sees it.

Cleaning at the door means nothing unclean is ever stored, so no later output (reply,
reminder, page, minutes, calendar) has to remember to clean it: secrets are redacted,
hidden characters dropped, and the platform's zone for the speaker kept only when it is
a canonical IANA name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chatbot.commands.context import Message, Reply
from chatbot.core.hidden_text import visible_name, visible_text
from chatbot.core.reply import Line, Text, extended
from chatbot.core.timezones import canonical_name
from chatbot.redaction import SecretFinder, warning


@dataclass(frozen=True)
class Incoming:
    message: Message
    secrets_found: tuple[str, ...]  # what was redacted, in words; empty for most messages


def clean_message(message: Message, finder: SecretFinder) -> Incoming:
    redacted = finder.find(visible_text(message.text))
    said = message.user
    user_id, name = visible_name(said.id), finder.redact(visible_name(said.name))
    zone = canonical_name(said.tz) if said.tz else None
    # Most messages are clean already: then they go on as they came (no copies made).
    user = said if (user_id, name, zone) == (said.id, said.name, said.tz) else replace(
        said, id=user_id, name=name, tz=zone)
    if user is said and redacted.text == message.text:
        return Incoming(message, redacted.found)
    return Incoming(replace(message, text=redacted.text, user=user), redacted.found)


def with_warning(reply: Reply, secrets_found: tuple[str, ...]) -> Reply:
    """The reply, plus a word to rotate what was pasted (an error stays one line)."""
    if not secrets_found:
        return reply
    advice = Text(warning(secrets_found))
    if reply.ok:
        return Reply((*reply.lines, Line((advice,))), reply.ok, reply.public, reply.vote)
    return Reply(extended(reply.lines, Text(" "), advice), reply.ok, reply.public)
