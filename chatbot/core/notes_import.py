"""Read past team-compass meeting notes (markdown) into plain data.

The notes are written by many people in a shared document, so the parser is
lenient: separators vary, template placeholder lines stay in, and owners of
action items are written in several ways.  The block structure (headings, lists,
front matter) comes from markdown-it (`chatbot.core.markdown_blocks`); this module
reads meaning into it.  Everything here is pure: text in, frozen dataclasses out.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from chatbot.core.markdown_blocks import Block, read_document, walk
from chatbot.core.roll_call import (
    ImportedAttendee,
    is_roll_call_heading,
    is_roll_call_intro,
    parse_attendee,
    unescape_markdown,
)

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

# Ordered: the first pattern that matches a heading decides its section key.
_SECTION_PATTERNS = (
    ("thanks", re.compile(r"^thank", re.I)),
    ("decision", re.compile(r"\bdecisions?\s+(needed|to\s+make|required)\b", re.I)),
    ("discuss", re.compile(r"\b(help|discussion|agenda)\b", re.I)),
    ("update", re.compile(r"\bupdates?\b", re.I)),
    ("news", re.compile(r"\b(news|reports?|celebrations?)\b", re.I)),
)

_CHECKBOX_RE = re.compile(r"^\[([ xX])\]\s*(.*)$")
_DATE_LINE_RE = re.compile(
    r"^\**\s*(?:meeting\s+)?date\s*\**\s*:\s*\**\s*(?P<value>.+)$", re.I
)
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_MONTH_YEAR_RE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b"
)
_MONTH_DAY_YEAR_RE = re.compile(
    r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"
)
_MONTH_YEAR_RE = re.compile(r"\b([A-Za-z]{3,9})\s+(\d{4})\b")
_YEAR_MONTH_RE = re.compile(r"(\d{4})-(\d{2})(?!\d)")

_TODO_RE = re.compile(
    r"^(?:\*\*(?P<bold_owner>[^*]+?):?\*\*:?\s*|(?P<owner>[A-Z][\w.' -]{0,40}?):\s+)?"
    r"\**(?:TODO|Todo)(?:\s*#\d+)?\**\s*:\**\s*(?P<text>.*)$"
)
_FOLLOW_UP_RE = re.compile(
    r"^(?P<owner>[A-Z][\w'-]*(?:\s+[A-Z][\w'.-]*)?)\s+will\s+follow[ -]up\b"
)
_TRAILING_OWNER_RE = re.compile(
    r"^(?P<text>.*?)\s*(?<!\\)(?:\((?P<paren>(?:\\.|[^()\\])+)\)"
    r"|\[(?P<bracket>(?:\\.|[^\[\]\\])+)\])$"
)
_OWNER_SPLIT_RE = re.compile(r"\s*(?:,|/|&|\band\b)\s*")
_STATUS_SUFFIX_RE = re.compile(r"\s*_\((?:discussed|carried over|open)\)_$")

_PLACEHOLDER_ITEM_RE = re.compile(
    r"^(?:add (?:agenda )?item here\b|name\s*:\s*update or pass$|name$|\(?add yourself\)?$)",
    re.I,
)


@dataclass(frozen=True)
class ImportedTodo:
    text: str
    owner: str | None  # as written, e.g. "Tim", "Chris H", "Craig/Kacper"


@dataclass(frozen=True)
class ImportedEntry:
    """A note, link or TODO written under an agenda item (a bullet nested under it)."""

    kind: str  # "note" | "link" | "todo"
    text: str  # a note's or TODO's text; a link's URL
    title: str = ""  # a link's: the bullet's words around it
    owner: str | None = None  # a TODO's, as written


@dataclass(frozen=True)
class ImportedAgendaItem:
    section: str  # discuss | decision | update | news | thanks
    text: str
    entries: tuple[ImportedEntry, ...] = ()  # in the order written


@dataclass(frozen=True)
class ImportedNotes:
    date: datetime.date | None
    title: str | None
    attendees: tuple[ImportedAttendee, ...]
    todos: tuple[ImportedTodo, ...]
    agenda: tuple[ImportedAgendaItem, ...]

    def to_json(self) -> dict:
        return {
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "attendees": [
                {"name": a.name, "affiliation": a.affiliation, "github": a.github}
                for a in self.attendees
            ],
            "todos": [{"text": t.text, "owner": t.owner} for t in self.todos],
            "agenda": [
                {"section": i.section, "text": i.text,
                 "entries": [{"kind": e.kind, "text": e.text, "title": e.title,
                              "owner": e.owner} for e in i.entries]}
                for i in self.agenda
            ],
        }


# --------------------------------------------------------------------------
# Small text helpers


def split_owners(owner: str | None) -> tuple[str, ...]:
    """Split an owner as written ("Tim, Min", "Craig/Kacper") into names."""
    if not owner:
        return ()
    return tuple(part for part in _OWNER_SPLIT_RE.split(owner.strip()) if part)


def section_key(heading: str) -> str | None:
    """Map a heading such as "Reports and celebrations" onto a section key."""
    for key, pattern in _SECTION_PATTERNS:
        if pattern.search(heading):
            return key
    return None


def _clean(text: str) -> str:
    return " ".join(text.split())


def _looks_like_name(part: str) -> bool:
    if re.fullmatch(r"@[\w-]+", part):
        return True
    words = part.split()
    return 0 < len(words) <= 4 and all(
        word[0].isupper() and re.fullmatch(r"[\w.'-]+", word) for word in words
    )


# --------------------------------------------------------------------------
# Blocks: the notes as headings, paragraph lines and list items (markdown-it)


def _parse_front_matter(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields


def _is_numbered_title(block: Block) -> bool:
    return block.kind == "item" and block.ordered and block.depth == 0


def _numbered_titles(blocks: tuple[Block, ...]) -> list[Block]:
    """Where a part of the notes (between two headings) uses a numbered list for its
    section titles ("1.  Decisions needed", with the items nested under it), those
    numbered items become headings, each followed by what was nested under it."""
    out: list[Block] = []
    part: list[Block] = []
    for block in (*blocks, None):
        if block is not None and block.kind != "heading":
            part.append(block)
            continue
        titled = any(map(_is_numbered_title, part)) and any(
            b.kind == "item" and not b.ordered and b.depth > 0 for b in walk(part))
        for item in part:
            if titled and _is_numbered_title(item):
                out += [Block("heading", item.lines, level=7), *item.children]
            else:
                out.append(item)
        out += [block] if block is not None else []
        part = []
    return out


# --------------------------------------------------------------------------
# Dates


def _month_number(word: str) -> int | None:
    word = word.lower()
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTHS, start=1):
        if name.startswith(word) or (word == "sept" and number == 9):
            return number
    return None


def _safe_date(year: str | int, month: int | None, day: str | int) -> datetime.date | None:
    if month is None:
        return None
    try:
        return datetime.date(int(year), month, int(day))
    except ValueError:
        return None


def parse_date(value: str) -> datetime.date | None:
    """Find a full date in free text like "Thursday, 16th May 2019 at 5pm"."""
    iso = _ISO_DATE_RE.search(value)
    if iso:
        return _safe_date(iso.group(1), int(iso.group(2)), iso.group(3))
    for match in _DAY_MONTH_YEAR_RE.finditer(value):
        found = _safe_date(match.group(3), _month_number(match.group(2)), match.group(1))
        if found:
            return found
    for match in _MONTH_DAY_YEAR_RE.finditer(value):
        found = _safe_date(match.group(3), _month_number(match.group(1)), match.group(2))
        if found:
            return found
    return None


def _parse_month(value: str) -> datetime.date | None:
    """"March 2018" -> 2018-03-01 (only the month is known)."""
    for match in _MONTH_YEAR_RE.finditer(value):
        found = _safe_date(match.group(2), _month_number(match.group(1)), 1)
        if found:
            return found
    return None


def _date_from_filename(filename: str | None) -> tuple[datetime.date | None, datetime.date | None]:
    """Return (full date, first of month) found in a file name."""
    if not filename:
        return None, None
    name = PurePath(filename).name
    iso = _ISO_DATE_RE.search(name)
    full = _safe_date(iso.group(1), int(iso.group(2)), iso.group(3)) if iso else None
    month = _YEAR_MONTH_RE.search(name)
    first = _safe_date(month.group(1), int(month.group(2)), 1) if month else None
    return full, first


def _pick_date(
    date_line: str | None,
    front_matter: dict[str, str],
    title: str | None,
    filename: str | None,
) -> datetime.date | None:
    from_file, month_from_file = _date_from_filename(filename)
    candidates = (
        parse_date(date_line) if date_line else None,
        parse_date(front_matter.get("date", "")),
        from_file,
        _parse_month(title) if title else None,
        month_from_file,
    )
    return next((date for date in candidates if date), None)


# --------------------------------------------------------------------------
# TODOs


def _trailing_owner(text: str, trusted: bool) -> tuple[str, str | None]:
    """Split "reach out to CERN (Tim)" into ("reach out to CERN", "Tim")."""
    match = _TRAILING_OWNER_RE.match(text)
    if not match or not match.group("text"):
        return text, None
    owner = unescape_markdown(_clean(match.group("paren") or match.group("bracket")))
    parts = split_owners(owner)
    if not parts or not (trusted or all(_looks_like_name(part) for part in parts)):
        return text, None
    return match.group("text"), owner


def _subject_owner(text: str, first_names: frozenset[str]) -> str | None:
    """"Chris H opens an issue" -> "Chris H" when Chris is in the roll call."""
    match = re.match(r"^([A-Z][\w'-]*)((?:\s+[A-Z][\w'-]*\.?)?)\s+[a-z]", text)
    if match and match.group(1) in first_names:
        return match.group(1) + match.group(2)
    return None


def _todo_from_marker(
    content: str, checkbox: str | None, first_names: frozenset[str]
) -> ImportedTodo | None:
    match = _TODO_RE.match(content)
    if not match or not match.group("text"):
        return None
    text = match.group("text")
    owner = match.group("bold_owner") or match.group("owner")
    if owner:
        owner = _clean(owner)
    else:
        # The bot writes "- [ ] TODO: text (Owner)" with text parentheses
        # escaped, so a trailing parenthesis there is always the owner list.
        text, owner = _trailing_owner(text, trusted=checkbox is not None)
        if owner is None and checkbox is None:
            owner = _subject_owner(text, first_names)
    return ImportedTodo(unescape_markdown(text), owner)


def _find_todo(block: Block, in_queue: bool, first_names: frozenset[str]) -> ImportedTodo | None:
    content, checkbox = block.text, None
    box = _CHECKBOX_RE.match(content) if block.kind == "item" else None
    if box:
        checkbox, content = box.group(1), box.group(2).strip()
        if checkbox != " ":
            return None  # already done
    todo = _todo_from_marker(content, checkbox, first_names)
    if todo:
        return todo
    follow_up = _FOLLOW_UP_RE.match(content)
    if follow_up:
        return ImportedTodo(unescape_markdown(content), follow_up.group("owner"))
    if checkbox is None or in_queue or _is_placeholder_item(content):
        return None
    text, owner = _trailing_owner(content, trusted=False)
    return ImportedTodo(unescape_markdown(text), owner)


# --------------------------------------------------------------------------
# Agenda


def _is_placeholder_item(text: str) -> bool:
    return not text or _PLACEHOLDER_ITEM_RE.match(text) is not None


def _agenda_text(text: str) -> str:
    return unescape_markdown(_STATUS_SUFFIX_RE.sub("", text))


def _top_level_items(candidates: list[tuple[int, str, Block]], first_names: frozenset[str]
                     ) -> list[ImportedAgendaItem]:
    """The least nested items of each section (a group's sub-items instead of the
    group), each with what is nested under it."""
    top: dict[int, int] = {}
    for section_id, _key, item in candidates:
        top[section_id] = min(item.depth, top.get(section_id, item.depth))
    return [
        ImportedAgendaItem(key, _agenda_text(item.text), _entries(item, first_names))
        for section_id, key, block in candidates if block.depth == top[section_id]
        for item in (_sub_items(block) if _is_group(block) else (block,))
    ]


# The monthly template's labels for lists of things to discuss ("Open issues"): the
# items under such a label are the agenda items. Only these words, because a short
# item with sub-items ("mybinder.org at NeurIPS2018") is as often one topic.
_GROUP_LABEL_RE = re.compile(r"^(?:open\s+)?(?:issues|prs|pull\s+requests):?$", re.I)


def _is_group(item: Block) -> bool:
    return _GROUP_LABEL_RE.match(item.text) is not None and any(
        child.kind == "item" for child in item.children)


def _sub_items(group: Block) -> list[Block]:
    return [child for child in group.children if child.kind == "item"
            and not (_CHECKBOX_RE.match(child.text) or _is_placeholder_item(child.text))]


_MARKDOWN_LINK_RE = re.compile(r"\[(?P<label>[^\]]*)\]\((?P<url>https?://[^)\s]+)\)")
_BARE_URL_RE = re.compile(r"<?(?P<url>https?://[^\s<>]+)>?")


def _entries(item: Block, first_names: frozenset[str]) -> tuple[ImportedEntry, ...]:
    """The bullets and lines nested under an item, at any depth: a TODO as the notes
    mark one, a link where the bullet holds one, else a note."""
    entries = []
    for block in walk(item.children):
        if block.kind not in ("item", "line") or not block.text:
            continue
        todo = _find_todo(block, False, first_names)
        if todo:
            entries.append(ImportedEntry("todo", todo.text, owner=todo.owner))
        elif not _CHECKBOX_RE.match(block.text):
            note = ImportedEntry("note", unescape_markdown(block.text))
            entries.append(_link(block.text) or note)
    return tuple(entries)


def _link(text: str) -> ImportedEntry | None:
    """'k8 incubator: [kubespray](https://…)' -> its URL, titled 'k8 incubator: kubespray'."""
    found = _MARKDOWN_LINK_RE.search(text)
    if found:
        title = text[:found.start()] + found.group("label") + text[found.end():]
    elif (found := _BARE_URL_RE.search(text)) is not None:
        title = text[:found.start()] + text[found.end():]
    else:
        return None
    return ImportedEntry("link", found.group("url"), title=unescape_markdown(_clean(title)))


# --------------------------------------------------------------------------
# The parser


@dataclass
class _Collector:
    """Walks the blocks once, collecting what the notes contain."""

    first_names: frozenset[str]
    section: str | None = None
    section_id: int = 0
    in_queue: bool = False
    in_roll_call: bool = False
    heading_title: str | None = None
    date_line: str | None = None
    attendees: list[ImportedAttendee] = field(default_factory=list)
    todos: list[ImportedTodo] = field(default_factory=list)
    candidates: list[tuple[int, str, Block]] = field(default_factory=list)

    def add(self, block: Block) -> None:
        if block.kind == "heading":
            self._heading(block)
        elif block.kind == "rule":
            self.in_roll_call = False
        else:
            self._content(block)

    def _heading(self, block: Block) -> None:
        if block.level == 1 and self.heading_title is None:
            self.heading_title = unescape_markdown(block.text)
        self.section = section_key(block.text) if block.level > 1 else None
        self.section_id += 1
        self.in_queue = "queue" in block.text.lower()
        self.in_roll_call = is_roll_call_heading(block.text)

    def _content(self, block: Block) -> None:
        dates = (found.group("value") for found in map(_DATE_LINE_RE.match, block.lines) if found)
        self.date_line = self.date_line or next(dates, None)
        if block.kind == "line":
            self.in_roll_call = is_roll_call_intro(block.text)
        elif self.in_roll_call:
            attendee = parse_attendee(block.text)
            if attendee:
                self.attendees.append(attendee)
            return
        todo = _find_todo(block, self.in_queue, self.first_names)
        if todo:
            self.todos.append(todo)
        if block.kind == "item" and self._is_agenda_item(block.text):
            self.candidates.append((self.section_id, self.section, block))
        # "Roll call:" on the line under an item belongs to the item, and the list it
        # introduces is the rest of the same list.
        if block.kind == "item" and len(block.lines) > 1:
            self.in_roll_call = is_roll_call_intro(block.lines[-1])

    def _is_agenda_item(self, text: str) -> bool:
        return bool(self.section) and not (
            _CHECKBOX_RE.match(text) or _is_placeholder_item(text)
        )


def _collect(blocks: list[Block], first_names: frozenset[str]) -> _Collector:
    collector = _Collector(first_names)
    for block in walk(blocks):
        collector.add(block)
    return collector


def parse_notes(text: str, filename: str | None = None) -> ImportedNotes:
    """Parse one meeting's notes; ``filename`` (e.g. "2018-12-20.md") is a
    fallback source for the date."""
    document = read_document(text)
    front_matter = _parse_front_matter(document.front_matter)
    blocks = _numbered_titles(document.blocks)
    # A first pass finds the roll call, whose first names mark TODO owners ("Chris H opens").
    roll_call = _collect(blocks, first_names=frozenset()).attendees
    collector = _collect(blocks, frozenset(a.name.split()[0] for a in roll_call if a.name.split()))
    title = front_matter.get("title") or collector.heading_title
    return ImportedNotes(
        date=_pick_date(collector.date_line, front_matter, title, filename),
        title=title,
        attendees=tuple(collector.attendees),
        todos=tuple(collector.todos),
        agenda=tuple(_top_level_items(collector.candidates, collector.first_names)),
    )
