"""Render a meeting's minutes as team-compass style markdown.

``render_minutes`` is a pure function of a ``MinutesInput``.  Every piece of
user-provided text goes through ``escape_markdown`` so that it can neither
break the document structure nor inject HTML, links or fake TODO lines; the
output can be read back with ``chatbot.core.notes_import.parse_notes``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatbot.core.live_words import DEFAULT_CHOICES
from chatbot.core.model import Attendance
from chatbot.core.timefmt import clock_time, long_date, month_year, weekday
from chatbot.core.timezones import zone_info
from chatbot.core.view import AgendaEntry, FiledEntry, TodoEntry

SECTION_HEADINGS = {
    "discuss": "Help or discussion needed",
    "decision": "Decisions needed",
    "update": "Quick updates",
    "news": "News and reports",
    "thanks": "Thanks and celebrations",
}

# Characters with a markdown meaning (GitHub adds `$` math and `~` strike).
# `!` and `&` need none: images need `[`, entities cannot add structure.
_SPECIAL_CHARS = frozenset("\\`*_[]()<>#|~$")
_URL_RE = re.compile(r"https?://[^\s<>\\]+")
# Kept as they are in a link's target; parentheses and spaces are percent-encoded.
_URL_SAFE = "/:?#&=%@+~.,;!*$'-_"


@dataclass(frozen=True)
class MinutesInput:
    series_name: str
    start: datetime.datetime  # aware, in the series' time zone
    member_zones: tuple[str, ...]  # IANA names
    video: str = ""
    notes_url: str = ""
    previous_notes: str = ""  # relative link/path to the previous minutes
    attendees: tuple[Attendance, ...] = ()
    regrets: tuple[Attendance, ...] = ()
    agenda: tuple[AgendaEntry, ...] = ()
    ended: bool = True  # items not done are carried over (else still open)
    decisions: tuple[str, ...] = ()
    todos: tuple[TodoEntry, ...] = ()
    chairs: tuple[str, ...] = ()  # display names, for a meeting run item by item
    unfiled: tuple[FiledEntry, ...] = ()  # recorded before any item was taken up


# --------------------------------------------------------------------------
# Escaping


def collapse_whitespace(text: str) -> str:
    """One line: control characters and all runs of whitespace become one space."""
    cleaned = "".join(
        " " if unicodedata.category(char) == "Cc" else char for char in text
    )
    return " ".join(cleaned.split())


def escape_markdown(text: str) -> str:
    """Make ``text`` safe to place inside one markdown line (list item,
    heading, table cell): it renders literally, as a single line."""
    return _line_start_safe(_escape_chars(collapse_whitespace(text)))


def escape_with_links(text: str) -> str:
    """``escape_markdown``, with each http(s) address in the text an autolink, ``<url>``:
    an address escaped like the rest would keep the backslashes in its link (the
    permalinks of the Slack shortcuts, ``…?thread_ts=…``, inside parentheses)."""
    flat = collapse_whitespace(text)
    parts, position = [], 0
    for match in _URL_RE.finditer(flat):
        url = _trimmed_url(match.group())
        parts += [_escape_chars(flat[position:match.start()]), f"<{url}>"]
        position = match.start() + len(url)
    parts.append(_escape_chars(flat[position:]))
    return _line_start_safe("".join(parts))


def _escape_chars(flat: str) -> str:
    escaped = "".join("\\" + char if char in _SPECIAL_CHARS else char for char in flat)
    # A "TODO:" in user text must not read as an action item when re-imported.
    return re.sub(r"\b(TODO|Todo)(\s*):", r"\1\2\\:", escaped)


def _line_start_safe(escaped: str) -> str:
    # Line-start markers: lists ("-", "+", "1."), setext underline ("=").
    escaped = re.sub(r"^([-+=])", r"\\\1", escaped)
    return re.sub(r"^(\d{1,9})\.", r"\1\\.", escaped)


def _trimmed_url(url: str) -> str:
    """The address without what ends the sentence around it: `(see https://x/a).`"""
    while url and (url[-1] in ".,;:!?'\"*_~" or (
            url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def escape_field(text: str) -> str:
    """Escape one "name / affiliation / @github" field of the roll call."""
    escaped = escape_markdown(text).replace("/", "\\/")
    return "\\" + escaped if escaped.startswith("@") else escaped


def _link_or_text(value: str) -> str:
    value = collapse_whitespace(value)
    if _URL_RE.fullmatch(value):
        return f"<{value}>"
    return escape_markdown(value)


def markdown_link(url: str, title: str = "") -> str:
    """An http(s) link as the team writes it, `[title](url)`, or `<url>` without a
    title (or one that is the address); anything that is not an http(s) address stays
    escaped text."""
    title = collapse_whitespace(title)
    url = collapse_whitespace(url)
    if not _URL_RE.fullmatch(url):
        return escape_markdown(" ".join(part for part in (title, url) if part))
    if title in ("", url):
        return f"<{url}>"
    return f"[{escape_markdown(title)}]({quote(url, safe=_URL_SAFE)})"


def _relative_link(path: str) -> str:
    path = collapse_whitespace(path)
    target = quote(path, safe=_URL_SAFE)
    return f"[{escape_markdown(path)}]({target})"


# --------------------------------------------------------------------------
# Times


def _zone(name: str) -> ZoneInfo:
    try:
        return zone_info(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {name!r}") from error


def _clock(moment: datetime.datetime) -> str:
    return clock_time(moment, spell_offset=True)


def _date_line(start: datetime.datetime) -> str:
    line = f"- **Date:** {long_date(start)}, {_clock(start)}"
    if start.utcoffset():
        utc = start.astimezone(datetime.UTC)
        line += f" ({clock_time(utc)})"
    return line


def _member_zone_lines(start: datetime.datetime, zones: tuple[str, ...]) -> list[str]:
    local_times = sorted(
        ((start.astimezone(_zone(name)), name) for name in set(zones)),
        key=lambda pair: (pair[0].utcoffset(), pair[1]),
    )
    if not local_times:
        return []
    lines = ["- **Time in members' zones:**"]
    for local, name in local_times:
        day = "" if local.date() == start.date() else weekday(local) + " "
        lines.append(f"  - {day}{_clock(local)} ({escape_markdown(name)})")
    return lines


# --------------------------------------------------------------------------
# Sections


def _header(meeting: MinutesInput) -> list[str]:
    start = meeting.start
    month = month_year(start)
    lines = ["---", f"title: {month}", "---", ""]
    lines += [f"# {escape_markdown(meeting.series_name)} - {month}", ""]
    lines.append(_date_line(start))
    lines += _member_zone_lines(start, meeting.member_zones)
    if meeting.video.strip():
        lines.append(f"- **Video conference link:** {_link_or_text(meeting.video)}")
    if meeting.notes_url.strip():
        lines.append(f"- **Meeting notes:** {_link_or_text(meeting.notes_url)}")
    if meeting.previous_notes.strip():
        lines.append(
            f"- **Previous meeting's notes:** {_relative_link(meeting.previous_notes)}"
        )
    return lines


def _attendee_line(person: Attendance) -> str | None:
    name = collapse_whitespace(person.name)
    if not name:
        return None
    fields = [escape_field(name)]
    if collapse_whitespace(person.affiliation):
        fields.append(escape_field(person.affiliation))
    github = collapse_whitespace(person.github).lstrip("@")
    if github:
        fields.append("@" + escape_markdown(github).replace("/", "\\/"))
    return "- " + " / ".join(fields)


def _people(people: tuple[Attendance, ...]) -> list[str]:
    return [line for line in map(_attendee_line, people) if line]


def _roll_call(meeting: MinutesInput) -> list[str]:
    attendees = _people(meeting.attendees) or ["No one signed in."]
    lines = ["## Roll call", "", *attendees]
    regrets = _people(meeting.regrets)
    if regrets:
        lines += ["", "Regrets:", "", *regrets]
    chairs = [escape_markdown(name) for name in meeting.chairs if collapse_whitespace(name)]
    if chairs:
        lines += ["", f"Chairs: {', '.join(chairs)}"]
    # TODOs and decisions have sections of their own: only notes, links and votes here.
    unfiled = tuple(e for e in meeting.unfiled if e.kind not in ("todo", "decision"))
    if unfiled:
        lines += ["", "Before the first item:", "", *_filed_lines(unfiled, depth=0)]
    return lines


# Under each item: notes, then links, TODOs, decisions and votes, each in the order made.
_FILED_ORDER = ("note", "link", "todo", "decision", "vote")


def _filed_lines(filed: tuple[FiledEntry, ...], depth: int = 1) -> list[str]:
    indent = "  " * depth
    ordered = sorted(filed, key=lambda entry: _FILED_ORDER.index(entry.kind))
    return [f"{indent}- {_filed_text(entry)}" for entry in ordered]


def _filed_text(entry: FiledEntry) -> str:
    if entry.kind == "link":
        return markdown_link(entry.text, entry.title)
    if entry.kind == "todo":
        owners = ", ".join(escape_markdown(name) for name in entry.owners)
        return f"TODO: {escape_markdown(entry.text)}" + (f" ({owners})" if owners else "")
    if entry.kind == "decision":
        return f"Decision: {escape_markdown(entry.text)}"
    if entry.kind == "vote":
        counts = ", ".join(
            f"{choice if choice in DEFAULT_CHOICES else escape_markdown(choice)}: {count}"
            + (f" ({', '.join(map(escape_markdown, voters))})" if voters else "")
            for choice, count, voters in entry.counts
        )
        state = "" if entry.closed else " (not closed)"
        return f"Vote: {escape_markdown(entry.text)} Result: {counts}{state}"
    return escape_markdown(entry.text)


def _agenda_line(entry: AgendaEntry, ended: bool) -> str:
    author = collapse_whitespace(entry.author)
    prefix = f"**{escape_markdown(author)}:** " if author else ""
    status = "discussed" if entry.done else "carried over" if ended else "open"
    return f"- {prefix}{escape_with_links(entry.text)} _({status})_"


def _agenda_section(key: str, meeting: MinutesInput) -> list[str]:
    lines = [line for entry in meeting.agenda if entry.section == key
             for line in (_agenda_line(entry, meeting.ended), *_filed_lines(entry.filed))]
    if not lines:
        return []
    return [f"## {SECTION_HEADINGS[key]}", "", *lines]


def _decisions(decisions: tuple[str, ...]) -> list[str]:
    lines = [f"- {escape_markdown(text)}" for text in decisions if text.strip()]
    return ["## Decisions", "", *lines] if lines else []


# --------------------------------------------------------------------------
# TODOs


def _owners(todo: TodoEntry) -> tuple[str, ...]:
    return tuple(
        name for name in map(collapse_whitespace, todo.owners) if name
    )


def _todo_line(todo: TodoEntry) -> str:
    box = "x" if todo.done else " "
    text = escape_with_links(todo.text) or "\\(no description\\)"
    owners = ", ".join(escape_markdown(name) for name in _owners(todo))
    suffix = f" ({owners})" if owners else ""
    return f"- [{box}] TODO #{todo.number}: {text}{suffix}"


def _todo_kind(todo: TodoEntry) -> str:
    if todo.done:
        return "Done since the last meeting:"
    return "New:" if todo.is_new else "Still open from earlier meetings:"


def _todo_group(owners: tuple[str, ...], todos: list[TodoEntry]) -> list[str]:
    title = ", ".join(escape_markdown(name) for name in owners) or "Unassigned"
    lines = [f"### {title}"]
    for kind in ("New:", "Still open from earlier meetings:", "Done since the last meeting:"):
        chosen = sorted(
            (todo for todo in todos if _todo_kind(todo) == kind),
            key=lambda todo: todo.number,
        )
        if chosen:
            lines += ["", kind, "", *map(_todo_line, chosen)]
    return lines


def _todos(todos: tuple[TodoEntry, ...]) -> list[str]:
    groups: dict[tuple[str, ...], list[TodoEntry]] = {}
    for todo in todos:
        groups.setdefault(_owners(todo), []).append(todo)
    order = sorted(groups, key=lambda owners: (not owners, [o.lower() for o in owners]))
    lines = ["## TODOs"] if groups else []
    for owners in order:
        lines += ["", *_todo_group(owners, groups[owners])]
    return lines


# --------------------------------------------------------------------------
# The document


def _validate(meeting: MinutesInput) -> None:
    if meeting.start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")
    for entry in meeting.agenda:
        if entry.section not in SECTION_HEADINGS:
            raise ValueError(f"unknown agenda section: {entry.section!r}")


def render_minutes(meeting: MinutesInput) -> str:
    """The minutes of one meeting as team-compass markdown."""
    _validate(meeting)
    parts = [
        _header(meeting),
        _roll_call(meeting),
        _agenda_section("discuss", meeting),
        _agenda_section("decision", meeting),
        _agenda_section("update", meeting),
        _decisions(meeting.decisions),
        _todos(meeting.todos),
        _agenda_section("news", meeting),
        _agenda_section("thanks", meeting),
    ]
    return "\n\n".join("\n".join(part) for part in parts if part) + "\n"
