"""Text in and out of Matrix rooms, as pure functions the Gitter adapter calls.

In: a message (plain body or its HTML form) becomes the command text the shared
parser reads, with every way Matrix clients mention a person turned into
`<@USER_ID>`. Out: a reply or a reminder becomes a plain body and an HTML
`formatted_body`, with user text escaped and `/command` hints in the room's prefix.
Knows no client library, so it is tested without a homeserver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, unquote

import jinja2

from chatbot.core.reminder import ASK_FOR_ITEMS, NO_AGENDA, Reminder
from chatbot.core.reply import Line, Link, Part, Text, UserRef, said
from chatbot.core.timefmt import long_datetime
from chatbot.core.view import by_section

# The HTML bodies: a Jinja2 template with autoescape, so what people typed stays text.
_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("chatbot.adapters", "templates"), autoescape=True,
).get_template("matrix.html").module
# A part as the template draws it: (kind: "user" | "link" | "text", text, address).
Shown = tuple[str, str, str]

# `<@@bob:example.org>`: the form the shared parser reads as a mention.
MENTION_TOKEN = re.compile(r"<@(@[^<>|\s]+)>")
# A full user id typed out; not inside an e-mail address or a `<@…>` token.
_FULL_USER_ID = re.compile(r"(?<![\w<@])@[\w.=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?")
_AT = re.compile(r"(?<![\w<@])@")
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
               "h6", "tr"}


def localpart(user_id: str) -> str:
    """'@bob:example.org' -> 'bob'."""
    return user_id[1:].partition(":")[0]


def pill_user(href: str) -> str | None:
    """The user a link points at, for both pill forms clients send."""
    href = unquote(href.strip())
    for start in ("https://matrix.to/#/", "matrix:u/"):
        if href.startswith(start):
            target = re.split(r"[/?]", href[len(start):], maxsplit=1)[0]
            if start == "matrix:u/":
                target = "@" + target
            if target.startswith("@") and ":" in target:
                return target
    return None


class _PlainText(HTMLParser):
    """HTML body -> text; user pills become `<@USER_ID>`, the reply quote is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_reply_quote = 0
        self._in_pill = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._in_reply_quote += 1
        elif tag == "br" or tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "a" and not self._in_reply_quote:
            user = pill_user(dict(attrs).get("href") or "")
            if user:
                self.parts.append(f"<@{user}>")
                self._in_pill = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self._in_reply_quote = max(0, self._in_reply_quote - 1)
        elif tag == "a":
            self._in_pill = False
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._in_reply_quote and not self._in_pill:
            self.parts.append(data)


def html_to_text(formatted: str) -> str:
    parser = _PlainText()
    parser.feed(formatted)
    parser.close()
    return "".join(parser.parts).strip()


def message_text(body: str, formatted_body: str | None) -> str:
    """What the person wrote: the HTML form when there is one (it carries the pills)."""
    return html_to_text(formatted_body) if formatted_body else body.strip()


def command_text(text: str, prefix: str, bot_id: str, bot_names: Iterable[str]) -> str | None:
    """'!agenda add X' or 'chatbot: agenda add X' -> '/agenda add X'; None for chatter.

    The prefix must be followed by a letter, so '!!!' or '?' alone is not a command.
    """
    stripped = text.strip()
    if stripped.startswith(prefix):
        rest = stripped[len(prefix):]
        return "/" + rest if rest[:1].isalpha() else None
    rest = _after_bot_mention(stripped, bot_id, bot_names)
    if rest is None:
        return None
    for marker in (prefix, "/"):
        if rest.startswith(marker):
            rest = rest[len(marker):]
            break
    if not rest:
        return "/help"
    return "/" + rest if rest[:1].isalpha() else None


def _after_bot_mention(text: str, bot_id: str, bot_names: Iterable[str]) -> str | None:
    """The text after a leading mention of the bot, or None when it does not start with one."""
    pill = f"<@{bot_id}>"
    if text.startswith(pill):
        return text[len(pill):].lstrip(" :,").strip()
    # Typed out, a name needs a colon or comma after it: "chatbot: agenda".
    names = sorted({bot_id, *bot_names} - {""}, key=len, reverse=True)
    for name in names:
        for written in (name, "@" + name):
            head = text[:len(written)]
            tail = text[len(written):]
            if head.lower() == written.lower() and tail[:1] in (":", ","):
                return tail[1:].strip()
    return None


