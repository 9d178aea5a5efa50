"""The Collaboration Café archive: one markdown file per year, one section per meeting.

The team's file (`docs/meetings/collab-cafe/<YYYY>.md` in jupyterhub/team-compass)
opens with a title, then has a `## YYYY-MM-DD` section per meeting, newest first.
`render_section` writes one meeting in that shape (check-in, ice-breaker,
celebrations, agenda items as `**Who (10m):** topic` with their notes nested), every
text people typed escaped. `add_section` puts a section into a year's file text,
leaving every other byte as it was, so the file's diff is only the added lines.
Reading and writing the file is the archive's job; this module only turns text
into text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from chatbot.core.live_meeting import Entry, LiveMeeting
from chatbot.core.live_words import format_timebox, parse_link, parse_vote_question
from chatbot.core.minutes import (
    collapse_whitespace,
    escape_field,
    escape_markdown,
    escape_with_links,
    markdown_link,
)

SKIPPED = "No meeting due to lack of attendees."
_DATED = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")  # a month's section may have no day
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$")  # markdown-it's own line breaks
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class CheckIn:
    name: str
    handle: str = ""  # GitHub, with or without its @
    organisation: str = ""
    pronouns: str = ""
    place: str = ""


@dataclass(frozen=True)
class Note:
    text: str
    kind: str = "note"  # "note" | "link" (text is its title) | "todo" | "decision"
    url: str = ""
    owners: tuple[str, ...] = ()  # a TODO's owners, as names


@dataclass(frozen=True)
class Topic:
    text: str
    who: str = ""  # who brings it
    timebox: int | None = None  # minutes
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Answer:
    who: str
    text: str


@dataclass(frozen=True)
class CafeMeeting:
    date: datetime.date
    held: bool = True  # False: the month's one line, "No meeting due to lack of attendees."
    check_in: tuple[CheckIn, ...] = ()
    icebreaker: str = ""
    answers: tuple[Answer, ...] = ()
    celebrations: tuple[str, ...] = ()
    agenda: tuple[Topic, ...] = ()


def yearly_path(archive: Path, series: str, day: datetime.date) -> Path:
    """`<archive>/<series>/<YYYY>.md`: `docs/meetings/collab-cafe/2024.md` for the team."""
    return archive / series / f"{day.year}.md"


# --------------------------------------------------------------------------
# One meeting's section


def _check_in_line(person: CheckIn) -> str | None:
    name = collapse_whitespace(person.name)
    if not name:
        return None
    pronouns = collapse_whitespace(person.pronouns)
    fields = [escape_field(name) + (f" ({escape_field(pronouns)})" if pronouns else "")]
    handle = collapse_whitespace(person.handle).lstrip("@")
    if handle:
        fields.append("@" + escape_markdown(handle).replace("/", "\\/"))
    fields += [escape_field(f) for f in (person.organisation, person.place) if f.strip()]
    return "- " + " / ".join(fields)


def _note_line(note: Note) -> str:
    if note.kind == "link":
        return f"  - {markdown_link(note.url, note.text)}"
    text = escape_with_links(note.text)
    if note.kind == "todo":
        owners = ", ".join(escape_markdown(o) for o in note.owners if o.strip())
        return f"  - TODO: {text}" + (f" ({owners})" if owners else "")
    if note.kind == "decision":
        return f"  - Decision: {text}"
    return f"  - {text}"


def _topic_lines(topic: Topic) -> list[str]:
    who = escape_markdown(topic.who)
    timebox = f"({format_timebox(topic.timebox)})" if topic.timebox else ""
    label = " ".join(part for part in (who, timebox) if part)
    head = f"**{label}:** " if label else ""
    return [f"- {head}{escape_with_links(topic.text)}", *map(_note_line, topic.notes)]


def _part(heading: str, lines: list[str]) -> list[str]:
    return [f"### {heading}", "", *lines] if lines else []


def render_section(meeting: CafeMeeting) -> str:
    """One meeting as the Café archive writes it, ending with one newline."""
    parts = [[f"## {meeting.date.isoformat()}"]]
    if not meeting.held:
        parts.append([SKIPPED])
    else:
        check_in = [line for line in map(_check_in_line, meeting.check_in) if line]
        icebreaker = [escape_markdown(meeting.icebreaker)] if meeting.icebreaker.strip() else []
        if icebreaker and meeting.answers:
            icebreaker.append("")
        icebreaker += [f"- **{escape_markdown(a.who)}:** {escape_markdown(a.text)}"
                       for a in meeting.answers]
        parts += [
            _part("Check-in", check_in),
            _part("Ice-breaker", icebreaker),
            _part("Celebrations and Shout-Outs",
                  [f"- {escape_markdown(c)}" for c in meeting.celebrations if c.strip()]),
            _part("Agenda", [line for topic in meeting.agenda for line in _topic_lines(topic)]),
        ]
    return "\n\n".join("\n".join(part) for part in parts if part) + "\n"


def _note(meeting: LiveMeeting, entry: Entry) -> Note:
    if entry.kind == "link":
        link = parse_link(entry.text)
        return Note(link.title, "link", link.url)
    if entry.kind == "todo":
        return Note(entry.text, "todo", owners=tuple(map(meeting.name, entry.owners)))
    if entry.kind == "vote":
        vote = meeting.vote_of(entry)
        state = "" if vote and vote.closed else " (not closed)"
        question = parse_vote_question(entry.text).question
        return Note(f"Vote{state}: {question}: {meeting.tally(vote, with_names=True)}")
    return Note(entry.text, entry.kind)


def live_agenda(meeting: LiveMeeting) -> tuple[Topic, ...]:
    """A live meeting's items with what was recorded under each, in order; undone
    entries left out, items never taken up marked carried over."""
    topics = []
    if meeting.unfiled:
        notes = tuple(_note(meeting, entry) for entry in meeting.unfiled)
        topics.append(Topic("Before the agenda", notes=notes))
    for view in meeting.items:
        notes = tuple(_note(meeting, entry) for entry in view.entries)
        if view.status == "not taken up":
            notes += (Note("carried over"),)
        who = meeting.name(view.item.author) if view.item.author else ""
        topics.append(Topic(view.item.text, who, meeting.timebox_of(view), notes))
    return tuple(topics)


# --------------------------------------------------------------------------
# The year's file


def new_year_file(series_name: str, year: int) -> str:
    """What a year's file starts with: its title."""
    return f"# {year} {escape_markdown(series_name)} Notes Archive\n"