def resolve_mentions(text: str, members: Mapping[str, str]) -> str:
    """Typed mentions -> `<@USER_ID>`: a full `@bob:server`, or `@bob` / `@Bob Smith`
    matching one member's localpart or display name (case-insensitive, longest first).
    `members` maps user id -> display name. Unmatched or ambiguous names stay as typed."""
    text = _FULL_USER_ID.sub(lambda m: f"<@{m.group(0)}>", text)
    labels: dict[str, set[str]] = {}
    for user_id, name in members.items():
        for label in (localpart(user_id), name):
            if label:
                labels.setdefault(label.lower(), set()).add(user_id)
    unique = sorted(
        ((label, ids.pop()) for label, ids in labels.items() if len(ids) == 1),
        key=lambda pair: len(pair[0]), reverse=True,
    )
    out, position = [], 0
    for match in _AT.finditer(text):
        if match.start() < position:
            continue
        after = text[match.end():]
        for label, user_id in unique:
            end = len(label)
            if after[:end].lower() == label and not _continues_name(after[end:end + 1]):
                out.append(text[position:match.start()])
                out.append(f"<@{user_id}>")
                position = match.end() + end
                break
    out.append(text[position:])
    return "".join(out)


def _continues_name(char: str) -> bool:
    return bool(char) and (char.isalnum() or char in "_-")


def mentioned_ids(text: str) -> list[str]:
    return list(dict.fromkeys(MENTION_TOKEN.findall(text)))


@dataclass(frozen=True)
class Formatter:
    """Renders the bot's plain-text replies and reminders for a Matrix room."""

    prefix: str
    commands: tuple[str, ...]  # command words whose `/word` hints take the prefix

    def answering(self, command_text: str) -> Formatter:
        """Also rewrite the word just typed, which error replies quote ('/todoz')."""
        word = command_text.lstrip("/").split(" ", 1)[0]
        return replace(self, commands=(*self.commands, word)) if word else self

    def _hints(self, text: str) -> str:
        """'/agenda add' -> '!agenda add': clients intercept unknown slash commands."""
        if not self.commands or self.prefix == "/":
            return text
        words = "|".join(sorted(map(re.escape, self.commands), key=len, reverse=True))
        return re.sub(rf"(?<![\w/<])/(?=(?:{words})\b)", lambda _: self.prefix, text)

    def plain(self, lines: Iterable[Line], names: Mapping[str, str]) -> str:
        """Plain body: users by name, the bot's command hints with the room's prefix."""
        def shown(part: Part) -> str:
            if isinstance(part, UserRef):
                return names.get(part.user_id) or part.user_id
            return self._hints(part.plain()) if isinstance(part, Text) else part.plain()

        return "\n".join("  " * one.depth + "".join(map(shown, one.parts)) for one in lines)

    def shown(self, parts: Iterable[Part], names: Mapping[str, str]) -> list[Shown]:
        """Parts as the template draws them: users as pills, links clickable."""
        shown = []
        for part in parts:
            if isinstance(part, UserRef):
                address = "https://matrix.to/#/" + quote(part.user_id, safe="@:")
                shown.append(("user", names.get(part.user_id) or part.user_id, address))
            elif isinstance(part, Link):
                shown.append(("link", f"{part.label}: " if part.label else "", part.url))
            else:
                text = self._hints(part.plain()) if isinstance(part, Text) else part.plain()
                shown.append(("text", text, ""))
        return shown

    def html(self, lines: Iterable[Line], names: Mapping[str, str]) -> str:
        """A multi-line reply: line breaks kept, indentation kept (HTML collapses spaces)."""
        return str(_TEMPLATE.reply([(one.depth, self.shown(one.parts, names))
                                    for one in lines]))

    def reminder(self, reminder: Reminder, names: Mapping[str, str]) -> tuple[str, str]:
        """(plain body, HTML body) of a reminder: every zone listed, links clickable."""
        return self.plain(reminder.lines(), names), self._reminder_html(reminder, names)

    def _reminder_html(self, reminder: Reminder, names: Mapping[str, str]) -> str:
        def text(value: str) -> list[Shown]:
            return self.shown(said(value), names)

        yours = reminder.reader_zone and long_datetime(reminder.start_utc, reminder.reader_zone)
        return str(_TEMPLATE.reminder(SimpleNamespace(
            headline=text(reminder.headline),
            yours=text(yours) if yours else None,
            home=text(long_datetime(reminder.start_utc, reminder.meeting_zone)),
            zone=text(reminder.meeting_zone),
            zone_times=[text(zone.label()) for zone in reminder.zone_times],
            warnings=[text(warning) for warning in reminder.warnings],
            links=list(reminder.links()),
            no_agenda=text(NO_AGENDA),
            sections=[(text(section.title), section.items[0].number,
                       [(text(item.text), text(item.author)) for item in section.items])
                      for section in by_section(reminder.agenda)],
            ask=text(ASK_FOR_ITEMS) if reminder.asks_for_items else None,
            todos=[(text(group.owner), [(todo.number, text(todo.text)) for todo in group.todos])
                   for group in reminder.todos],
        )))