def _dated_sections(document: str) -> list[tuple[int, str]]:
    """(line index, date) of every `## YYYY-MM-DD` (or `## YYYY-MM`) heading, in order;
    headings inside code blocks or with other text are not meetings."""
    tokens = _MARKDOWN.parse(document)
    found = []
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open" and opening.tag == "h2" and opening.map:
            if _DATED.fullmatch(inline.content.strip()):
                found.append((opening.map[0], inline.content.strip()))
    return found


def split_year(document: str) -> list[tuple[str, str]]:
    """(date, the section's text from its heading on) for each meeting of a year's file,
    as the file orders them (newest first)."""
    lines = _LINE.findall(document)
    sections = _dated_sections(document)
    ends = [start for start, _ in sections[1:]] + [len(lines)]
    return [(date, "".join(lines[start:end]))
            for (start, date), end in zip(sections, ends, strict=False)]


def add_section(document: str | None, meeting: CafeMeeting, series_name: str) -> str:
    """The year's file with `meeting`'s section in it.

    A section of the same date is replaced (running the archive again changes
    nothing); otherwise the section goes above the first older one, which for the
    latest meeting is the top, right below the file's title. Every other byte stays.
    """
    if not document or not document.strip():
        document = new_year_file(series_name, meeting.date.year)
    lines = _LINE.findall(document)
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    section = render_section(meeting).replace("\n", newline)
    day = meeting.date.isoformat()
    sections = _dated_sections(document)
    starts = [start for start, _ in sections]
    for index, (start, date) in enumerate(sections):
        if date == day:
            end = starts[index + 1] if index + 1 < len(starts) else len(lines)
            between = newline if end < len(lines) else ""
            return "".join(lines[:start]) + section + between + "".join(lines[end:])
        if date < day:
            return "".join(lines[:start]) + section + newline + "".join(lines[start:])
    ending = "" if document.endswith(newline * 2) else newline
    if not document.endswith(("\n", "\r")):
        ending = newline * 2
    return document + ending + section
